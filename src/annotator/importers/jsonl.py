"""The native JSONL format: one document a line, optionally with spans and relations.

A line is ``{"text": ..., "meta": {...}}`` and may carry ``"name"``,
``"spans"`` (``start``, ``end``, ``label``, optional ``text``, ``annotator``,
``id``, ``note``) and ``"relations"`` (``head`` and ``child`` as span ids or
as indices into ``spans``, and ``label``). It is a superset of Prodigy's span
format, so Prodigy and our own exports read back in; other keys (``tokens``,
``_input_hash``...) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, describe_validation_error
from ..store import ImportRecord
from .text import normalize

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "jsonl"
SUFFIXES = (".jsonl", ".ndjson", ".json")


def sniff(path: Path, head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first != b"{":
        return False
    line = head.split(b"\n", 1)[0]
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return b'"text"' in line  # a first line longer than the head: the "text" key is enough
    # Any other JSON object line is ours (read() then says what is wrong with it), except
    # doccano's lines and a single Label Studio task ({"data": {"text": ...}}).
    return not looks_like_doccano(obj) and not (isinstance(obj, dict) and "data" in obj and "text" not in obj)


#: Keys that carry annotations in one of doccano's forms (see importers/doccano.py).
DOCCANO_KEYS = ("label", "labels", "entities", "cats", "annotations")


def looks_like_doccano(obj: Any) -> bool:
    """A record in one of doccano's shapes (no "spans"): "label", "labels", "entities" or "cats" as a list,
    an "annotations" list of doccano annotations ({"label", "start_offset", ...}, not Label Studio's
    {"result": ...}), "annotation_approver" (doccano 1.0-1.2), or the text under "data" (doccano 1.3-1.6)."""
    if not isinstance(obj, dict) or "spans" in obj or isinstance(obj.get("data"), dict):
        return False
    if any(isinstance(obj.get(key), list) for key in ("label", "labels", "entities", "cats")):
        return True
    annotations = obj.get("annotations")
    if isinstance(annotations, list) and annotations:
        return all(isinstance(a, dict) and "result" not in a and any(k in a for k in ("label", "start_offset", "user"))
                   for a in annotations)
    return "annotation_approver" in obj or (isinstance(obj.get("data"), str) and "text" not in obj)


def check_unicode(value: Any, where: str) -> None:
    """Refuse strings holding lone surrogates (JSON allows ``\\ud800``, UTF-8 cannot hold it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise AnnotatorError(f"{where}: a string holds a lone surrogate (invalid Unicode): fix the \\u escapes") from None


def parse_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line, with clear errors (streamed, strict JSON with
    limits: see :mod:`.jsonio`)."""
    from .jsonio import json_lines

    return json_lines(path)


def record_from_json(obj: Any, where: str, default_name: str, context: ImportContext) -> ImportRecord:
    """One native record (a parsed JSON object) as an ImportRecord, fully checked."""
    if not isinstance(obj, dict):
        raise AnnotatorError(f"{where}: expected a JSON object with a \"text\" field")
    text = obj.get("text")
    if not isinstance(text, str):
        raise AnnotatorError(f"{where}: missing or non-string \"text\" field")
    text = normalize(text)
    if not text.strip():
        raise AnnotatorError(f"{where}: \"text\" is empty")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise AnnotatorError(f"{where}: \"meta\" must be an object")
    name = obj.get("name") or meta.get("name") or default_name
    if not isinstance(name, str):
        raise AnnotatorError(f"{where}: \"name\" must be a string")
    doc = Document.from_text(name, text, meta)
    default_annotator = obj.get("_annotator_id") or context.annotator
    spans: list[Span] = []
    raw_spans = obj.get("spans") or []
    if not isinstance(raw_spans, list):
        raise AnnotatorError(f"{where}: \"spans\" must be a list")
    context.check_span_count(len(raw_spans), where)  # before building any (memory stays bounded)
    seen_ids: set[str] = set()
    for i, raw in enumerate(raw_spans):
        spot = f"{where} span {i + 1}"
        if not isinstance(raw, dict):
            raise AnnotatorError(f"{spot}: expected an object with start, end and label")
        fields = {
            "document_id": doc.id,
            "start": raw.get("start"),
            "end": raw.get("end"),
            "label": raw.get("label"),
            "annotator": raw.get("annotator") or default_annotator,
            "note": raw.get("note") or "",
        }
        if raw.get("id") is not None:
            fields["id"] = str(raw["id"])
        for stamp in ("created", "updated"):
            if isinstance(raw.get(stamp), str):
                fields[stamp] = raw[stamp]
        if any(isinstance(fields[k], bool) or not isinstance(fields[k], int) for k in ("start", "end")):
            raise AnnotatorError(f"{spot}: start and end must be integers (code point offsets)")
        try:
            span = Span(**fields)
            span.check(text, context.schema, raw.get("text") if isinstance(raw.get("text"), str) else None)
        except ValidationError as exc:
            raise AnnotatorError(f"{spot}: {describe_validation_error(exc)}") from None
        except ValueError as exc:
            raise AnnotatorError(f"{spot}: {exc}") from None
        if span.id in seen_ids:
            raise AnnotatorError(f"{spot}: duplicate span id {span.id!r}")
        seen_ids.add(span.id)
        spans.append(span)
    relations: list[Relation] = []
    raw_relations = obj.get("relations") or []
    if not isinstance(raw_relations, list):
        raise AnnotatorError(f"{where}: \"relations\" must be a list")
    by_id = {s.id: s for s in spans}
    for i, raw in enumerate(raw_relations):
        spot = f"{where} relation {i + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), str):
            raise AnnotatorError(f"{spot}: expected an object with head, child and label")
        ends = []
        for end_name in ("head", "child"):
            ref = raw.get(end_name)
            if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(spans):
                ends.append(spans[ref].id)
            elif isinstance(ref, str) and ref in by_id:
                ends.append(ref)
            else:
                raise AnnotatorError(f"{spot}: {end_name} {ref!r} is not a span of this line")
        head, child = by_id[ends[0]], by_id[ends[1]]
        if not context.schema.relation_allowed(raw["label"], head.label, child.label):
            raise AnnotatorError(
                f"{spot}: relation {raw['label']!r} is not allowed from {head.label} to {child.label} by the schema"
            )
        relations.append(
            Relation(
                document_id=doc.id, head=ends[0], child=ends[1], label=raw["label"],
                annotator=raw.get("annotator") or head.annotator,
                **({"id": str(raw["id"])} if raw.get("id") is not None else {}),
            )
        )
    return ImportRecord(doc, spans, relations)


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    if context.offsets not in (None, "codepoints"):
        raise AnnotatorError(f"--offsets {context.offsets}: jsonl offsets are code points (as Prodigy and spaCy count)")
    for number, obj in parse_lines(path):
        if looks_like_doccano(obj) and any(obj.get(key) for key in DOCCANO_KEYS):
            raise AnnotatorError(f"{path} line {number}: a doccano line (\"label\"/\"entities\"): pass --format doccano")
        yield record_from_json(obj, f"{path} line {number}", f"{path.stem}-{number}", context)
