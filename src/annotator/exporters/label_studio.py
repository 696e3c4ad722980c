"""Label Studio JSON: a list of tasks, one per document, with one annotation per annotator.

::

    [{"id": 1, "data": {"text": ..., "name": ...}, "meta": {...},
      "annotations": [{"id": 1, "completed_by": "alice", "was_cancelled": false, "ground_truth": false, "result": [
          {"id": "<span id>", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": 0, "end": 4, "text": "Sony", "labels": ["ENTITY"]}},
          {"from_id": "<head id>", "to_id": "<child id>", "type": "relation", "direction": "right",
           "labels": ["ATTRIBUTED_TO"]}]}],
      "predictions": [{"id": 2, "model_version": "ner-v2", "result": [...]}]}]

Offsets are Unicode code points by default, as current Label Studio counts them
(its editor converts the browser's UTF-16 lengths to code points:
web/libs/editor/src/utils/selection-tools.js); ``--offsets utf16`` writes
UTF-16 code units for Label Studio versions before late 2021. Tasks and
annotations carry ``id`` numbers (1, 2, ... in the order written), which Label
Studio's converter needs (``KeyError: 'id'`` without them). Span notes go where
Label Studio keeps a region's notes, ``"meta": {"text": [note]}``. A gold span
(``--gold``) also has ``"annotators": [...]`` in its meta, the annotators it came
from: Label Studio's editor keeps a region's meta keys as they are and edits only
``text`` (web/libs/editor/src/mixins/Normalization.ts, ``setMetaText``/``setMetaValue``).
``completed_by`` holds the annotator's name (Label Studio's own exports hold a
user number; on import Label Studio gives unknown users' annotations to the
importing user). An annotator named ``prediction:<model_version>`` (or
``prediction``), which is how predictions are imported, is written back as a
prediction, never as a person's annotation.

The list is streamed: ``[``, tasks separated by commas, ``]``. The labeling
config that matches (``<Labels name="label" toName="text">`` ...) is written
beside the output as ``NAME.config.xml``, or to ``--config PATH``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import count, groupby
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from ..models import LabelSchema
from ..text.offsets import CODEPOINTS, UTF16
from . import ExportOptions, ExportRecord, ExportSummary, SpanOffsets, atomic_file, sorted_relations

FORMAT = "label-studio"
TARGET = "text"
UNITS = (CODEPOINTS, UTF16)

FROM_NAME = "label"
TO_NAME = "text"


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    unit = options.offsets or UNITS[0]
    out.write("[")
    separator = "\n"
    ids = count(1)
    for number, (_, group) in enumerate(groupby(records, key=lambda r: r.document.id), start=1):
        group = list(group)
        out.write(separator + json.dumps(task(group, unit, number, ids), ensure_ascii=False))
        separator = ",\n"
        for record in group:
            summary.count(record)
    out.write("\n]\n")
    write_config(options, summary)
    return summary


def task(records: list[ExportRecord], unit: str, number: int = 1, ids: Iterator[int] | None = None) -> dict[str, Any]:
    """One task (``id`` ``number``): a document and every selected annotator's annotation of it.

    ``ids`` numbers the annotations and predictions across the whole file.
    """
    ids = ids if ids is not None else count(1)
    doc = records[0].document
    annotations, predictions = [], []
    for record in records:
        if not record.annotator:
            continue
        model = model_version(record.annotator)
        if model is None:
            annotations.append({"id": next(ids), **annotation(record, unit)})
        else:
            item: dict[str, Any] = {"id": next(ids)}
            if model:
                item["model_version"] = model
            item["result"] = result(record, unit)
            predictions.append(item)
    return {"id": number, "data": {"text": doc.text, "name": doc.name}, "meta": doc.meta,
            "annotations": annotations, "predictions": predictions}


def model_version(annotator: str) -> str | None:
    """The model version of a prediction's annotator (``prediction:<version>``; ``""`` for ``prediction``), else None."""
    if annotator == "prediction":
        return ""
    if annotator.startswith("prediction:") and annotator != "prediction:":
        return annotator.removeprefix("prediction:")
    return None


def annotation(record: ExportRecord, unit: str) -> dict[str, Any]:
    return {
        "completed_by": record.annotator, "was_cancelled": False, "ground_truth": record.annotator == "gold",
        "result": result(record, unit),
    }


def result(record: ExportRecord, unit: str) -> list[dict[str, Any]]:
    offsets = SpanOffsets(record, unit)
    result: list[dict[str, Any]] = []
    for span in record.spans:
        start, end = offsets(span)
        region: dict[str, Any] = {
            "id": span.id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "value": {"start": start, "end": end, "text": record.document.text[span.start : span.end],
                      "labels": [span.label]},
        }
        meta: dict[str, Any] = {"text": [span.note]} if span.note else {}
        if record.sources is not None:  # gold: the annotators it came from, beside the note
            meta["annotators"] = list(record.annotators_of(span))
        if meta:
            region["meta"] = meta
        result.append(region)
    for rel in sorted_relations(record):
        result.append(
            {"from_id": rel.head, "to_id": rel.child, "type": "relation", "direction": "right", "labels": [rel.label]}
        )
    return result


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
