"""CSV for spreadsheets: one row per span.

Columns: ``document``, ``document_id``, ``annotator``, ``label``, ``start``, ``end``
(code points by default, ``--offsets utf16`` for JavaScript tools), ``text``, ``note``;
with ``--gold``, ``annotator`` is the reviewer, ``note`` the notes of the annotators the
span came from, and a last column ``annotators`` names them (``alice, bob``).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection), and annotated text, notes and document
names come from outside: such cells get a leading single quote, which spreadsheets
show as text. The quote is part of the cell for every other reader, so the CSV is for
people; the JSONL is for programs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SpanOffsets

FORMAT = "csv"
TARGET = "text"
UNITS = (CODEPOINTS, UTF16)

COLUMNS = ("document", "document_id", "annotator", "label", "start", "end", "text", "note")
#: With ``--gold``: the annotators each gold span came from, after its note.
GOLD_COLUMNS = (*COLUMNS, "annotators")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    writer = csv.writer(out)
    writer.writerow(GOLD_COLUMNS if options.gold else COLUMNS)
    unit = options.offsets or UNITS[0]
    relations = 0
    neutralised = 0
    for record in records:
        offsets = SpanOffsets(record, unit)
        doc = record.document
        for span in record.spans:
            start, end = offsets(span)
            cells = [doc.name, span.annotator, span.label, doc.text[span.start : span.end], span.note]
            if options.gold:
                cells.append(", ".join(record.annotators_of(span)))
            safe = [safe_cell(cell) for cell in cells]
            neutralised += sum(1 for cell in cells if cell.startswith(FORMULA_STARTS))
            writer.writerow([safe[0], doc.id, *safe[1:3], start, end, *safe[3:]])
        summary.count(record, relations=0)
        relations += len(record.relations)
    if neutralised:
        summary.notes.append(f"{neutralised} cells neutralised against spreadsheet formulas (a leading ' added: "
                             "they began with = + - @, a tab or a carriage return)")
    if relations:
        summary.notes.append(f"{relations} relations not written (csv holds spans only; use jsonl)")
    return summary


def safe_cell(value: str) -> str:
    """``value``, with a leading quote when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
