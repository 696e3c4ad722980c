"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann`` pairs, one subfolder per annotator.

Layout::

    OUT/annotation.conf        entity and relation types from the schema, overlaps allowed
    OUT/visual.conf            the labels' colours
    OUT/<annotator>/NAME.txt   the document text, unchanged (UTF-8)
    OUT/<annotator>/NAME.ann   T (spans), R (relations, Arg1 = head, Arg2 = child), # (notes)

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
in the text field. A note's line breaks become spaces (the summary counts them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..models import LabelSchema, Span
from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SafeNames, SpanOffsets, sorted_relations

FORMAT = "brat"
TARGET = "folder"
UNITS = (CODEPOINTS, UTF16)

CONF_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
LINE_BREAKS = re.compile(r"[\r\n]+")


def write(records: Iterable[ExportRecord], folder: Path, options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    (folder / "annotation.conf").write_text(annotation_conf(options.schema), encoding="utf-8")
    (folder / "visual.conf").write_text(visual_conf(options.schema), encoding="utf-8")
    folder_names = SafeNames(reserved=CONF_FILES)
    file_names = SafeNames()
    subfolders: dict[str, Path] = {}
    last_document, base = None, ""
    notes_changed = 0
    unit = options.offsets or UNITS[0]
    for record in records:
        doc = record.document
        if doc.id != last_document:
            base = file_names.name(doc.name.removesuffix(".txt"), doc.id)
            last_document = doc.id
        if record.annotator not in subfolders:
            name = folder_names.name(record.annotator, record.annotator.encode().hex(), fallback="unannotated")
            subfolders[record.annotator] = folder / name
            subfolders[record.annotator].mkdir()
        target = subfolders[record.annotator]
        ann, changed = ann_text(record, unit)
        (target / f"{base}.txt").write_bytes(doc.text.encode("utf-8"))
        (target / f"{base}.ann").write_bytes(ann.encode("utf-8"))
        notes_changed += changed
        summary.count(record)
        summary.files += 2
    if notes_changed:
        summary.notes.append(f"{notes_changed} notes had line breaks replaced by spaces (brat notes are one line)")
    return summary


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


def ann_text(record: ExportRecord, unit: str) -> tuple[str, int]:
    """The .ann file of a record, and how many notes had line breaks flattened."""
    text = record.document.text
    offsets = SpanOffsets(record, unit)
    lines: list[str] = []
    ids: dict[str, str] = {}
    for number, span in enumerate(record.spans, start=1):
        pieces = fragments(text, span.start, span.end)
        written = ";".join("%d %d" % offsets.fragment(span, s, e) for s, e in pieces)
        ids[span.id] = f"T{number}"
        lines.append(f"T{number}\t{span.label} {written}\t{text_field(text, pieces)}")
    for number, rel in enumerate(sorted_relations(record), start=1):
        lines.append(f"R{number}\t{rel.label} Arg1:{ids[rel.head]} Arg2:{ids[rel.child]}")
    changed = 0
    noted: list[Span] = [span for span in record.spans if span.note]
    for number, span in enumerate(noted, start=1):
        note = LINE_BREAKS.sub(" ", span.note)
        changed += note != span.note
        lines.append(f"#{number}\tAnnotatorNotes {ids[span.id]}\t{note}")
    return "".join(line + "\n" for line in lines), changed


def annotation_conf(schema: LabelSchema) -> str:
    """brat's type declarations: every label, every relation type, and any overlap allowed."""
    lines = ["# Generated by annotator from the project's label schema.", "[entities]"]
    lines += [label.name for label in schema.labels]
    lines += ["", "[relations]"]
    for rel in schema.relations:
        heads = "|".join(rel.heads) or "<ENTITY>"
        children = "|".join(rel.children) or "<ENTITY>"
        lines.append(f"{rel.name}\tArg1:{heads}, Arg2:{children}")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]", "", "[attributes]", ""]
    return "\n".join(lines)


#: Colours brat's visual.conf can hold: a value there ends at a comma (rgb(1, 2, 3) would be cut up).
BRAT_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|[A-Za-z]+")


def visual_conf(schema: LabelSchema) -> str:
    """brat's display names and colours; a label whose colour brat cannot read gets brat's default colour.

    Schema colours are validated at load (no newline can start a section here);
    this keeps only the forms brat parses: #rgb, #rrggbb and CSS colour names.
    """
    lines = ["# Generated by annotator from the project's label schema.", "[labels]"]
    lines += [f"{label.name} | {label.name}" for label in schema.labels]
    lines += [f"{rel.name} | {rel.name}" for rel in schema.relations]
    lines += ["", "[drawing]"]
    lines += [f"{label.name}\tbgColor:{label.colour}" for label in schema.labels if BRAT_COLOUR.fullmatch(label.colour)]
    return "\n".join(lines) + "\n"
