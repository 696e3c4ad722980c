"""brat standoff: ``NAME.txt`` with ``NAME.ann`` beside it, one document a pair.

Reads a folder (recursively, hidden files skipped), or one ``.ann`` or ``.txt``
file. Lines of the ``.ann``:

* ``T1<TAB>LABEL START END[;START END...]<TAB>TEXT``: a span. Fragments separated
  only by whitespace (how brat writes a span across lines) are joined into one
  span; a truly discontinuous span stops the import (spans here are continuous).
  ``TEXT`` is checked against the document (fragments joined by a space, line
  breaks shown as spaces, as brat writes it);
* ``R1<TAB>LABEL Arg1:T1 Arg2:T2``: a relation, Arg1 the head, Arg2 the child;
* ``#1<TAB>AnnotatorNotes T1<TAB>NOTE``: the span's note.

Events, attributes, normalizations and equivalences (``E``, ``A``, ``M``,
``N``, ``*``) have no place in the model and are skipped. Offsets count code
points of the ``.txt`` as it is on disk (``--offsets utf16`` for files made by
brat's web client); a BOM or CRLF line ends are removed from the stored text
and the offsets moved accordingly. brat has no annotator field: the spans are
``--annotator``'s (our exports put each annotator in a folder of that name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, describe_validation_error
from ..text.offsets import CODEPOINTS, Utf16, convert_in, normalize_with_map
from ..store import ImportRecord
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "brat"
SUFFIXES = (".ann",)
READS_FOLDERS = True

IGNORED_KINDS = ("E", "A", "M", "N", "*")
FRAGMENT = re.compile(r"^(\d+) (\d+)$")
LINE_BREAKS = re.compile(r"[\r\n]+")


def sniff(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".ann"


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    for txt in text_files(path):
        yield read_pair(txt, txt.with_suffix(".ann"), context)


def text_files(path: Path) -> list[Path]:
    """The .txt files to read: those under a folder (sorted), or the one a file names."""
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*.txt")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        orphans = sorted(
            p for p in path.rglob("*.ann")
            if not p.with_suffix(".txt").exists() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if orphans:
            raise AnnotatorError(f"{orphans[0]} has no {orphans[0].with_suffix('.txt').name} beside it: brat needs both")
        if not found:
            raise AnnotatorError(f"no brat documents (.txt with .ann) in {path}")
        return found
    txt = path.with_suffix(".txt")
    if not txt.exists():
        raise AnnotatorError(f"{path} has no {txt.name} beside it: brat needs both")
    return [txt]


@dataclass
class Parsed:
    """What one .ann file holds, before checking against the schema."""

    spans: dict[str, Span] = field(default_factory=dict)  # by T id
    relations: list[tuple[str, str, str, str]] = field(default_factory=list)  # where, label, arg1, arg2
    notes: dict[str, str] = field(default_factory=dict)  # by T id


def read_pair(txt: Path, ann: Path, context: ImportContext) -> ImportRecord:
    try:
        raw = decode(txt.read_bytes(), str(txt))
        ann_text = decode(ann.read_bytes(), str(ann)) if ann.exists() else ""
    except OSError as exc:
        raise AnnotatorError(f"cannot read {exc.filename}: {exc.strerror}") from None
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{txt} is empty: there is nothing to annotate")
    doc = Document.from_text(txt.name, text, {"path": str(txt)})
    parsed = parse_ann(ann, ann_text.removeprefix("\ufeff"), raw, move, doc, context)
    for tid, note in parsed.notes.items():
        parsed.spans[tid].note = note
    relations = []
    for where, label, arg1, arg2 in parsed.relations:
        head, child = parsed.spans.get(arg1), parsed.spans.get(arg2)
        if head is None or child is None:
            raise AnnotatorError(f"{where}: Arg1 {arg1} or Arg2 {arg2} is not a T annotation of this file")
        if not context.schema.relation_allowed(label, head.label, child.label):
            raise AnnotatorError(f"{where}: relation {label!r} is not allowed from {head.label} to {child.label} by the schema")
        relations.append(Relation(document_id=doc.id, head=head.id, child=child.id, label=label, annotator=context.annotator))
    return ImportRecord(doc, list(parsed.spans.values()), relations)


def parse_ann(ann: Path, ann_text: str, raw: str, move, doc: Document, context: ImportContext) -> Parsed:
    parsed = Parsed()
    unit = context.offsets or CODEPOINTS
    index = Utf16(raw) if unit != CODEPOINTS else None
    for number, line in enumerate(ann_text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{ann} line {number}"
        ann_id, tab, rest = line.partition("\t")
        if not tab or not ann_id:
            raise AnnotatorError(f"{where}: expected an id, a tab and the annotation (e.g. T1<TAB>LABEL 0 4<TAB>text)")
        kind = ann_id[0]
        if kind == "T":
            if ann_id in parsed.spans:
                raise AnnotatorError(f"{where}: {ann_id} is defined twice")
            parsed.spans[ann_id] = text_bound(rest, where, raw, move, index, unit, doc, context)
        elif kind == "R":
            parts = rest.split()
            args = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
            if len(parts) != 3 or "Arg1" not in args or "Arg2" not in args:
                raise AnnotatorError(f"{where}: expected LABEL Arg1:T1 Arg2:T2")
            parsed.relations.append((where, parts[0], args["Arg1"], args["Arg2"]))
        elif kind == "#":
            head, _, note = rest.partition("\t")
            parts = head.split()
            if len(parts) == 2 and parts[0] == "AnnotatorNotes" and parts[1].startswith("T"):
                if parts[1] not in parsed.spans:
                    raise AnnotatorError(f"{where}: the note is for {parts[1]}, which is not (yet) defined")
                parsed.notes[parts[1]] = note
        elif kind not in IGNORED_KINDS:
            raise AnnotatorError(f"{where}: unknown annotation id {ann_id!r} (brat ids start with T, R, E, A, M, N, # or *)")
    return parsed


def text_bound(rest: str, where: str, raw: str, move, index, unit: str, doc: Document, context: ImportContext) -> Span:
    """A T line's span: fragments parsed, joined, converted to stored code points and checked."""
    type_offsets, tab, shown = rest.partition("\t")
    label, _, offsets = type_offsets.partition(" ")
    pieces = []
    for fragment in offsets.split(";"):
        match = FRAGMENT.match(fragment.strip())
        if not match:
            raise AnnotatorError(f"{where}: expected LABEL START END[;START END...], not {type_offsets!r}")
        try:
            pieces.append(convert_in(raw, int(match[1]), int(match[2]), unit, index))
        except ValueError as exc:
            raise AnnotatorError(f"{where}: {exc} (see --offsets)") from None
    pieces.sort()
    for (_, end), (start, _) in zip(pieces, pieces[1:]):
        if start < end or raw[end:start].strip():
            raise AnnotatorError(
                f"{where}: a discontinuous span ({offsets}) cannot be imported: spans here are one stretch of text"
            )
    start, end = pieces[0][0], pieces[-1][1]
    if start >= end or end > len(raw):
        raise AnnotatorError(f"{where}: offsets {offsets} are out of range or empty (the text has {len(raw)} characters)")
    if tab:
        expected = " ".join(raw[s:e] for s, e in pieces)
        if shown.split() != LINE_BREAKS.sub(" ", expected).split():
            raise AnnotatorError(f"{where}: the text {shown!r} is not what offsets {offsets} select ({expected!r})")
    try:
        span = Span(document_id=doc.id, start=move(start), end=move(end), label=label, annotator=context.annotator)
        span.check(doc.text, context.schema)
    except ValidationError as exc:
        raise AnnotatorError(f"{where}: {describe_validation_error(exc)}") from None
    except ValueError as exc:
        raise AnnotatorError(f"{where}: {exc}") from None
    return span
