"""Label Studio JSON: a list of tasks, one per document, with one annotation per annotator.

::

    [{"data": {"text": ..., "name": ...}, "meta": {...},
      "annotations": [{"completed_by": "alice", "was_cancelled": false, "ground_truth": false, "result": [
          {"id": "<span id>", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": 0, "end": 4, "text": "Sony", "labels": ["ENTITY"]}},
          {"from_id": "<head id>", "to_id": "<child id>", "type": "relation", "direction": "right",
           "labels": ["ATTRIBUTED_TO"]}]}]}]

Offsets are UTF-16 code units by default: Label Studio's web client measures
text in JavaScript strings, so a span after an emoji is one unit further per
astral character (``--offsets codepoints`` to change). Span notes go where Label
Studio keeps a region's notes, ``"meta": {"text": [note]}``. ``completed_by`` holds
the annotator's name (Label Studio's own exports hold a user number; on import
Label Studio gives unknown users' annotations to the importing user).

The list is streamed: ``[``, tasks separated by commas, ``]``. The labeling
config that matches (``<Labels name="label" toName="text">`` ...) is written
beside the output as ``NAME.config.xml``, or to ``--config PATH``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from ..models import LabelSchema
from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SpanOffsets, atomic_file, sorted_relations

FORMAT = "label-studio"
TARGET = "text"
UNITS = (UTF16, CODEPOINTS)

FROM_NAME = "label"
TO_NAME = "text"


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    unit = options.offsets or UNITS[0]
    out.write("[")
    separator = "\n"
    for _, group in groupby(records, key=lambda r: r.document.id):
        group = list(group)
        out.write(separator + json.dumps(task(group, unit), ensure_ascii=False))
        separator = ",\n"
        for record in group:
            summary.count(record)
    out.write("\n]\n")
    write_config(options, summary)
    return summary


def task(records: list[ExportRecord], unit: str) -> dict[str, Any]:
    """One task: a document and every selected annotator's annotation of it."""
    doc = records[0].document
    return {
        "data": {"text": doc.text, "name": doc.name},
        "meta": doc.meta,
        "annotations": [annotation(record, unit) for record in records if record.annotator],
    }


def annotation(record: ExportRecord, unit: str) -> dict[str, Any]:
    offsets = SpanOffsets(record, unit)
    result: list[dict[str, Any]] = []
    for span in record.spans:
        start, end = offsets(span)
        region: dict[str, Any] = {
            "id": span.id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "value": {"start": start, "end": end, "text": record.document.text[span.start : span.end],
                      "labels": [span.label]},
        }
        if span.note:
            region["meta"] = {"text": [span.note]}
        result.append(region)
    for rel in sorted_relations(record):
        result.append(
            {"from_id": rel.head, "to_id": rel.child, "type": "relation", "direction": "right", "labels": [rel.label]}
        )
    return {
        "completed_by": record.annotator, "was_cancelled": False, "ground_truth": record.annotator == "gold",
        "result": result,
    }


def labeling_config(schema: LabelSchema) -> str:
    """The Label Studio labeling config (XML) for the project's labels and relation types."""
    lines = ["<View>", f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">']
    for label in schema.labels:
        lines.append(f"    <Label value={quoteattr(label.name)} background={quoteattr(label.colour)}/>")
    lines += ["  </Labels>", f'  <Text name="{TO_NAME}" value="$text"/>']
    if schema.relations:
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(rel.name)}/>" for rel in schema.relations]
        lines.append("  </Relations>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def config_path(options: ExportOptions) -> Path | None:
    if options.config is not None:
        return options.config
    if options.out is None:
        return None
    return options.out.with_name(options.out.stem + ".config.xml")


def write_config(options: ExportOptions, summary: ExportSummary) -> None:
    path = config_path(options)
    if path is None:
        summary.notes.append("labeling config not written (pass --config FILE.xml to write it)")
        return
    with atomic_file(path) as fh:
        fh.write(labeling_config(options.schema))
    summary.notes.append(f"labeling config in {path}")
