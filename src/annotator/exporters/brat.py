"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann`` pairs, one subfolder per annotator.

Layout::

    OUT/annotation.conf        entity, relation and attribute types, overlaps allowed, renamed types
    OUT/visual.conf            the labels' display names and colours
    OUT/<annotator>/NAME.txt   the document text, unchanged (UTF-8)
    OUT/<annotator>/NAME.ann   T (spans), R (relations, Arg1 = head, Arg2 = child), # (notes), A (attributes)

Documents nobody annotated go in ``OUT/unannotated/``, the gold layer in
``OUT/gold/``. brat has no annotator field, so the folder carries it: import
one folder with ``--annotator NAME``. File and folder names are made safe (see
:func:`annotator.exporters.clean_name`): nothing can land outside ``--out``, and
two documents with the same name get a short id suffix instead of overwriting
each other.

Offsets are code points, as brat's server (Python) counts them; its web client
counts UTF-16 code units (brat issue 1115), so ``--offsets utf16`` is there too.

A T line's text cannot hold a line break, so a span across lines is written as
brat writes one: fragments split at the line breaks, texts joined by a space::

    T1	CLAIM 0 5;6 10	first second

The importer joins fragments separated only by whitespace back into one span.
Line breaks at a span's very edge stay inside its fragment and show as a space
in the text field.

