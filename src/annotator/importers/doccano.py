"""doccano: every form its exports (and its import format) have taken since 1.0.

One record a document, as JSONL (one a line), as a JSON array (doccano's "JSON"
export) or pretty-printed (one or several objects over many lines)::

    {"text": ..., "label": [[start, end, "LABEL"], ...]}                  1.3+ JSONL, doccano's import format
    {"id": 1, "data": ..., "label": [[start, end, "LABEL"]], <meta>}      1.3-1.6 JSONL and JSON (text under "data")
    {"id": 1, "text": ..., "labels": [[start, end, "LABEL"]], "meta": {}}  1.0-1.2 "JSONL (text label)", 1.0 import
    {"id": 1, "text": ..., "annotations": [{"label": 2, "start_offset": 0, "end_offset": 4, "user": 1}],
     "meta": {}, "annotation_approver": null}                             1.0-1.2 "JSONL" (label and user are ids)
    {"text": ..., "entities": [{"id", "start_offset", "end_offset", "label"}],
     "relations": [{"id", "from_id", "to_id", "type"}]}                    1.6+ sequence labelling with relations
    {"text": ..., "entities": [[start, end, "LABEL"]], "cats": ["intent"]} 1.6+ intent detection and slot filling
    {"text": ..., "label": ["positive"]}                                  text classification (also "labels", "cats")

(doccano/doccano: ``app/api/utils.py`` JSONPainter and ``app/api/serializers.py`` in 1.0-1.2,
``backend/api/views/download/writer.py`` in 1.3-1.5, ``backend/data_export/pipeline/`` since 1.6:
``writers.py`` (pandas ``to_json(orient="records", lines=True)``), ``factories.py`` (which columns each
project type writes), ``labels.py``, ``models.py`` (``to_dict``/``to_tuple``) and ``examples/``.)

A span may also be an object ``{"start_offset", "end_offset", "label"}`` wherever a
triple may be (doccano's importer accepts both: ``backend/data_import/pipeline/label.py``).
Document labels (categories, intents, sequence-to-sequence answers) are not spans: they
are counted as skipped until the project has document labels; so are doccano's
``Comments``. Every other key (``id``, the example's metadata, which doccano
spreads over the record since 1.3, ``annotation_approver``) is kept as the document's
meta, with ``"meta"`` itself merged in.

Offset unit (checked in doccano's own frontend, not assumed):

* doccano 1.5 and later (October 2021 on) select spans with ``v-annotator``
  (doccano/v-annotator ``src/domain/models/Label/Text.ts`` and
  ``EventHandler/TextSelectionHandler.ts``): offsets are JavaScript string indices, that
  is **UTF-16 code units** (its test ``text.spec.ts`` gives the four skin-toned emoji a
  "codePointLength" of 16 UTF-16 units, 8 code points), or grapheme clusters in a project
  made with "Count grapheme clusters as one character". doccano issue 2290 shows the same:
  ``firetrucks`` after ``👨🏻‍🚒`` is 22-32 in doccano, 19-29 in Python.
* doccano 1.0 to 1.4 counted **code points**: ``EntityItemBox.vue`` measured the selection
  with ``[...range.toString()].length`` (spread iterates code points), after doccano
  pull request 99 (2019) replaced JavaScript's UTF-16 ``length``.

So the default is UTF-16, except for the two forms only doccano 1.0-1.2 wrote (the
``annotations`` list and the ``labels`` key), which are read as code points.
``--offsets`` overrides both. The files carry no span text, so the unit cannot be checked:
when it changes where a span lands (a character outside the BMP before a span), the
summary line says which unit was assumed and names ``--offsets``. An offset that splits
a character or falls outside the text stops the import with the file and line.

Whose annotations: an annotation's ``user`` (1.0-1.2: a user id, kept as
``doccano-user-<id>``), else the record's ``"annotator"`` (our own exports), else
``--annotator`` when given, else the file name, as doccano exports one
``<username>.jsonl`` per user since 1.3 (``all.jsonl``, its collaborative export, and
the single file of 1.0-1.2, name no one: then your login name). doccano 1.0-1.2 wrote
label *ids* in its "JSONL" export:
``--doccano-labels FILE`` names them from doccano's label export
(``project_<n>_labels.json``: ``[{"id": 2, "text": "ORG", ...}]``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Document, Relation, Span, describe_validation_error
from ..store import ImportRecord
from ..text.offsets import CODEPOINTS, UTF16, Utf16, convert_in, normalize_with_map
from . import jsonio
from .jsonl import looks_like_doccano
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "doccano"
SUFFIXES = (".jsonl", ".json")

CATEGORY = "doccano category label (document labels not supported yet)"
TEXT_LABEL = "doccano text answer (sequence-to-sequence labels not supported yet)"
COMMENT = "doccano comment (document comments not supported yet)"
NOTE_UTF16 = ("doccano record(s) with an emoji or other non-BMP character before a span: offsets read as UTF-16 "
              "code units, as doccano 1.5 and later count (--offsets codepoints for doccano 1.0-1.4)")
NOTE_CODEPOINTS = ("doccano 1.0-1.2 record(s) with an emoji or other non-BMP character before a span: offsets read "
                   "as code points, as doccano 1.0-1.4 count (--offsets utf16 for doccano 1.5 and later)")

#: Keys this importer reads; every other key of a record is kept as document meta.
_READ_KEYS = frozenset({"text", "label", "labels", "entities", "relations", "cats", "annotations", "Comments",
                        "annotator", "name", "meta"})
_SPACE = re.compile(r"[ \t\n\r]*")
#: Finds where each JSON value of a multi-line file ends; each value is then parsed strictly by jsonio.
_RAW = json.JSONDecoder()
#: How much of a file sniff() reads at most to see its first record whole.
_SNIFF_BYTES = 1024 * 1024


# -- which files are doccano's -------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    """A first record in one of doccano's shapes (see :func:`~.jsonl.looks_like_doccano`)."""
    first = _first_record(head)
    if first is _INCOMPLETE and len(head) >= 4096:
        try:
            with jsonio.open_regular(path) as fh:
                first = _first_record(fh.read(_SNIFF_BYTES))
        except (AnnotatorError, OSError):
            return False
    return isinstance(first, dict) and looks_like_doccano(first)


