"""brat standoff: ``NAME.txt`` with ``NAME.ann`` beside it, one document a pair.

Reads a folder (recursively, hidden files skipped), or one ``.ann`` or ``.txt``
file. Without ``--format``, a ``.txt`` with an ``.ann`` beside it is read as
brat (the summary says how many), and an ``.ann`` without its ``.txt`` is an
invalid record rather than a file left out unseen.

The lines of an ``.ann`` (brat's own grammar: ``server/src/annotation.py`` of
nlplab/brat, and its "standoff format" page), and what becomes of each:

* ``T1<TAB>TYPE START END[;START END...]<TAB>TEXT``: a span. Fragments separated
  only by whitespace (how brat writes a span across lines) are one span. A truly
  discontinuous span (``T1 Location 0 5;16 23``) follows ``--discontinuous``:
  ``refuse`` (default: the import stops, counting them and naming the option),
  ``outer`` (one span from the first fragment's start to the last one's end),
  ``split`` (one span a fragment; its relations go from or to the first
  fragment, its notes and attributes go to each) or ``skip`` (left out, with what
  hangs on it). Each is counted in the summary. ``TEXT`` is checked against the
  document (fragments joined by a space, line breaks shown as spaces);
* ``R1<TAB>TYPE Arg1:T1 Arg2:T2``: a relation, the first argument the head and the
  second the child (brat reads them in that order, whatever their role names);
* ``#1<TAB>TYPE ID<TAB>NOTE``: a note. On a span it joins the span's note (several
  notes one a line, in file order); a type other than ``AnnotatorNotes`` (e.g.
  ``Lemma``) is kept as ``TYPE: NOTE``;
* ``A1<TAB>NAME ID [VALUE]`` and the older ``M1<TAB>NAME ID``: an attribute. Spans
  have no attributes yet, so an attribute of a span is kept in its note as a line
  ``attribute NAME=VALUE`` (``attribute NAME`` for a binary one), after the
  notes; the brat export writes such lines back as ``A`` lines.

Nothing else has a place in the model, and none of it is dropped silently: events
(``E``), normalisations (``N``), equivalences (``*``), and notes or attributes of
relations and events are counted in the summary by kind (``-v`` lists them with
file and line). A line that is wrong (bad offsets, a text that does not match,
an unknown label) is an invalid record: the import stops, or with
``--skip-invalid`` that annotation (and what hangs on it) is left out and listed.

Type names: brat's allow only ``A-Z a-z 0-9 _ -``, so the brat export renames
other labels (see :func:`annotator.exporters.brat.type_names`) and writes the
renaming into ``annotation.conf`` as comments; import turns such names back into
the schema's, from the nearest ``annotation.conf`` (brat looks upward from the
document's folder too) or else from the schema itself.

Offsets count code points of the ``.txt`` as it is on disk (``--offsets utf16``
for files made by brat's web client); a BOM or CRLF line ends are removed from
the stored text and the offsets moved accordingly. brat has no annotator field:
the spans are ``--annotator``'s (our exports put each annotator in a folder of
that name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AnnotatorError
from ..exporters.brat import schema_type_names
from ..models import Document, LabelSchema, Relation, Span
from ..store import ImportRecord
from ..text.offsets import CODEPOINTS, Utf16, convert_in, normalize_with_map
from .jsonio import read_bytes
from .checks import checked_span
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "brat"
SUFFIXES = (".ann",)
#: Files of another format's ending that are brat's when paired: a .txt with an .ann beside it.
PAIRED_SUFFIXES = (".txt",)
READS_FOLDERS = True

#: What --discontinuous can choose.
DISCONTINUOUS = ("refuse", "outer", "split", "skip")

FRAGMENT = re.compile(r"^(\d+) (\d+)$")
LINE_BREAKS = re.compile(r"[\r\n]+")
#: A renaming written by the brat export into annotation.conf: ``# annotator-name STORED "original"``.
RENAMED = re.compile(r'^#\s*annotator-name\s+(\S+)\s+(".*")\s*$')

KINDS = {
    "T": "text-bound annotation (T)", "R": "relation (R)", "E": "event (E)", "A": "attribute (A)",
    "M": "attribute (M)", "N": "normalisation (N)", "*": "equivalence (*)", "#": "note (#)",
}
GUESSED = "documents read as brat (an .ann beside the .txt; --format text reads the text alone)"


def sniff(path: Path, head: bytes) -> bool:
    """An ``.ann``, or a ``.txt`` with an ``.ann`` beside it."""
    suffix = path.suffix.lower()
    return suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").is_file())


def guessed_note(path: Path) -> str | None:
    """What the summary says when a ``.txt`` was read as brat without ``--format brat``."""
    return GUESSED if path.suffix.lower() == ".txt" else None


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def unpaired(folder: Path) -> list[Path]:
    """``.ann`` files under ``folder`` with no ``.txt`` beside them (hidden ones left out)."""
    return sorted(
        p for p in folder.rglob("*.ann")
        if p.is_file() and _visible(p, folder) and not p.with_suffix(".txt").exists()
    )


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    texts, orphans = text_files(path)
    for ann in orphans:
        context.invalid(AnnotatorError(f"{ann} has no {ann.with_suffix('.txt').name} beside it: brat needs both"))
    names = TypeNames(context.schema)
    for txt in texts:
        try:
            record = read_pair(txt, txt.with_suffix(".ann"), context, names)
        except Discontinuous as first:
            raise AnnotatorError(refusal(first, texts, context)) from None
        except AnnotatorError as error:  # the document as a whole: unreadable, empty, too many spans
            context.invalid(error)
            continue
        yield record


def text_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The .txt files to read (those under a folder, sorted, or the one a file names) and the
    .ann files without a .txt."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.txt") if p.is_file() and _visible(p, path))
        orphans = unpaired(path)
        if not found and not orphans:
            raise AnnotatorError(f"no brat documents (.txt with .ann) in {path}")
        return found, orphans
    txt = path.with_suffix(".txt")
    if not txt.exists():
        return [], [path]
    return [txt], []


class Discontinuous(AnnotatorError):
    """A discontinuous span under ``--discontinuous refuse`` (the first one met)."""


def refusal(first: Discontinuous, texts: list[Path], context: ImportContext) -> str:
    """The one line refusing discontinuous spans: how many this import holds, the first, and the option."""
    count = 0
    for txt in texts:
        try:
            raw = decode(read_bytes(txt), str(txt))
            ann_text = decode(read_bytes(txt.with_suffix(".ann")), str(txt.with_suffix(".ann")))
        except (AnnotatorError, OSError):
            continue
        index = Utf16(raw) if (context.offsets or CODEPOINTS) != CODEPOINTS else None
        for line in ann_text.split("\n"):
            ann_id, _, rest = line.partition("\t")
            offsets = rest.partition("\t")[0].partition(" ")[2]
            if ann_id.startswith("T") and ";" in offsets:
                try:
                    count += len(fragments(offsets, raw, context.offsets or CODEPOINTS, index, "")) > 1
                except AnnotatorError:
                    continue
    count = max(count, 1)
    spans = "1 discontinuous span" if count == 1 else f"{count} discontinuous spans"
    return (
        f"{spans} ({first}): spans here are one stretch of text; pass --discontinuous outer (one span over the "
        "gaps), split (one span a fragment) or skip (leave them out)"
    )


class TypeNames:
    """brat type names back to the schema's: as written, renamed in an annotation.conf, or by the export's rule."""

    def __init__(self, schema: LabelSchema) -> None:
        self.exact = set(schema.label_names) | {rel.name for rel in schema.relations}
        self.derived = {stored: name for name, stored in schema_type_names(schema).items() if stored != name}
        self.conf: dict[Path, dict[str, str]] = {}

    def __call__(self, name: str, folder: Path) -> str:
        if name in self.exact:
            return name
        renamed = self.renamed_in(folder).get(name)
        if renamed is not None:
            return renamed
        return self.derived.get(name, name)

    def renamed_in(self, folder: Path) -> dict[str, str]:
        """The renamings of the nearest annotation.conf from ``folder`` upward (as brat finds its config)."""
        if folder not in self.conf:
            conf = folder / "annotation.conf"
            if conf.is_file():
                self.conf[folder] = read_renamings(conf)
            elif folder.parent != folder:
                self.conf[folder] = self.renamed_in(folder.parent)
            else:
                self.conf[folder] = {}
        return self.conf[folder]


def read_renamings(conf: Path) -> dict[str, str]:
    try:
        text = read_bytes(conf).decode("utf-8", errors="replace")
    except (AnnotatorError, OSError):
        return {}
    found = {}
    for line in text.splitlines():
        match = RENAMED.match(line)
        if match:
            try:
                original = json.loads(match[2])
            except ValueError:
                continue
            if isinstance(original, str):
                found[match[1]] = original
    return found


@dataclass
class Parsed:
    """What one .ann file holds, before the references between its lines are resolved."""

    spans: dict[str, list[Span]] = field(default_factory=dict)  # by T id: one span, or one a fragment (split)
    left_out: dict[str, str] = field(default_factory=dict)  # T id -> why (discontinuous, invalid)
    kinds: dict[str, str] = field(default_factory=dict)  # every id defined -> its kind letter
    relations: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # where, id, label, head, child
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # where, target id, text
    attributes: list[tuple[str, str, str, str]] = field(default_factory=list)  # where, kind, target id, line


def read_pair(txt: Path, ann: Path, context: ImportContext, names: TypeNames) -> ImportRecord:
    raw = decode(read_bytes(txt), str(txt))
    ann_text = decode(read_bytes(ann), str(ann)).removeprefix("\ufeff") if ann.exists() else ""
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{txt} is empty: there is nothing to annotate")
    check = getattr(context, "check_span_count", None)
    if check is not None:
        check(sum(1 for line in ann_text.split("\n") if line.startswith("T")), str(ann))
    doc = Document.from_text(txt.name, text, {"path": str(txt)})
    parsed = parse_ann(ann, ann_text, raw, move, doc, context, names)
    attach_notes(parsed, context)
    relations = resolve_relations(parsed, doc, context)
    spans = [span for group in parsed.spans.values() for span in group]
    return ImportRecord(doc, spans, relations)


def parse_ann(
    ann: Path, ann_text: str, raw: str, move, doc: Document, context: ImportContext, names: TypeNames,
) -> Parsed:
    parsed = Parsed()
    unit = context.offsets or CODEPOINTS
    index = Utf16(raw) if unit != CODEPOINTS else None
    for number, line in enumerate(ann_text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{ann} line {number}"
        try:
            parse_line(line, where, parsed, raw, move, index, unit, doc, context, names, ann.parent)
        except Discontinuous:
            raise
        except AnnotatorError as error:
            context.invalid(error)
    return parsed


def parse_line(
    line: str, where: str, parsed: Parsed, raw: str, move, index, unit: str, doc: Document,
    context: ImportContext, names: TypeNames, folder: Path,
) -> None:
    ann_id, tab, rest = line.partition("\t")
    if not tab or not ann_id:
        raise AnnotatorError(f"{where}: expected an id, a tab and the annotation (e.g. T1<TAB>LABEL 0 4<TAB>text)")
    kind = ann_id[0]
    if kind not in KINDS:
        raise AnnotatorError(f"{where}: unknown annotation id {ann_id!r} (brat ids start with T, R, E, A, M, N, # or *)")
    if kind != "*":
        if ann_id in parsed.kinds:
            raise AnnotatorError(f"{where}: {ann_id} is defined twice")
        parsed.kinds[ann_id] = kind
    data, _, tail = rest.partition("\t")
    if kind == "T":
        try:
            spans = text_bound(ann_id, data, tail, "\t" in rest, where, raw, move, index, unit, doc, context,
                               names, folder)
        except Discontinuous:
            raise
        except AnnotatorError:
            parsed.left_out[ann_id] = "invalid"
            raise
        if spans is None:
            parsed.left_out[ann_id] = "discontinuous"
        else:
            parsed.spans[ann_id] = spans
    elif kind == "R":
        parts = data.split()
        args = [part.split(":", 1) for part in parts[1:]]
        if len(parts) != 3 or any(len(arg) != 2 or not arg[1] for arg in args):
            raise AnnotatorError(f"{where}: expected TYPE Arg1:T1 Arg2:T2 (a relation has two arguments)")
        parsed.relations.append((where, ann_id, names(parts[0], folder), args[0][1], args[1][1]))
    elif kind == "#":
        parts = data.split()
        if len(parts) != 2:
            raise AnnotatorError(f"{where}: expected TYPE ID<TAB>NOTE (e.g. #1<TAB>AnnotatorNotes T1<TAB>a note)")
        note_type, target = parts
        parsed.notes.append((where, target, tail if note_type == "AnnotatorNotes" else f"{note_type}: {tail}"))
    elif kind in "AM":
        parts = data.split(" ", 2) if kind == "A" else data.split()
        if len(parts) < 2 or (kind == "M" and len(parts) != 2) or not all(parts):
            raise AnnotatorError(f"{where}: expected NAME ID [VALUE] (e.g. A1<TAB>Negation T1)")
        value = f"={parts[2]}" if len(parts) == 3 else ""
        parsed.attributes.append((where, kind, parts[1], f"attribute {parts[0]}{value}"))
    else:  # E, N, *: no place in the model
        context.skip(f"brat {KINDS[kind]}", where)


def fragments(offsets: str, raw: str, unit: str, index, where: str) -> list[tuple[int, int]]:
    """The fragments of a T line in code points of ``raw``, sorted, those separated only by whitespace joined."""
    pieces = []
    for fragment in offsets.split(";"):
        match = FRAGMENT.match(fragment.strip())
        if not match:
            raise AnnotatorError(f"{where}: expected LABEL START END[;START END...], not {offsets!r}")
        try:
            start, end = convert_in(raw, int(match[1]), int(match[2]), unit, index)
        except ValueError as exc:
            raise AnnotatorError(f"{where}: {exc} (see --offsets)") from None
        if start >= end or end > len(raw):
            raise AnnotatorError(
                f"{where}: offsets {offsets} are out of range or empty (the text has {len(raw)} characters)"
            )
        pieces.append((start, end))
    pieces.sort()
    joined = [pieces[0]]
    for start, end in pieces[1:]:
        last_start, last_end = joined[-1]
        if start < last_end:
            raise AnnotatorError(f"{where}: the fragments of {offsets} overlap")
        if not raw[last_end:start].strip():
            joined[-1] = (last_start, end)
        else:
            joined.append((start, end))
    return joined


def text_bound(
    ann_id: str, data: str, shown: str, has_text: bool, where: str, raw: str, move, index, unit: str,
    doc: Document, context: ImportContext, names: TypeNames, folder: Path,
) -> list[Span] | None:
    """A T line's spans (one, or one a fragment under --discontinuous split), or None when left out."""
    label, _, offsets = data.partition(" ")
    pieces = fragments(offsets, raw, unit, index, where)
    if has_text:
        all_pieces = fragments_unjoined(offsets, raw, unit, index)
        expected = " ".join(raw[s:e] for s, e in all_pieces)
        if shown.split() != LINE_BREAKS.sub(" ", expected).split():
            raise AnnotatorError(f"{where}: the text {shown!r} is not what offsets {offsets} select ({expected!r})")
    label = names(label, folder)
    if len(pieces) > 1:
        choice = getattr(context, "discontinuous", "refuse")
        if choice == "refuse":
            raise Discontinuous(f"the first: {where}: {ann_id} {label} {offsets}")
        if choice == "skip":
            context.skip("brat discontinuous span (T)", where)
            return None
        if choice == "outer":
            context.skip("brat discontinuous span (T) read over its gaps (--discontinuous outer)", where)
            pieces = [(pieces[0][0], pieces[-1][1])]
        else:
            context.skip("brat discontinuous span (T) split into its fragments (--discontinuous split)", where)
    spans = []
    for start, end in pieces:
        spans.append(checked_span(where, doc.text, context.schema, document_id=doc.id, start=move(start),
                                  end=move(end), label=label, annotator=context.annotator))
    return spans


