"""The native JSONL: one JSON object a line, in Prodigy's format (a superset of it).

One line per document and annotator::

    {"text": ..., "meta": {...}, "name": ..., "tokens": [...], "spans": [...], "relations": [...],
     "answer": "accept", "_input_hash": ..., "_task_hash": ..., "_annotator_id": "alice"}

* ``tokens``: ``text``, ``start``, ``end``, ``id``, ``ws`` as spaCy (and so Prodigy) writes
  them: the tokens of :func:`annotator.text.tokenize`, and whitespace as spaCy keeps it
  (one space after a token is its ``ws``; any other run of whitespace is a token of its
  own), so ``Doc(vocab, words, spaces)`` rebuilds the text exactly and ``doc.char_span``
  finds every span at its offsets;
* ``spans``: ``start``, ``end`` (code points, end exclusive), ``label``, ``text``,
  ``token_start`` and ``token_end`` (inclusive), ``id``, ``annotator``, ``note``. A span that
  does not fall on token boundaries gets the tokens it *overlaps*; a span inside the one
  space of a ``ws`` overlaps no token and has ``null`` there;
* ``relations``: ``head`` and ``child`` are token indices, the ``token_end`` of each span, as
  Prodigy's rel.manual writes them and explosion's relation scripts read them; ``head_span``
  and ``child_span`` (the spans' ``start``, ``end``, ``token_start``, ``token_end``, ``label``)
  name the spans exactly, and the importer finds them by those;
* ``answer``: ``ignore`` for a document the annotator skipped, ``reject`` for one rejected
  (statuses a Prodigy import with ``--answers`` keeps), ``accept`` for every other record;
* ``_input_hash`` (the text) and ``_task_hash`` (text and annotations) are stable signed
  32-bit integers, as Prodigy's are, but not Prodigy's own values: Prodigy computes them with
  code that is not public (its murmurhash of the task could not be reproduced from its
  published examples), so they are consistent within our exports only: Prodigy's
  ``set_hashes`` recomputes them. ``_annotator_id`` is ``""`` for a document nobody annotated.

Every key has one JSON type on every line (``note`` is always a string, ``meta`` always an
object), so ``datasets.load_dataset("json", ...)`` reads the file. The importer reads it back
byte for byte: export, import into a new database and export again gives the same file.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import IO, Any

from ..models import Status
from ..text.offsets import CODEPOINTS
from ..text.tokens import tokenize
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


#: The Prodigy answer a record's status stands for (any other status, or none: accept).
STATUS_ANSWER = {Status.skipped: "ignore", Status.rejected: "reject"}


def task(record: ExportRecord) -> dict[str, Any]:
    """The JSON object of one record."""
    doc = record.document
    tokens = prodigy_tokens(doc.text)
    starts = [t["start"] for t in tokens]
    ends = [t["end"] for t in tokens]
    offsets = SpanOffsets(record, CODEPOINTS)
    spans = []
    for span in record.spans:
        start, end = offsets(span)
        first, last = bisect_right(ends, start), bisect_left(starts, end) - 1  # the tokens it overlaps
        spans.append(
            {
                "start": start, "end": end, "label": span.label, "text": doc.text[start:end],
                "token_start": first if first <= last else None,
                "token_end": last if first <= last else None,
                "id": span.id, "annotator": span.annotator, "note": span.note,
            }
        )
    by_id = {s["id"]: s for s in spans}
    relations = [
        {
            "head": by_id[rel.head]["token_end"], "child": by_id[rel.child]["token_end"],
            "head_span": _span_ref(by_id[rel.head]), "child_span": _span_ref(by_id[rel.child]),
            "label": rel.label,
        }
        for rel in sorted_relations(record)
    ]
    return {
        "text": doc.text, "meta": doc.meta, "name": doc.name, "tokens": tokens, "spans": spans,
        "relations": relations, "answer": STATUS_ANSWER.get(record.status, "accept"),
        "_input_hash": stable_hash(doc.text),
        "_task_hash": stable_hash(doc.text, [[s["start"], s["end"], s["label"]] for s in spans],
                                  [[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in relations]),
        "_annotator_id": record.annotator,
    }


def prodigy_tokens(text: str) -> list[dict[str, Any]]:
    """The tokens of ``text`` as spaCy keeps whitespace: after a token, one space is its ``ws``
    and the rest of a run of whitespace (or a run not starting with a space, or at the start of the
    text) is a token of its own, so joining each token's text and a space where ``ws`` gives ``text``."""
    out: list[dict[str, Any]] = []
    pos = 0
    for token in tokenize(text):
        if token.start > pos:
            _whitespace(text, pos, token.start, out)
        out.append({"text": token.text, "start": token.start, "end": token.end, "id": len(out), "ws": False})
        pos = token.end
    if pos < len(text):
        _whitespace(text, pos, len(text), out)
    return out


def _whitespace(text: str, start: int, end: int, out: list[dict[str, Any]]) -> None:
    if out and text[start] == " ":
        out[-1]["ws"] = True
        start += 1
    if start < end:
        out.append({"text": text[start:end], "start": start, "end": end, "id": len(out), "ws": False})


def _span_ref(span: dict[str, Any]) -> dict[str, Any]:
    return {k: span[k] for k in ("start", "end", "token_start", "token_end", "label")}


def stable_hash(*parts: Any) -> int:
    """A signed 32-bit hash of JSON-able parts, the same on every machine and run (unlike ``hash``)."""
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "big", signed=True)