_INCOMPLETE = object()


def _first_record(head: bytes) -> Any:
    """The first record of a JSONL, JSON array or pretty-printed file, or _INCOMPLETE (never raises)."""
    try:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        if text.startswith("["):
            text = text[1:].lstrip(" \t\r\n")
        if not text.startswith("{"):
            return None
        value, _ = _RAW.raw_decode(text)
        return value
    except (ValueError, RecursionError):
        return _INCOMPLETE


# -- reading -------------------------------------------------------------------------------------


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    labels = _label_names(context)
    for number, where, value in records_of(path, context):
        skipped: list[tuple[str, str, int]] = []
        try:
            if not isinstance(value, dict):
                raise AnnotatorError(f"{where}: expected a JSON object with a \"text\" field")
            record = record_from_line(
                value, where, f"{path.stem}-{number}", annotator_for(value, path, context), context, labels, skipped
            )
        except AnnotatorError as error:
            context.invalid(error)
            continue
        for reason, spot, n in skipped:  # counted only for records that are imported
            context.skip(reason, spot, n)
        yield record


def records_of(path: Path, context: ImportContext) -> Iterator[tuple[int, str, Any]]:
    """(number, where, JSON value) of each record: JSONL streamed line by line (number: the line); a JSON
    array or pretty-printed objects (a first line that is not a whole JSON value) read whole (number: the
    record's position in the file; where: its line and position)."""
    with jsonio.open_regular(path) as fh:
        first = fh.readline(jsonio.MAX_LINE_BYTES + 1)
        while first and not first.strip():
            first = fh.readline(jsonio.MAX_LINE_BYTES + 1)
    stripped = first.removeprefix(b"\xef\xbb\xbf").strip()
    if not stripped:
        raise AnnotatorError(f"{path} is empty: there is nothing to import")
    whole = stripped.startswith(b"[")
    if not whole and len(first) <= jsonio.MAX_LINE_BYTES:
        try:
            jsonio.loads(stripped, str(path))
        except AnnotatorError:
            whole = True  # "{" alone, or an object over several lines
    if whole:
        yield from _values(path, context)
    else:
        yield from _lines(path, context)