def fragments_unjoined(offsets: str, raw: str, unit: str, index) -> list[tuple[int, int]]:
    """The fragments as written (already checked by :func:`fragments`), for the text check."""
    pieces = []
    for fragment in offsets.split(";"):
        match = FRAGMENT.match(fragment.strip())
        pieces.append(convert_in(raw, int(match[1]), int(match[2]), unit, index))  # type: ignore[index]
    return pieces


def target_problem(parsed: Parsed, target: str, where: str, what: str) -> str | None:
    """Why ``what`` on ``target`` is not kept (a skip reason), None when the target is a kept span.

    Raises AnnotatorError when ``target`` is defined nowhere in the file.
    """
    if target in parsed.spans:
        return None
    kind = parsed.kinds.get(target)
    if kind is None:
        raise AnnotatorError(f"{where}: {target} is not defined in this file")
    if kind == "T":
        return f"brat {what} of a left-out span"
    return f"brat {what} of {'an' if kind in 'AEM' else 'a'} {KINDS[kind]}"


def attach_notes(parsed: Parsed, context: ImportContext) -> None:
    """Notes, then attributes (one line each, in file order), into the notes of the spans they are for."""
    lines: dict[str, list[str]] = {}
    for where, target, note in parsed.notes:
        add_line(parsed, lines, where, target, note, "note (#)", context)
    for where, kind, target, line in parsed.attributes:
        add_line(parsed, lines, where, target, line, KINDS[kind], context)
    for target, found in lines.items():
        for span in parsed.spans[target]:
            span.note = "\n".join(found)


