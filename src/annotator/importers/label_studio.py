"""Label Studio JSON: a list of tasks, each ``{"data": {"text": ...}, "annotations": [...], "predictions": [...]}``.

What is kept:

* each annotation's ``result`` items of type ``labels`` become spans
  (``value.start``/``end``, ``value.labels``; ``value.text`` is checked against
  the document when present), items of type ``relation`` become relations
  (``from_id`` is the head, ``to_id`` the child, ``direction: left`` swaps them,
  one relation per type in ``labels``). Region notes (``"meta": {"text": [...]}``)
  become span notes. The old name ``completions`` is read like ``annotations``.
* ``predictions`` become the work of their own annotator, ``prediction:<model_version>``
  (``prediction`` when a prediction names no model version), never mixed into
  people's annotations.
* a flat task (``{"text": ...}`` with no ``data``) is its own data, as Label Studio
  reads it (label_studio/tasks/validation.py: "task is data as is"); the text
  is under ``--text-key`` (default ``text``). Other data fields are kept in the
  document's meta under ``"data"``.

What is counted as skipped (``context.skip``, listed by ``-v``): cancelled
annotations (``was_cancelled``), drafts, ``choices`` results (document labels,
not supported yet), relations with no type, and any other result type, by type.

Offsets are Unicode code points: Label Studio's editor converts the browser's
UTF-16 lengths to code points (web/libs/editor/src/utils/selection-tools.js,
``charsToCodePoints``; tests "Should calculate offsets by code points in text"
in web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts). Versions before late
2021 counted UTF-16 code units: ``--offsets utf16`` reads those. Where
``value.text`` is given and only the other unit's offsets select it, the task is
refused with the option that reads it.

The annotator is ``--annotator`` when given, else ``completed_by`` (a name, an
object with ``email`` or ``username``, or a user number shown as ``user<N>``).
Document names come from ``data.name``, else the file name and task ``id``;
``meta`` (or ``data.meta``) is kept. A bad task is refused naming the file, its
line and its number (``--skip-invalid`` imports the others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, new_id
from ..store import ImportRecord
from ..text.offsets import CODEPOINTS, UTF16, Utf16, normalize_with_map
from . import jsonio
from .checks import checked_span
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "label-studio"
SUFFIXES = (".json",)
#: the unit of ``value.start``/``end`` unless ``--offsets`` says otherwise (current Label Studio)
DEFAULT_UNIT = CODEPOINTS
UNIT_NAMES = {CODEPOINTS: "code points", UTF16: "UTF-16 code units"}

CHOICES = "Label Studio choices (document labels not supported yet)"
CANCELLED = "Label Studio cancelled annotation (was_cancelled)"
DRAFT = "Label Studio draft (not submitted)"
UNTYPED_RELATION = "Label Studio relation without labels (no relation type)"

_TASK_KEYS = (b'"data"', b'"annotations"', b'"predictions"', b'"completions"')
_SPACE = re.compile(r"[ \t\n\r]*")
#: a JSON string (escapes included), or a bracket or comma outside strings
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.S)


def sniff(path: Path, head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"[", b"{") and any(key in start for key in _TASK_KEYS)


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    used_ids: set[str] = set()  # region ids taken as span ids in this file (ML backends reuse "r1" in every task)
    for number, (line, task) in enumerate(load_tasks(path), start=1):
        where = f"{path} line {line}, task {number}"
        skipped: list[tuple[str, str]] = []
        try:
            record = record_from_task(task, where, path.stem, number, context, used_ids, skipped)
        except AnnotatorError as exc:
            context.invalid(exc)
            continue
        for reason, spot in skipped:  # counted only for tasks that are imported
            context.skip(reason, spot)
        yield record


def load_tasks(path: Path) -> list[tuple[int, Any]]:
    """(line, task) for each task of the file: a JSON list of tasks, or one task object.

    Read and parsed through :mod:`.jsonio` (regular files only, strict JSON with limits).
    """
    text = decode(jsonio.read_bytes(path), str(path)).removeprefix("\ufeff")
    if not text.strip():
        raise AnnotatorError(f"{path} is empty: there is nothing to import")
    value = jsonio.loads(text, str(path))
    if isinstance(value, dict):
        return [(text.count("\n", 0, _SPACE.match(text).end()) + 1, value)]
    if not isinstance(value, list):
        raise AnnotatorError(f"{path}: expected a JSON list of Label Studio tasks")
    return list(zip(element_lines(text), value))


def element_lines(text: str) -> Iterator[int]:
    """The line on which each element of the JSON array ``text`` starts (``text`` is valid JSON)."""
    depth, line, counted = 0, 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > 1 or token == "{":
                continue
        elif token in "]}":
            depth -= 1
            continue
        elif token != "," or depth != 1:
            continue  # a string, or a comma inside a task
        start = _SPACE.match(text, match.end()).end()
        line += text.count("\n", counted, start)
        counted = start
        yield line


def record_from_task(
    task: Any, where: str, stem: str, number: int, context: ImportContext, used_ids: set[str] | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> ImportRecord:
    used_ids = set() if used_ids is None else used_ids
    skipped = [] if skipped is None else skipped
    if not isinstance(task, dict):
        raise AnnotatorError(f"{where}: expected a task object ({{\"data\": {{\"text\": ...}}}} or {{\"text\": ...}})")
    flat = "data" not in task
    data = task if flat else task["data"]
    if not isinstance(data, dict):
        raise AnnotatorError(f"{where}: \"data\" must be an object holding the text")
    key = context.text_key or "text"
    raw = data.get(key)
    if not isinstance(raw, str):
        field = key if flat else f"data.{key}"
        keys = [k for k, v in data.items() if isinstance(v, str) and k != "name"]
        hint = f" (string fields here: {', '.join(map(repr, keys[:5]))}: pass --text-key NAME)" if keys else ""
        raise AnnotatorError(f"{where}: missing or non-string \"{field}\" (the text to annotate){hint}")
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{where}: \"{key}\" is empty")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        name = f"{stem}-{task['id'] if isinstance(task.get('id'), (int, str)) else number}"
    meta = dict(next((m for m in (task.get("meta"), data.get("meta")) if isinstance(m, dict)), {}))
    task_keys = {"annotations", "completions", "predictions", "drafts", "meta", "id"} if flat else set()
    extra = {k: v for k, v in data.items() if k not in (key, "name", "meta") and k not in task_keys}
    if extra:
        meta.setdefault("data", extra)
    doc = Document.from_text(name, text, meta)
    context.check_span_count(_labelled(task), where)  # before building any (memory stays bounded)
    offsets = Offsets(raw, move, context.offsets or DEFAULT_UNIT)
    reader = _Reader(doc, offsets, used_ids, skipped, context)
    annotations = task.get("annotations", task.get("completions")) or []
    if not isinstance(annotations, list):
        raise AnnotatorError(f"{where}: \"annotations\" must be a list")
    for n, annotation in enumerate(annotations, start=1):
        spot = f"{where} annotation {n}"
        if not isinstance(annotation, dict):
            raise AnnotatorError(f"{spot}: expected an object with a \"result\" list")
        if annotation.get("was_cancelled") or annotation.get("skipped"):
            skipped.append((CANCELLED, spot))
            continue
        reader.read(annotation.get("result"), spot, annotator_of(annotation.get("completed_by"), spot, context))
    predictions = task.get("predictions") or []
    if not isinstance(predictions, list):
        raise AnnotatorError(f"{where}: \"predictions\" must be a list")
    for n, prediction in enumerate(predictions, start=1):
        spot = f"{where} prediction {n}"
        if not isinstance(prediction, dict):
            raise AnnotatorError(f"{spot}: expected an object with a \"result\" list")
        reader.read(prediction.get("result"), spot, predictor_of(prediction.get("model_version"), spot))
    drafts = task.get("drafts")
    if isinstance(drafts, list):
        skipped.extend((DRAFT, f"{where} draft {n}") for n, d in enumerate(drafts, start=1) if d)
    return ImportRecord(doc, reader.spans, reader.relations)


def _labelled(task: dict) -> int:
    """How many spans the task's ``labels`` results would make (one a label)."""
    total = 0
    for key in ("annotations", "completions", "predictions"):
        entries = task.get(key)
        for entry in entries if isinstance(entries, list) else ():
            result = entry.get("result") if isinstance(entry, dict) else None
            for item in result if isinstance(result, list) else ():
                if isinstance(item, dict) and item.get("type") == "labels" and isinstance(item.get("value"), dict):
                    labels = item["value"].get("labels")
                    total += len(labels) if isinstance(labels, list) else 1
    return total