def _lines(path: Path, context: ImportContext) -> Iterator[tuple[int, str, Any]]:
    """JSONL, line by line (memory bounded by the longest line); a bad line is one invalid record."""
    for number, value in jsonio.json_lines(path, on_error=context.invalid):
        yield number, f"{path} line {number}", value


def _values(path: Path, context: ImportContext) -> Iterator[tuple[int, str, Any]]:
    """Every JSON value of a whole file, an array's items one by one, each with the line it starts on."""
    text = decode(jsonio.read_bytes(path), str(path)).removeprefix("\ufeff")
    lines = _Lines(text)
    pos = _SPACE.match(text).end()
    depth_one = False  # inside the top-level array
    number = 0
    while pos < len(text):
        if not depth_one and text[pos] == "[":
            depth_one = True
            pos = _SPACE.match(text, pos + 1).end()
            if text.startswith("]", pos):
                depth_one = False
                pos = _SPACE.match(text, pos + 1).end()
            continue
        number += 1
        where = f"{path} line {lines.at(pos)}, record {number}"
        try:
            end = _end_of_value(text, pos, where)
        except AnnotatorError as error:
            context.invalid(error)  # under --skip-invalid: go on at the next line
            pos = _SPACE.match(text, _next_line(text, pos)).end()
            depth_one = False
            continue
        try:
            yield number, where, jsonio.loads(text[pos:end], where)
        except AnnotatorError as error:
            context.invalid(error)
        pos = _SPACE.match(text, end).end()
        if depth_one:
            if text.startswith(",", pos):
                pos = _SPACE.match(text, pos + 1).end()
            elif text.startswith("]", pos):
                depth_one = False
                pos = _SPACE.match(text, pos + 1).end()
            else:
                context.invalid(AnnotatorError(f"{path} line {lines.at(pos)}: invalid JSON (expecting ',' or ']' "
                                               "between the items of the array)"))
                return


def _end_of_value(text: str, pos: int, where: str) -> int:
    try:
        return _RAW.raw_decode(text, pos)[1]
    except json.JSONDecodeError as exc:
        at = f" at line {exc.lineno} column {exc.colno}"
        raise AnnotatorError(f"{where}: invalid JSON ({exc.msg}{at})") from None
    except (ValueError, RecursionError):
        jsonio.loads(text[pos:], where)  # says what the limit or problem is
        raise AnnotatorError(f"{where}: invalid JSON") from None


def _next_line(text: str, pos: int) -> int:
    found = text.find("\n", pos)
    return len(text) if found < 0 else found + 1


class _Lines:
    """Line numbers of ascending positions in one text, counted once."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos > self.pos:
            self.line += self.text.count("\n", self.pos, pos)
            self.pos = pos
        return self.line


def _label_names(context: ImportContext) -> dict[int, str] | None:
    """doccano's label export (--doccano-labels), as label id -> name."""
    path = getattr(context, "doccano_labels", None)
    if path is None:
        return None
    items = jsonio.load_file(Path(path))
    if isinstance(items, dict) and isinstance(items.get("results"), list):
        items = items["results"]  # the paginated API answer, saved
    names: dict[int, str] = {}
    for i, item in enumerate(items if isinstance(items, list) else [None]):
        if not (isinstance(item, dict) and _is_int(item.get("id")) and isinstance(item.get("text"), str)):
            raise AnnotatorError(f"{path}: expected doccano's label export, a JSON list of "
                                 f"{{\"id\": 2, \"text\": \"ORG\", ...}} (item {i + 1} is not)")
        names[item["id"]] = item["text"]
    return names