Notes: a brat note is one line, so each line of a span's note is its own ``#``
line (``AnnotatorNotes``; import joins them again with line breaks). A note line
``attribute NAME`` or ``attribute NAME=VALUE`` (NAME and VALUE of
``A-Z a-z 0-9 _ -``, which is how the brat import keeps brat's attributes) is
written as an ``A`` line instead, and the attribute is declared in
annotation.conf. A carriage return inside a note becomes a space (counted). A gold
span (``--gold``) has the notes of the annotators it came from (``alice, bob: text``)
and, as its last note line, ``annotators: alice, bob`` (none for a reviewer's own span).

Type names: brat's hold only ``A-Z a-z 0-9 _ -`` (brat's
``normalize_to_storage_form``). A label or relation type with anything else
(``New York``, ``Société``, ``a/b``) is written with each such character
replaced by ``_`` (``New_York``), with ``-2``, ``-3``... added when that name is
taken; see :func:`type_names`. The renaming is written into annotation.conf as
comments (``# annotator-name New_York "New York"``), visual.conf shows the
original name, and the brat import turns the names back.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..models import LabelSchema
from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SafeNames, SpanOffsets, sorted_relations

FORMAT = "brat"
TARGET = "folder"
UNITS = (CODEPOINTS, UTF16)

CONF_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
LINE_BREAKS = re.compile(r"[\r\n]+")
#: A type name brat can store (``^[a-zA-Z0-9_-]*$`` in brat's projectconfig.py), and one character it cannot.
STORABLE = re.compile(r"[A-Za-z0-9_-]+")
NOT_STORABLE = re.compile(r"[^A-Za-z0-9_-]")
#: A note line that is a brat attribute: ``attribute Negation`` or ``attribute Confidence=High``.
ATTRIBUTE = re.compile(r"attribute ([A-Za-z0-9_-]+)(?:=([A-Za-z0-9_-]+))?")


def type_names(names: Iterable[str]) -> dict[str, str]:
    """Each name -> the name brat stores for it; distinct names stay distinct.

    A name brat can store is kept. Any other has each character outside
    ``A-Z a-z 0-9 _ -`` replaced by ``_`` (as brat's own
    ``normalize_to_storage_form`` does), and ``-2``, ``-3``... added when that is
    already a name: ``["New York", "New_York"]`` -> ``New_York-2`` and ``New_York``.
    The result depends only on the names and their order, so the importer
    rebuilds it from the same schema.
    """
    names = list(dict.fromkeys(names))
    mapping = {name: name for name in names if STORABLE.fullmatch(name)}
    taken = set(mapping)
    for name in names:
        if name in mapping:
            continue
        base = NOT_STORABLE.sub("_", name) or "_"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        mapping[name] = candidate
        taken.add(candidate)
    return mapping


def schema_type_names(schema: LabelSchema) -> dict[str, str]:
    """:func:`type_names` of a schema's labels, then its relation types."""
    return type_names([*schema.label_names, *(rel.name for rel in schema.relations)])


def write(records: Iterable[ExportRecord], folder: Path, options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    names = schema_type_names(options.schema)
    folder_names = SafeNames(reserved=CONF_FILES)
    file_names = SafeNames()
    subfolders: dict[str, Path] = {}
    last_document, base = None, ""
    notes_changed = 0
    attributes: dict[str, set[str]] = {}
    unit = options.offsets or UNITS[0]
    with _FileWriter() as files:
        for record in records:
            doc = record.document
            if doc.id != last_document:
                base = file_names.name(doc.name.removesuffix(".txt"), doc.id)
                last_document = doc.id
            if record.annotator not in subfolders:
                name = folder_names.name(record.annotator, record.annotator.encode().hex(), fallback="unannotated")
                subfolders[record.annotator] = folder / name
                subfolders[record.annotator].mkdir()
            target = str(subfolders[record.annotator])
            ann, changed = ann_text(record, unit, names, attributes)
            files.write(f"{target}{os.sep}{base}.txt", doc.text.encode("utf-8"))
            files.write(f"{target}{os.sep}{base}.ann", ann.encode("utf-8"))
            notes_changed += changed
            summary.count(record)
            summary.files += 2
    # The configuration last: it declares the attributes the notes held.
    (folder / "annotation.conf").write_text(annotation_conf(options.schema, attributes), encoding="utf-8")
    (folder / "visual.conf").write_text(visual_conf(options.schema), encoding="utf-8")
    if notes_changed:
        summary.notes.append(f"{notes_changed} notes had carriage returns replaced by spaces (brat notes are lines)")
    return summary


class _FileWriter:
    """Creates the files on a second thread while the next ones are formatted: creating a file is
    kernel work (most of a brat export's time on a slow disk) that runs without holding the GIL, so
    both go on at once. Files go over in bunches of :data:`BUNCH`, at most :data:`WAITING` bunches
    wait (memory stays bounded); the first error is raised to the caller (at its next write or at
    the end), and after one, or when the caller stops on its own error, nothing more is written."""

    BUNCH = 32
    WAITING = 8

    def __init__(self) -> None:
        import queue
        import threading

        self._bunch: list[tuple[str, bytes]] = []
        self._queue: queue.Queue[list[tuple[str, bytes]] | None] = queue.Queue(self.WAITING)
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="brat-files", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (bunch := self._queue.get()) is not None:
            for path, data in bunch:
                if self._stop or self._error is not None:
                    break
                try:
                    _write_new(path, data)
                except BaseException as exc:  # raised to the caller
                    self._error = exc

    def write(self, path: str, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._bunch.append((path, data))
        if len(self._bunch) >= self.BUNCH:
            self._queue.put(self._bunch)
            self._bunch = []

    def __enter__(self) -> _FileWriter:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if error is None and self._bunch:
            self._queue.put(self._bunch)
        self._stop = error is not None  # the caller failed: the export is abandoned, write no more
        self._queue.put(None)
        self._thread.join()
        if error is None and self._error is not None:
            raise self._error


def _write_new(path: str, data: bytes) -> None:
    """``Path(path).write_bytes(data)`` without a file object: two small files a document, so the
    Python-side cost of each counts (the file gets the umask's mode, as ``open`` gives)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``start``-``end`` split at the line breaks inside it (not at its edges)."""
    pieces = []
    begin = start
    for match in LINE_BREAKS.finditer(text, start, end):
        if match.start() == start or match.end() == end:
            continue
        pieces.append((begin, match.start()))
        begin = match.end()
    pieces.append((begin, end))
    return pieces


def text_field(text: str, pieces: list[tuple[int, int]]) -> str:
    """The text column of a T line: the fragments' texts joined by a space, on one line."""
    return LINE_BREAKS.sub(lambda m: " " * len(m.group()), " ".join(text[s:e] for s, e in pieces))


def ann_text(
    record: ExportRecord, unit: str, names: dict[str, str] | None = None, attributes: dict[str, set[str]] | None = None,
) -> tuple[str, int]:
    """The .ann file of a record, and how many notes had carriage returns replaced.

    ``names`` maps labels and relation types to brat type names (see
    :func:`type_names`; unmapped names are written as they are); ``attributes``
    collects the attribute names written (with their values) for annotation.conf.
    """
    names = names or {}
    attributes = attributes if attributes is not None else {}
    text = record.document.text
    offsets = SpanOffsets(record, unit)
    lines: list[str] = []
    ids: dict[str, str] = {}
    for number, span in enumerate(record.spans, start=1):
        ids[span.id] = f"T{number}"
        if LINE_BREAKS.search(text, span.start, span.end) is None:  # one line: one fragment, its own text
            start, end = offsets(span)
            written, field = f"{start} {end}", text[span.start : span.end]
        else:
            pieces = fragments(text, span.start, span.end)
            written = ";".join("%d %d" % offsets.fragment(span, s, e) for s, e in pieces)
            field = text_field(text, pieces)
        lines.append(f"T{number}\t{names.get(span.label, span.label)} {written}\t{field}")
    for number, rel in enumerate(sorted_relations(record), start=1):
        lines.append(f"R{number}\t{names.get(rel.label, rel.label)} Arg1:{ids[rel.head]} Arg2:{ids[rel.child]}")
    changed = 0
    notes: list[str] = []
    attribute_lines: list[str] = []
    for span in record.spans:
        note = span.note
        if record.sources is not None and record.annotators_of(span):  # gold: who it came from, a note line too
            note += ("\n" if note else "") + "annotators: " + ", ".join(record.annotators_of(span))
        if not note:
            continue
        changed += "\r" in note
        for line in note.replace("\r", " ").split("\n"):
            match = ATTRIBUTE.fullmatch(line)
            if match:
                name, value = match[1], match[2]
                values = attributes.setdefault(name, set())
                if value:
                    values.add(value)
                attribute_lines.append(f"{name} {ids[span.id]}{' ' + value if value else ''}")
            else:
                notes.append(f"AnnotatorNotes {ids[span.id]}\t{line}")
    lines += [f"#{number}\t{note}" for number, note in enumerate(notes, start=1)]
    lines += [f"A{number}\t{attribute}" for number, attribute in enumerate(attribute_lines, start=1)]
    return "".join(line + "\n" for line in lines), changed


def annotation_conf(schema: LabelSchema, attributes: dict[str, set[str]] | None = None) -> str:
    """brat's type declarations: every label, every relation type, any overlap allowed, the attributes
    written, and (as comments) the names changed to fit brat."""
    names = schema_type_names(schema)
    lines = ["# Generated by annotator from the project's label schema."]
    renamed = [(stored, name) for name, stored in names.items() if stored != name]
    if renamed:
        lines.append("# brat type names hold only A-Z a-z 0-9 _ -; annotator's import turns these back:")
        lines += [f"# annotator-name {stored} {json.dumps(name, ensure_ascii=False)}" for stored, name in renamed]
    lines.append("[entities]")
    lines += [names[label.name] for label in schema.labels]
    lines += ["", "[relations]"]
    for rel in schema.relations:
        heads = "|".join(names[h] for h in rel.heads) or "<ENTITY>"
        children = "|".join(names[c] for c in rel.children) or "<ENTITY>"
        lines.append(f"{names[rel.name]}\tArg1:{heads}, Arg2:{children}")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]", "", "[attributes]"]
    for name, values in sorted((attributes or {}).items()):
        lines.append(f"{name}\tArg:<ENTITY>" + (f", Value:{'|'.join(sorted(values))}" if values else ""))
    lines.append("")
    return "\n".join(lines)


#: Colours brat's visual.conf can hold: a value there ends at a comma (rgb(1, 2, 3) would be cut up).
BRAT_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|[A-Za-z]+")


def visual_conf(schema: LabelSchema) -> str:
    """brat's display names and colours; a label whose colour brat cannot read gets brat's default colour.

    Schema colours are validated at load (no newline can start a section here);
    this keeps only the forms brat parses: #rgb, #rrggbb and CSS colour names.
    The display name is the label's own name (``|`` shown as ``/``: it separates names there).
    """
    names = schema_type_names(schema)
    shown = {name: name.replace("|", "/") for name in names}
    lines = ["# Generated by annotator from the project's label schema.", "[labels]"]
    lines += [f"{names[label.name]} | {shown[label.name]}" for label in schema.labels]
    lines += [f"{names[rel.name]} | {shown[rel.name]}" for rel in schema.relations]
    lines += ["", "[drawing]"]
    lines += [f"{names[label.name]}\tbgColor:{label.colour}" for label in schema.labels
              if BRAT_COLOUR.fullmatch(label.colour)]
    return "\n".join(lines) + "\n"
