"""doccano JSONL: sequence labelling (``"label"``) or, with ``--relations``, entities and relations.

One line per document and annotator::

    {"text": ..., "label": [[0, 4, "ENTITY"], ...], "annotator": "alice", "name": ..., "meta": {...}}
    {"text": ..., "entities": [{"id": 0, "start_offset": 0, "end_offset": 4, "label": "ENTITY"}],
     "relations": [{"id": 0, "from_id": 1, "to_id": 0, "type": "ATTRIBUTED_TO"}], "annotator": ..., ...}

Offsets are UTF-16 code units by default, as doccano's web client counts them
(``--offsets codepoints`` for doccano set to count code points). doccano keeps
unknown keys as the example's metadata. ``--out DIR/`` writes one
``<annotator>.jsonl`` per annotator, the layout of doccano's own exports, which
the importer reads back with the annotator taken from the file name.
Span notes are not part of the format (the summary counts them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SafeNames, SpanOffsets, sorted_relations

FORMAT = "doccano"
TARGET = "text"
UNITS = (UTF16, CODEPOINTS)


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    lost = Lost()
    for record in records:
        out.write(line(record, options, lost) + "\n")
        summary.count(record, relations=len(record.relations) if options.relations else 0)
    lost.report(summary)
    return summary


def write_folder(records: Iterable[ExportRecord], folder: Path, options: ExportOptions) -> ExportSummary:
    """One ``<annotator>.jsonl`` per annotator, as doccano exports (kept open while streaming)."""
    summary = ExportSummary(FORMAT)
    lost = Lost()
    names = SafeNames()
    files: dict[str, IO[str]] = {}
    try:
        for record in records:
            if record.annotator not in files:
                name = names.name(record.annotator, record.annotator.encode().hex(), fallback="unannotated")
                files[record.annotator] = open(folder / f"{name}.jsonl", "w", encoding="utf-8", newline="")
                summary.files += 1
            files[record.annotator].write(line(record, options, lost) + "\n")
            summary.count(record, relations=len(record.relations) if options.relations else 0)
    finally:
        for fh in files.values():
            fh.close()
    lost.report(summary)
    return summary


class Lost:
    """What doccano cannot hold, counted for the summary."""

    def __init__(self) -> None:
        self.notes = 0
        self.relations = 0

    def report(self, summary: ExportSummary) -> None:
        if self.relations:
            summary.notes.append(f"{self.relations} relations not written (pass --relations for the entities form)")
        if self.notes:
            summary.notes.append(f"{self.notes} span notes not written (doccano has no span notes)")


def line(record: ExportRecord, options: ExportOptions, lost: Lost) -> str:
    offsets = SpanOffsets(record, options.offsets or UNITS[0])
    doc = record.document
    obj: dict[str, Any] = {"text": doc.text}
    lost.notes += sum(1 for span in record.spans if span.note)
    if options.relations:
        index = {span.id: i for i, span in enumerate(record.spans)}
        obj["entities"] = [
            {"id": i, "start_offset": start, "end_offset": end, "label": span.label}
            for i, span in enumerate(record.spans)
            for start, end in [offsets(span)]
        ]
        obj["relations"] = [
            {"id": i, "from_id": index[rel.head], "to_id": index[rel.child], "type": rel.label}
            for i, rel in enumerate(sorted_relations(record))
        ]
    else:
        obj["label"] = [[*offsets(span), span.label] for span in record.spans]
        lost.relations += len(record.relations)
    obj.update({"annotator": record.annotator, "name": doc.name, "meta": doc.meta})
    return json.dumps(obj, ensure_ascii=False)