def annotator_for(obj: Any, path: Path, context: ImportContext) -> str:
    """The record's annotator, else --annotator if given, else the file name (doccano's per-user export
    since 1.3; 1.0-1.2 wrote one file named by whoever saved it: then --annotator or your login name)."""
    if isinstance(obj, dict) and isinstance(obj.get("annotator"), str) and obj["annotator"].strip():
        return obj["annotator"]
    if context.annotator_given or path.stem.lower() == "all" or _old_form(obj):
        return context.annotator
    return path.stem


def _old_form(obj: Any) -> bool:
    """Whether a record has a shape only doccano 1.0-1.2 wrote: the "annotations" list or the "labels" key."""
    return isinstance(obj, dict) and ("annotations" in obj or isinstance(obj.get("labels"), list))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _user(value: Any, default: str) -> str:
    """An annotation's ``user``: a name, or a doccano 1.0-1.2 user id."""
    if _is_int(value):
        return f"doccano-user-{value}"
    if isinstance(value, str) and value.strip():
        return value
    return default


def _stamp(value: Any) -> str | None:
    """doccano's ``created_at``/``updated_at`` in our form (ISO 8601 UTC, milliseconds), if it is one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def record_from_line(
    obj: dict[str, Any], where: str, default_name: str, annotator: str, context: ImportContext,
    label_names: dict[int, str] | None = None, skipped: list[tuple[str, str, int]] | None = None,
) -> ImportRecord:
    """One doccano record as an ImportRecord, fully checked; what it cannot hold goes to ``skipped``."""
    skipped = [] if skipped is None else skipped
    raw = obj.get("text")
    text_key = "text"
    if not isinstance(raw, str) and isinstance(obj.get("data"), str):
        raw, text_key = obj["data"], "data"  # doccano 1.3-1.6
    if not isinstance(raw, str):
        raise AnnotatorError(f"{where}: expected a JSON object with a \"text\" field")
    text, move = normalize_with_map(raw)
    if not text.strip():
        raise AnnotatorError(f"{where}: \"text\" is empty")
    meta: dict[str, Any] = {}
    if isinstance(obj.get("meta"), dict):
        meta.update(obj["meta"])
    elif "meta" in obj and obj["meta"] is not None:
        meta["meta"] = obj["meta"]
    for key, value in obj.items():
        if key not in _READ_KEYS and key != text_key:
            meta.setdefault(key, value)
    comments = obj.get("Comments")  # doccano 1.8.1+: a list of strings, or of {"id", "comment"} with relations
    if isinstance(comments, list) and comments:
        skipped.append((COMMENT, f"{where} Comments", len(comments)))
    elif comments not in (None, []):
        meta.setdefault("Comments", comments)
    name = obj["name"] if isinstance(obj.get("name"), str) and obj["name"] else default_name
    doc = Document.from_text(name, text, meta)

    unit = context.offsets or (CODEPOINTS if _old_form(obj) else UTF16)
    index = Utf16(raw)
    moved = False  # whether the unit changed where any span lands

    def span(start: Any, end: Any, label: Any, spot: str, who: str = annotator, stamps: Any = None) -> Span:
        nonlocal moved
        if not (_is_int(start) and _is_int(end)) or not isinstance(label, str):
            raise AnnotatorError(f"{spot}: expected integer start and end offsets and a string label")
        try:
            cp_start, cp_end = convert_in(raw, start, end, unit, index)
            extra = {k: v for k, v in (stamps or {}).items() if v}
            made = Span(document_id=doc.id, start=move(cp_start), end=move(cp_end), label=label, annotator=who,
                        **extra)
            made.check(text, context.schema)
        except ValidationError as exc:
            raise AnnotatorError(f"{spot}: {describe_validation_error(exc)}") from None
        except ValueError as exc:
            raise AnnotatorError(f"{spot}: {exc} ({unit} offsets {start}-{end}; see --offsets)") from None
        if index.astral and index.to_units(cp_end) != cp_end:
            moved = True
        return made

    def span_item(item: Any, spot: str, key: str) -> Span | None:
        """A span from ``[start, end, label]`` or ``{"start_offset", "end_offset", "label"}``; None for a
        document label (a string), counted as skipped."""
        if isinstance(item, str):
            skipped.append((CATEGORY, spot, 1))
            return None
        if isinstance(item, (list, tuple)) and len(item) == 3:
            return span(*item, spot)
        if isinstance(item, dict) and "start_offset" in item:
            return span(item.get("start_offset"), item.get("end_offset"), item.get("label"), spot)
        raise AnnotatorError(f"{spot}: expected [start, end, label] or a category name in \"{key}\"")

    spans: list[Span] = []
    relations: list[Relation] = []
    by_id: dict[Any, Span] = {}
    for key in ("label", "labels", "entities"):
        items = obj.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise AnnotatorError(f"{where}: \"{key}\" must be a list of [start, end, label]")
        context.check_span_count(len(items), where)
        for i, item in enumerate(items):
            made = span_item(item, f"{where} {'entity' if key == 'entities' else 'label'} {i + 1}", key)
            if made is not None:
                spans.append(made)
                if key == "entities":
                    by_id[item.get("id", i) if isinstance(item, dict) else i] = made

    cats = obj.get("cats")
    if isinstance(cats, list) and cats:
        skipped.append((CATEGORY, f"{where} cats", len(cats)))
    elif cats not in (None, []):
        raise AnnotatorError(f"{where}: \"cats\" must be a list of category names")

    annotations = obj.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, list):
            raise AnnotatorError(f"{where}: \"annotations\" must be a list")
        context.check_span_count(len(annotations), where)
        for i, item in enumerate(annotations):
            spot = f"{where} annotation {i + 1}"
            if not isinstance(item, dict) or "label" not in item and "text" not in item:
                raise AnnotatorError(f"{spot}: expected an object with label, start_offset, end_offset and user")
            if "start_offset" not in item and "end_offset" not in item:
                skipped.append((CATEGORY if "label" in item else TEXT_LABEL, spot, 1))
                continue
            label = item.get("label")
            if _is_int(label):
                if label_names is None:
                    raise AnnotatorError(
                        f"{spot}: label {label} is a doccano label id (doccano 1.0-1.2's JSONL export): pass "
                        "--doccano-labels with doccano's label export (project_N_labels.json), or export "
                        "'JSONL(text label)'"
                    )
                if label not in label_names:
                    raise AnnotatorError(f"{spot}: label id {label} is not in the --doccano-labels file")
                label = label_names[label]
            stamps = {"created": _stamp(item.get("created_at")), "updated": _stamp(item.get("updated_at"))}
            spans.append(span(item.get("start_offset"), item.get("end_offset"), label, spot,
                              _user(item.get("user"), annotator), stamps))

    raw_relations = obj.get("relations")
    if raw_relations not in (None, []):
        if not isinstance(raw_relations, list):
            raise AnnotatorError(f"{where}: \"relations\" must be a list")
        for i, rel in enumerate(raw_relations):
            spot = f"{where} relation {i + 1}"
            if not isinstance(rel, dict) or not isinstance(rel.get("type"), str):
                raise AnnotatorError(f"{spot}: expected an object with from_id, to_id and type")
            head, child = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id"))
            if head is None or child is None:
                raise AnnotatorError(f"{spot}: from_id or to_id is not an entity of this record")
            if not context.schema.relation_allowed(rel["type"], head.label, child.label):
                raise AnnotatorError(
                    f"{spot}: relation {rel['type']!r} is not allowed from {head.label} to {child.label} by the schema"
                )
            relations.append(
                Relation(document_id=doc.id, head=head.id, child=child.id, label=rel["type"], annotator=annotator)
            )

    if moved and context.offsets is None:
        context.notes[NOTE_CODEPOINTS if unit == CODEPOINTS else NOTE_UTF16] += 1
    return ImportRecord(doc, spans, relations)
