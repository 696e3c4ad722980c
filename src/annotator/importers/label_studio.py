"""Label Studio JSON: a list of tasks with ``data.text`` and ``annotations``.

Each annotation's ``result`` items of type ``labels`` become spans
(``value.start``/``end``, ``value.labels``; ``value.text`` is checked against the
document when present), items of type ``relation`` become relations
(``from_id`` is the head, ``to_id`` the child, the first of ``labels`` the
type). Region notes (``"meta": {"text": [...]}``) become span notes. Other
result types (choices, text areas...) and cancelled annotations are skipped;
predictions are not imported.

Offsets are UTF-16 code units unless ``--offsets codepoints`` (Label Studio's
web client counts UTF-16). The annotator is ``completed_by`` (a name, an
object with ``email`` or ``username``, or a user number shown as ``user<N>``),
else ``--annotator``. Document names come from ``data.name``, else the file name
and task ``id``; ``meta`` (or ``data.meta``) is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, describe_validation_error, new_id
from ..text.offsets import UTF16, Utf16, convert_in, normalize_with_map
from ..store import ImportRecord
from .jsonl import check_unicode
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "label-studio"
SUFFIXES = (".json",)


def sniff(path: Path, head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] == b"[" and b'"data"' in start or start[:1] == b"{" and b'"annotations"' in start


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    tasks = load_tasks(path)
    for i, task in enumerate(tasks, start=1):
        yield record_from_task(task, f"{path} task {i}", path.stem, i, context)


def load_tasks(path: Path) -> list[Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    try:
        value = json.loads(decode(data, str(path)).removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise AnnotatorError(f"{path} line {exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise AnnotatorError(f"{path}: JSON nested too deeply") from None
    check_unicode(value, str(path))
    if isinstance(value, dict) and "data" in value:
        return [value]
    if not isinstance(value, list):
        raise AnnotatorError(f"{path}: expected a JSON list of Label Studio tasks")
    return value


def record_from_task(task: Any, where: str, stem: str, number: int, context: ImportContext) -> ImportRecord:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise AnnotatorError(f"{where}: expected an object with a \"data\" object")
    data = task["data"]
    raw = data.get("text")
    if not isinstance(raw, str):
        raise AnnotatorError(f"{where}: missing or non-string \"data.text\" (the text to annotate)")
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{where}: \"data.text\" is empty")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        name = f"{stem}-{task['id'] if isinstance(task.get('id'), (int, str)) else number}"
    meta = next((m for m in (task.get("meta"), data.get("meta")) if isinstance(m, dict)), {})
    doc = Document.from_text(name, text, meta)
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise AnnotatorError(f"{where}: \"annotations\" must be a list")
    converter = Converter(raw, move, context.offsets or UTF16)
    spans: list[Span] = []
    relations: list[Relation] = []
    used_ids: set[str] = set()
    for n, annotation in enumerate(annotations, start=1):
        spot = f"{where} annotation {n}"
        if not isinstance(annotation, dict):
            raise AnnotatorError(f"{spot}: expected an object with a \"result\" list")
        if annotation.get("was_cancelled"):
            continue
        annotator = annotator_of(annotation.get("completed_by"), context)
        found, linked = read_result(annotation.get("result"), spot, doc, annotator, converter, used_ids, context)
        spans += found
        relations += linked
    return ImportRecord(doc, spans, relations)


def annotator_of(completed_by: Any, context: ImportContext) -> str:
    if isinstance(completed_by, str) and completed_by.strip():
        return completed_by
    if isinstance(completed_by, dict):
        for key in ("email", "username", "id"):
            if completed_by.get(key) not in (None, ""):
                return annotator_of(completed_by[key], context)
    if isinstance(completed_by, int) and not isinstance(completed_by, bool):
        return f"user{completed_by}"
    return context.annotator


class Converter:
    """Offsets of a task's raw text (in the file's unit) to code points of the stored text."""

    def __init__(self, raw: str, move: Any, unit: str) -> None:
        self.raw, self.move, self.unit = raw, move, unit
        self.index = Utf16(raw) if unit == UTF16 else None

    def __call__(self, start: int, end: int) -> tuple[int, int, str]:
        """Stored offsets, and the raw text they cover (to check against ``value.text``)."""
        cp_start, cp_end = convert_in(self.raw, start, end, self.unit, self.index)
        return self.move(cp_start), self.move(cp_end), self.raw[cp_start:cp_end]


def read_result(
    result: Any, spot: str, doc: Document, annotator: str, converter: Converter, used_ids: set[str],
    context: ImportContext,
) -> tuple[list[Span], list[Relation]]:
    if not isinstance(result, list):
        raise AnnotatorError(f"{spot}: missing \"result\" list")
    spans: list[Span] = []
    by_region: dict[str, Span] = {}
    links: list[tuple[str, dict]] = []
    for i, item in enumerate(result, start=1):
        where = f"{spot} result {i}" + (f" (id {item['id']})" if isinstance(item, dict) and "id" in item else "")
        if not isinstance(item, dict):
            raise AnnotatorError(f"{where}: expected an object")
        if item.get("type") == "relation":
            links.append((where, item))
        elif item.get("type") == "labels":
            for span in spans_of_region(item, where, doc, annotator, converter, used_ids, context):
                by_region.setdefault(str(item.get("id")), span)
                spans.append(span)
    relations = [relation_of(item, where, by_region, doc, annotator, context) for where, item in links]
    return spans, relations


def spans_of_region(
    item: dict, where: str, doc: Document, annotator: str, converter: Converter, used_ids: set[str],
    context: ImportContext,
) -> list[Span]:
    value = item.get("value")
    if not isinstance(value, dict):
        raise AnnotatorError(f"{where}: missing \"value\" object")
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
        raise AnnotatorError(f"{where}: value.start and value.end must be integers")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise AnnotatorError(f"{where}: value.labels must be a non-empty list of label names")
    try:
        cp_start, cp_end, covered = converter(start, end)
    except ValueError as exc:
        raise AnnotatorError(f"{where}: {exc} (see --offsets)") from None
    if isinstance(value.get("text"), str) and value["text"] != covered:
        raise AnnotatorError(
            f"{where}: value.text {value['text']!r} is not the text at {start}-{end} ({covered!r}) in "
            f"{converter.unit} offsets: check --offsets"
        )
    note = region_note(item.get("meta"))
    spans = []
    for label in labels:
        region_id = str(item["id"]) if item.get("id") not in (None, "") else new_id()
        span_id = region_id if region_id not in used_ids else new_id()
        used_ids.add(span_id)
        try:
            span = Span(id=span_id, document_id=doc.id, start=cp_start, end=cp_end, label=label,
                        annotator=annotator, note=note)
            span.check(doc.text, context.schema)
        except ValidationError as exc:
            raise AnnotatorError(f"{where}: {describe_validation_error(exc)}") from None
        except ValueError as exc:
            raise AnnotatorError(f"{where}: {exc}") from None
        spans.append(span)
    return spans


def region_note(meta: Any) -> str:
    texts = meta.get("text") if isinstance(meta, dict) else None
    if isinstance(texts, list):
        return "\n".join(str(t) for t in texts)
    return texts if isinstance(texts, str) else ""


def relation_of(
    item: dict, where: str, by_region: dict[str, Span], doc: Document, annotator: str, context: ImportContext
) -> Relation:
    head, child = by_region.get(str(item.get("from_id"))), by_region.get(str(item.get("to_id")))
    if head is None or child is None:
        raise AnnotatorError(f"{where}: from_id or to_id is not a labelled region of this annotation")
    labels = item.get("labels")
    if not isinstance(labels, list) or not labels or not isinstance(labels[0], str):
        raise AnnotatorError(f"{where}: the relation needs \"labels\" with its type (e.g. [\"ATTRIBUTED_TO\"])")
    label = labels[0]
    if item.get("direction") == "left":
        head, child = child, head
    if not context.schema.relation_allowed(label, head.label, child.label):
        raise AnnotatorError(f"{where}: relation {label!r} is not allowed from {head.label} to {child.label} by the schema")
    return Relation(document_id=doc.id, head=head.id, child=child.id, label=label, annotator=annotator)

