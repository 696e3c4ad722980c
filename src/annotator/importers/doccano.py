"""doccano JSONL: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` or the entities form.

The entities form (sequence labelling with relations) is
``{"text": ..., "entities": [{"id", "start_offset", "end_offset", "label"}],
"relations": [{"id", "from_id", "to_id", "type"}]}``.

Offsets are UTF-16 code units unless ``--offsets codepoints`` (doccano's web
client counts UTF-16; see ``annotator.text.offsets``); an offset that splits a character
or falls outside the text stops the import with the file and line.

Whose annotations: the line's ``"annotator"`` (our own exports), else
``--annotator`` when given, else the file name, as doccano exports one
``<username>.jsonl`` per user (``all.jsonl``, its collaborative export, names no
one: then your login name). Optional ``"name"`` and ``"meta"`` keys are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, describe_validation_error
from ..text.offsets import UTF16, Utf16, convert_in, normalize_with_map
from ..store import ImportRecord
from .jsonl import looks_like_doccano, parse_lines

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "doccano"
SUFFIXES = (".jsonl",)


def sniff(path: Path, head: bytes) -> bool:
    """A first line with "text" and a list "label" or "entities" (and no native "spans")."""
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return b'"entities"' in line or b'"label": [[' in line
    return looks_like_doccano(obj)


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    for number, obj in parse_lines(path):
        where = f"{path} line {number}"
        yield record_from_line(obj, where, f"{path.stem}-{number}", annotator_for(obj, path, context), context)


def annotator_for(obj: Any, path: Path, context: ImportContext) -> str:
    """The line's annotator, else --annotator if given, else the file name (doccano's per-user export)."""
    if isinstance(obj, dict) and isinstance(obj.get("annotator"), str) and obj["annotator"].strip():
        return obj["annotator"]
    if context.annotator_given or path.stem.lower() == "all":
        return context.annotator
    return path.stem


def record_from_line(obj: Any, where: str, default_name: str, annotator: str, context: ImportContext) -> ImportRecord:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise AnnotatorError(f"{where}: expected a JSON object with a \"text\" field")
    raw = obj["text"]
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{where}: \"text\" is empty")
    name = obj.get("name") if isinstance(obj.get("name"), str) and obj.get("name") else default_name
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    doc = Document.from_text(name, text, meta)
    unit = context.offsets or UTF16
    index = Utf16(raw) if unit == UTF16 else None

    def span(start: Any, end: Any, label: Any, spot: str) -> Span:
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)) or not isinstance(label, str):
            raise AnnotatorError(f"{spot}: expected integer start and end offsets and a string label")
        try:
            cp_start, cp_end = convert_in(raw, start, end, unit, index)
            made = Span(document_id=doc.id, start=move(cp_start), end=move(cp_end), label=label, annotator=annotator)
            made.check(text, context.schema)
        except ValidationError as exc:
            raise AnnotatorError(f"{spot}: {describe_validation_error(exc)}") from None
        except ValueError as exc:
            raise AnnotatorError(f"{spot}: {exc} ({unit} offsets {start}-{end}; see --offsets)") from None
        return made

    spans: list[Span] = []
    relations: list[Relation] = []
    if isinstance(obj.get("entities"), list):
        by_id: dict[Any, Span] = {}
        for i, entity in enumerate(obj["entities"]):
            spot = f"{where} entity {i + 1}"
            if not isinstance(entity, dict):
                raise AnnotatorError(f"{spot}: expected an object with start_offset, end_offset and label")
            made = span(entity.get("start_offset"), entity.get("end_offset"), entity.get("label"), spot)
            by_id[entity.get("id", i)] = made
            spans.append(made)
        for i, rel in enumerate(obj.get("relations") or []):
            spot = f"{where} relation {i + 1}"
            if not isinstance(rel, dict) or not isinstance(rel.get("type"), str):
                raise AnnotatorError(f"{spot}: expected an object with from_id, to_id and type")
            head, child = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id"))
            if head is None or child is None:
                raise AnnotatorError(f"{spot}: from_id or to_id is not an entity of this line")
            if not context.schema.relation_allowed(rel["type"], head.label, child.label):
                raise AnnotatorError(
                    f"{spot}: relation {rel['type']!r} is not allowed from {head.label} to {child.label} by the schema"
                )
            relations.append(
                Relation(document_id=doc.id, head=head.id, child=child.id, label=rel["type"], annotator=annotator)
            )
    else:
        labels = obj.get("label") or []
        if not isinstance(labels, list):
            raise AnnotatorError(f"{where}: \"label\" must be a list of [start, end, label]")
        for i, item in enumerate(labels):
            spot = f"{where} label {i + 1}"
            if not isinstance(item, list) or len(item) != 3:
                raise AnnotatorError(
                    f"{spot}: expected [start, end, label] (text classification labels are not spans)"
                )
            spans.append(span(*item, spot))
    return ImportRecord(doc, spans, relations)