def annotator_of(completed_by: Any, where: str, context: ImportContext) -> str:
    """Who made an annotation: --annotator when given, else its ``completed_by``."""
    if context.annotator_given:
        return context.annotator
    name = _user_name(completed_by)
    if name is None:
        return context.annotator
    _check_name(name, f"{where}: completed_by")
    return name


def _user_name(completed_by: Any) -> str | None:
    if isinstance(completed_by, str) and completed_by.strip():
        return completed_by
    if isinstance(completed_by, dict):
        for key in ("email", "username", "id"):
            if completed_by.get(key) not in (None, ""):
                return _user_name(completed_by[key])
    if isinstance(completed_by, int) and not isinstance(completed_by, bool):
        return f"user{completed_by}"
    return None


def predictor_of(model_version: Any, where: str) -> str:
    """``prediction:<model_version>``, or ``prediction`` when it names none."""
    if isinstance(model_version, (int, float)) and not isinstance(model_version, bool):
        model_version = str(model_version)
    if not isinstance(model_version, str) or not model_version.strip():
        return "prediction"
    _check_name(model_version, f"{where}: model_version")
    return f"prediction:{model_version}"


def _check_name(name: str, what: str) -> None:
    if any(not ch.isprintable() for ch in name):
        raise AnnotatorError(f"{what} {name!r} holds control characters: fix it, or pass --annotator NAME")