def add_line(parsed: Parsed, lines: dict[str, list[str]], where: str, target: str, line: str, what: str,
             context: ImportContext) -> None:
    try:
        problem = target_problem(parsed, target, where, what)
    except AnnotatorError as error:
        context.invalid(error)
        return
    if problem:
        context.skip(problem, where)
    else:
        lines.setdefault(target, []).append(line)


def resolve_relations(parsed: Parsed, doc: Document, context: ImportContext) -> list[Relation]:
    relations = []
    for where, _rel_id, label, arg1, arg2 in parsed.relations:
        try:
            problems = [target_problem(parsed, arg, where, "relation (R)") for arg in (arg1, arg2)]
            problem = next((p for p in problems if p), None)
            if problem:
                context.skip(problem.replace(" of ", " to ", 1), where)
                continue
            head, child = parsed.spans[arg1][0], parsed.spans[arg2][0]  # split: the first fragment
            if not context.schema.relation_allowed(label, head.label, child.label):
                raise AnnotatorError(
                    f"{where}: relation {label!r} is not allowed from {head.label} to {child.label} by the schema"
                )
        except AnnotatorError as error:
            context.invalid(error)
            continue
        relations.append(
            Relation(document_id=doc.id, head=head.id, child=child.id, label=label, annotator=context.annotator)
        )
    return relations
