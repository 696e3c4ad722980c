"""The native JSONL: one JSON object a line, a superset of Prodigy's and spaCy's span format.

One line per document and annotator::

    {"text": ..., "meta": {...}, "name": ..., "tokens": [...], "spans": [...], "relations": [...],
     "answer": "accept", "_input_hash": ..., "_task_hash": ..., "_annotator_id": "alice"}

* ``tokens``: ``text``, ``start``, ``end``, ``id``, ``ws`` (followed by whitespace), from
  :func:`annotator.text.tokenize`;
* ``spans``: ``start``, ``end`` (code points, end exclusive), ``label``, ``text``,
  ``token_start`` and ``token_end`` (inclusive), ``id``, ``annotator``, ``note``. A span that
  does not fall on token boundaries gets the tokens it *overlaps*; a span of whitespace only
  overlaps no token and has ``null`` there;
* ``relations``: ``head`` and ``child`` (span ids), ``head_span`` and ``child_span`` (the
  spans' ``start``, ``end``, ``token_start``, ``token_end``, ``label``) and ``label``;
* ``_input_hash`` (the text) and ``_task_hash`` (text and annotations) are stable signed
  32-bit integers as Prodigy uses; ``_annotator_id`` is ``""`` for a document nobody annotated.

Every key has one JSON type on every line (``note`` is always a string, ``meta`` always an
object), so ``datasets.load_dataset("json", ...)`` reads the file. The importer reads it back
byte for byte: export, import into a new database and export again gives the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import IO, Any

from ..text.offsets import CODEPOINTS
from ..text.tokens import Tokenized
from . import ExportOptions, ExportRecord, ExportSummary, SpanOffsets, sorted_relations

FORMAT = "jsonl"
TARGET = "text"
UNITS = (CODEPOINTS,)


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    for record in records:
        out.write(json.dumps(task(record), ensure_ascii=False) + "\n")
        summary.count(record)
    return summary


def task(record: ExportRecord) -> dict[str, Any]:
    """The JSON object of one record."""
    doc = record.document
    tokenized = Tokenized(doc.text)
    offsets = SpanOffsets(record, CODEPOINTS)
    spans = []
    for span in record.spans:
        start, end = offsets(span)
        token_range = tokenized.overlapping(start, end)
        spans.append(
            {
                "start": start, "end": end, "label": span.label, "text": doc.text[start:end],
                "token_start": token_range[0] if token_range else None,
                "token_end": token_range[1] if token_range else None,
                "id": span.id, "annotator": span.annotator, "note": span.note,
            }
        )
    by_id = {s["id"]: s for s in spans}
    relations = [
        {
            "head": rel.head, "child": rel.child,
            "head_span": _span_ref(by_id[rel.head]), "child_span": _span_ref(by_id[rel.child]),
            "label": rel.label,
        }
        for rel in sorted_relations(record)
    ]
    tokens = [
        {"text": t.text, "start": t.start, "end": t.end, "id": i, "ws": t.ws} for i, t in enumerate(tokenized.tokens)
    ]
    return {
        "text": doc.text, "meta": doc.meta, "name": doc.name, "tokens": tokens, "spans": spans,
        "relations": relations, "answer": "accept",
        "_input_hash": stable_hash(doc.text),
        "_task_hash": stable_hash(doc.text, [[s["start"], s["end"], s["label"]] for s in spans],
                                  [[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in relations]),
        "_annotator_id": record.annotator,
    }


def _span_ref(span: dict[str, Any]) -> dict[str, Any]:
    return {k: span[k] for k in ("start", "end", "token_start", "token_end", "label")}


def stable_hash(*parts: Any) -> int:
    """A signed 32-bit hash of JSON-able parts, the same on every machine and run (unlike ``hash``)."""
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "big", signed=True)