class Offsets:
    """A task's offsets (in the file's unit) to code points of the stored text."""

    def __init__(self, raw: str, move: Any, unit: str) -> None:
        self.raw, self.move, self.unit = raw, move, unit
        self._index: Utf16 | None = None

    def in_unit(self, start: int, end: int, unit: str) -> tuple[int, int]:
        """Code point offsets of the raw text; ValueError if they do not fit it."""
        if unit == UTF16:
            if self._index is None:
                self._index = Utf16(self.raw)
            return self._index.to_codepoints(start), self._index.to_codepoints(end)
        if start < 0 or end > len(self.raw):
            raise ValueError(f"span {start}-{end} is out of range (the text has {len(self.raw)} characters)")
        return start, end

    def __call__(self, start: int, end: int, expected: str | None, where: str) -> tuple[int, int]:
        """Stored offsets, checked against ``value.text`` (``expected``) when the file gives it."""
        try:
            cp_start, cp_end = self.in_unit(start, end, self.unit)
        except ValueError as exc:
            self._other_unit(start, end, expected, where)
            raise AnnotatorError(f"{where}: {exc} (see --offsets)") from None
        covered = self.raw[cp_start:cp_end]
        if expected is not None and expected != covered:
            self._other_unit(start, end, expected, where)
            raise AnnotatorError(
                f"{where}: value.text {expected!r} is not the text at {start}-{end} ({covered!r}) "
                f"counted in {UNIT_NAMES[self.unit]}"
            )
        return self.move(cp_start), self.move(cp_end)

    def _other_unit(self, start: int, end: int, expected: str | None, where: str) -> None:
        """Refuse, naming the option, when the other unit's offsets select ``value.text``."""
        if expected is None:
            return
        other = UTF16 if self.unit == CODEPOINTS else CODEPOINTS
        try:
            cp_start, cp_end = self.in_unit(start, end, other)
        except ValueError:
            return
        if self.raw[cp_start:cp_end] == expected:
            raise AnnotatorError(
                f"{where}: value.text {expected!r} is at {start}-{end} counted in {UNIT_NAMES[other]}, not "
                f"{UNIT_NAMES[self.unit]} (a file from Label Studio before late 2021?): import with --offsets {other}"
            )


class _Reader:
    """Spans and relations of one task, from its annotations' and predictions' results."""

    def __init__(self, doc: Document, offsets: Offsets, used_ids: set[str], skipped: list[tuple[str, str]],
                 context: ImportContext) -> None:
        self.doc, self.offsets, self.used_ids, self.skipped, self.context = doc, offsets, used_ids, skipped, context
        self.spans: list[Span] = []
        self.relations: list[Relation] = []

    def read(self, result: Any, spot: str, annotator: str) -> None:
        if not isinstance(result, list):
            raise AnnotatorError(f"{spot}: missing \"result\" list")
        by_region: dict[str, Span] = {}
        links: list[tuple[str, dict]] = []
        for i, item in enumerate(result, start=1):
            where = f"{spot} result {i}" + (f" (id {item['id']})" if isinstance(item, dict) and "id" in item else "")
            if not isinstance(item, dict):
                raise AnnotatorError(f"{where}: expected an object")
            kind = item.get("type")
            if kind == "labels":
                for span in self.spans_of_region(item, where, annotator):
                    by_region.setdefault(str(item.get("id")), span)
                    self.spans.append(span)
            elif kind == "relation":
                links.append((where, item))
            elif kind == "choices":
                self.skipped.append((CHOICES, where))
            else:
                kind_name = kind if isinstance(kind, str) and kind else "untyped"
                self.skipped.append((f"Label Studio {kind_name} result", where))
        for where, item in links:
            self.relations += self.relations_of(item, where, by_region, annotator)

    def spans_of_region(self, item: dict, where: str, annotator: str) -> list[Span]:
        value = item.get("value")
        if not isinstance(value, dict):
            raise AnnotatorError(f"{where}: missing \"value\" object")
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
            raise AnnotatorError(f"{where}: value.start and value.end must be integers")
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
            raise AnnotatorError(f"{where}: value.labels must be a non-empty list of label names")
        expected = value.get("text") if isinstance(value.get("text"), str) else None
        cp_start, cp_end = self.offsets(start, end, expected, where)
        note = region_note(item.get("meta"))
        spans = []
        for label in labels:
            region_id = str(item["id"]) if item.get("id") not in (None, "") else new_id()
            span_id = region_id if region_id not in self.used_ids else new_id()
            self.used_ids.add(span_id)
            spans.append(checked_span(where, self.doc.text, self.context.schema, id=span_id, document_id=self.doc.id,
                                      start=cp_start, end=cp_end, label=label, annotator=annotator, note=note))
        return spans

    def relations_of(self, item: dict, where: str, by_region: dict[str, Span], annotator: str) -> list[Relation]:
        """One relation per type in ``labels`` (a relation with several types is several relations)."""
        head, child = by_region.get(str(item.get("from_id"))), by_region.get(str(item.get("to_id")))
        if head is None or child is None:
            raise AnnotatorError(f"{where}: from_id or to_id is not a labelled region of this annotation")
        labels = item.get("labels")
        if labels is None or labels == []:
            # Label Studio writes no labels when the project has no <Relations> choices
            # (web/libs/editor/src/stores/RelationStore.js, serialize): an arrow with no type.
            self.skipped.append((UNTYPED_RELATION, where))
            return []
        if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
            raise AnnotatorError(f"{where}: the relation's \"labels\" must be a list of type names (e.g. [\"ATTRIBUTED_TO\"])")
        if item.get("direction") == "left":
            head, child = child, head
        relations = []
        for label in dict.fromkeys(labels):
            if not self.context.schema.relation_allowed(label, head.label, child.label):
                raise AnnotatorError(
                    f"{where}: relation {label!r} is not allowed from {head.label} to {child.label} by the schema"
                )
            relations.append(Relation(document_id=self.doc.id, head=head.id, child=child.id, label=label,
                                      annotator=annotator))
        return relations


def region_note(meta: Any) -> str:
    texts = meta.get("text") if isinstance(meta, dict) else None
    if isinstance(texts, list):
        return "\n".join(str(t) for t in texts)
    return texts if isinstance(texts, str) else ""
