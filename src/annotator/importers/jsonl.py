"""The native JSONL format, which reads Prodigy's own files too: one document a line.

A line is ``{"text": ..., "meta": {...}}`` and may carry ``"name"``,
``"spans"`` (``start``, ``end``, ``label``, optional ``text``, ``annotator``,
``id``, ``note``) and ``"relations"``. Prodigy's keys are read as Prodigy writes
them (``db-out`` of ner.manual, spans.manual, rel.manual):

* a relation's ``head`` and ``child`` are *token* indices (the last token of each
  span), with ``head_span``/``child_span`` objects (``start``, ``end``,
  ``token_start``, ``token_end``, ``label``) that name the spans exactly: the span
  is found by those offsets (and label), else by its ``token_end``, else through the
  line's ``tokens``. ``head``/``child`` given as strings are span ids (our own older
  form). A relation to something that is not one of the line's spans is invalid;
* ``answer``: only examples answered ``accept`` are imported unless ``--answers``
  (:attr:`ImportContext.answers`) says otherwise, the others are counted as skipped.
  An imported ``reject`` or ``ignore`` is kept as the annotator's status for the
  document (``rejected``, ``skipped``), and so is an ``accept`` without spans
  (``done``: "nothing to tag here" is an answer), so that the export writes them back;
* ``_annotator_id`` names the annotator (``""``: nobody, our export's unannotated documents);
* a text of only whitespace is a document like any other; an empty text is skipped and counted.

Other keys (``tokens``, ``_input_hash``, ``_view_id``...) are not stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..ids import new_id, now
from ..models import Document, Relation, Span, describe_validation_error
from ..store import ImportRecord
from ..store.rows import StoredSpan, span_from_values, stored_span
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


#: Prodigy's answers, and the status each keeps for the annotator (accept: "done" when it has no spans).
ANSWERS = ("accept", "reject", "ignore")
ANSWER_STATUS = {"reject": "rejected", "ignore": "skipped"}


def answer_of(obj: Any, where: str) -> str | None:
    """The line's Prodigy ``answer`` (None when it has none: a task nobody answered, or our own older files)."""
    if not isinstance(obj, dict) or obj.get("answer") is None:
        return None
    answer = obj["answer"]
    if answer not in ANSWERS:
        raise AnnotatorError(f"{where}: \"answer\" is {answer!r}: Prodigy answers are \"accept\", \"reject\" or \"ignore\"")
    return answer


def record_from_json(
    obj: Any, where: str, default_name: str, context: ImportContext, answer: str | None = None
) -> ImportRecord | None:
    """One native or Prodigy record (a parsed JSON object) as an ImportRecord, fully checked;
    None when the line holds nothing to import (an empty text, counted as skipped)."""
    if not isinstance(obj, dict):
        raise AnnotatorError(f"{where}: expected a JSON object with a \"text\" field")
    text = obj.get("text")
    if not isinstance(text, str):
        raise AnnotatorError(f"{where}: missing or non-string \"text\" field")
    text = normalize(text)
    if not text:
        context.skip("empty text (nothing to annotate)", where)
        return None
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise AnnotatorError(f"{where}: \"meta\" must be an object")
    name = obj.get("name") or meta.get("name") or default_name
    if not isinstance(name, str):
        raise AnnotatorError(f"{where}: \"name\" must be a string")
    doc = Document.from_text(name, text, meta)
    default_annotator = obj.get("_annotator_id") or context.annotator
    spans: list[Span | StoredSpan] = []
    raw_spans = obj.get("spans") or []
    if not isinstance(raw_spans, list):
        raise AnnotatorError(f"{where}: \"spans\" must be a list")
    context.check_span_count(len(raw_spans), where)  # before building any (memory stays bounded)
    seen_ids: set[str] = set()
    made = now()  # the spans of a line are made at once
    label_names = set(context.schema.label_names)
    length = len(text)
    fast = _FAST_SPANS
    for i, raw in enumerate(raw_spans):
        # The common span, taken as it is: JSON's plain str and int, on the text, a known label, its
        # "text" (if any) the text there. Anything else goes the long way below, which says what is wrong.
        if fast and type(raw) is dict:
            start, end, label, span_id = raw.get("start"), raw.get("end"), raw.get("label"), raw.get("id")
            annotator, note, expected = raw.get("annotator") or default_annotator, raw.get("note") or "", raw.get("text")
            if (
                type(start) is int and type(end) is int and 0 <= start < end <= length and type(label) is str
                and label in label_names and type(annotator) is str and type(note) is str
                and (span_id is None or type(span_id) is str)
                and (type(expected) is not str or text[start:end] == expected)
            ):
                created, updated = raw.get("created"), raw.get("updated")
                span = stored_span((  # the row (no model: nothing here needs one, and the store writes rows)
                    new_id() if span_id is None else span_id, doc.id, start, end, label, annotator, note,
                    created if type(created) is str else made, updated if type(updated) is str else made,
                ))
                if span.id in seen_ids:
                    raise AnnotatorError(f"{where} span {i + 1}: duplicate span id {span.id!r}")
                seen_ids.add(span.id)
                spans.append(span)
                continue
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
        expected = raw.get("text") if isinstance(raw.get("text"), str) else None
        try:
            span = _plain_span(fields, made)
            if span is None:  # not the plain types: pydantic says what is wrong
                span = Span(**fields)
            if span.end > len(text) or span.label not in label_names or (
                expected is not None and text[span.start : span.end] != expected
            ):
                span.check(text, context.schema, expected)  # raises, saying why
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
    ends = _SpanEnds(spans, raw_spans, obj.get("tokens")) if raw_relations else None  # only when there are any
    for i, raw in enumerate(raw_relations):
        spot = f"{where} relation {i + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), str):
            raise AnnotatorError(f"{spot}: expected an object with head, child and label")
        head, child = (ends.find(raw, end_name, spot) for end_name in ("head", "child"))
        if not context.schema.relation_allowed(raw["label"], head.label, child.label):
            raise AnnotatorError(
                f"{spot}: relation {raw['label']!r} is not allowed from {head.label} to {child.label} by the schema"
            )
        relations.append(
            Relation(
                document_id=doc.id, head=head.id, child=child.id, label=raw["label"],
                annotator=raw.get("annotator") or head.annotator,
                **({"id": str(raw["id"])} if raw.get("id") is not None else {}),
            )
        )
    return ImportRecord(doc, spans, relations, statuses=_statuses(obj, answer, spans, context, where))


#: Whether spans of JSON's plain values are taken as rows without pydantic (tests turn it off to compare).
_FAST_SPANS = True


def _plain_span(fields: dict[str, Any], made: str) -> Span | None:
    """``Span(**fields)`` when the fields are the plain values its validation passes unchanged (JSON's
    str and int, start before end, neither negative), built without validating them again (a line
    holds many spans: this is most of the import's per-span cost); None otherwise."""
    start, end, label, annotator, note = (fields[k] for k in ("start", "end", "label", "annotator", "note"))
    if type(start) is not int or type(end) is not int or not 0 <= start < end:
        return None
    if type(label) is not str or type(annotator) is not str or type(note) is not str:
        return None
    return span_from_values((
        fields["id"] if "id" in fields else new_id(), fields["document_id"], start, end, label, annotator, note,
        fields.get("created", made), fields.get("updated", made),
    ))


def _statuses(obj: dict[str, Any], answer: str | None, spans: list[Span | StoredSpan], context: ImportContext,
              where: str) -> dict[str, str]:
    """The status a Prodigy answer keeps for the line's annotator (see the module's docstring)."""
    status = ANSWER_STATUS.get(answer or "") or ("done" if answer == "accept" and not spans else None)
    if status is None:
        return {}
    annotator = obj.get("_annotator_id")
    if annotator is None:
        annotator = context.annotator
    elif annotator == "":
        return {}  # nobody's: our export's line for a document nobody annotated
    if not isinstance(annotator, str) or not annotator.strip() or not annotator.isprintable():
        raise AnnotatorError(f"{where}: \"_annotator_id\" {annotator!r} cannot name an annotator "
                             "(a non-empty string without control characters): rename it in the file")
    return {annotator: status}


class _SpanEnds:
    """Finds the span a relation's ``head`` or ``child`` names, as Prodigy or our older files write it."""

    def __init__(self, spans: list[Span | StoredSpan], raw_spans: list[Any], tokens: Any) -> None:
        self.spans = spans
        self.by_id = {s.id: s for s in spans}
        self.token_ends = [raw.get("token_end") for raw in raw_spans]
        self.tokens = tokens if isinstance(tokens, list) else None

    def find(self, raw: dict[str, Any], end_name: str, spot: str) -> Span:
        ref = raw.get(end_name)
        if isinstance(ref, str):  # a span id: our own older form
            if ref in self.by_id:
                return self.by_id[ref]
            raise AnnotatorError(f"{spot}: {end_name} {ref!r} is not the id of a span of this line")
        given = raw.get(f"{end_name}_span")
        if ref is None and given is not None:
            # a span on no token (whitespace only) has no token_end: its {end}_span still names it
            return self._by_offsets(given, end_name, spot)
        if not isinstance(ref, int) or isinstance(ref, bool):
            raise AnnotatorError(f"{spot}: {end_name} must be a token index (as Prodigy writes it) or a span id, "
                                 f"not {ref!r}")
        if given is not None:
            return self._by_offsets(given, end_name, spot)
        return self._by_token(ref, end_name, spot)

    def _by_offsets(self, given: Any, end_name: str, spot: str) -> Span:
        key = f"{end_name}_span"
        if not isinstance(given, dict) or any(
            isinstance(given.get(k), bool) or not isinstance(given.get(k), int) for k in ("start", "end")
        ):
            raise AnnotatorError(f"{spot}: {key} must be an object with integer start and end")
        start, end, label = given["start"], given["end"], given.get("label")
        found = [s for s in self.spans if s.start == start and s.end == end]
        if label is not None:
            found = [s for s in found if s.label == label]
        if len(found) == 1:
            return found[0]
        what = f"{start}-{end}" + (f" {label}" if label is not None else "")
        if not found:
            raise AnnotatorError(f"{spot}: its {end_name} ({key} {what}) is not one of the line's spans: "
                                 "a relation links two spans; add that span to \"spans\"")
        raise AnnotatorError(f"{spot}: its {end_name} ({key} {what}) matches {len(found)} spans of the line "
                             "(different labels): give the label in " + key)

    def _by_token(self, index: int, end_name: str, spot: str) -> Span:
        if any(t is not None for t in self.token_ends):
            found = [s for s, t in zip(self.spans, self.token_ends) if t == index]
            how = "span ends (token_end)"
        elif self.tokens is not None:
            token = self.tokens[index] if 0 <= index < len(self.tokens) else None
            token_end = token.get("end") if isinstance(token, dict) else None
            if not isinstance(token_end, int) or isinstance(token_end, bool):
                raise AnnotatorError(f"{spot}: {end_name} {index} is not a token of the line's \"tokens\" "
                                     f"({len(self.tokens)} tokens, each with start and end)")
            found = [s for s in self.spans if s.end == token_end]
            how = "span ends"
        else:
            raise AnnotatorError(f"{spot}: {end_name} {index} is a token index (as Prodigy writes it), but the "
                                 f"line has no {end_name}_span, no token_end on its spans and no tokens to find "
                                 "the span by: add them as Prodigy does")
        if len(found) == 1:
            return found[0]
        if not found:
            raise AnnotatorError(f"{spot}: no span of the line ends at token {index} (its {end_name}): "
                                 "a relation links two spans; add that span to \"spans\"")
        raise AnnotatorError(f"{spot}: {len(found)} spans of the line end at token {index} (its {end_name}; "
                             f"{how}): give {end_name}_span to say which")


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    if context.offsets not in (None, "codepoints"):
        raise AnnotatorError(f"--offsets {context.offsets}: jsonl offsets are code points (as Prodigy and spaCy count)")
    wanted = getattr(context, "answers", None) or frozenset({"accept"})
    for number, obj in parse_lines(path):
        where = f"{path} line {number}"
        if looks_like_doccano(obj) and any(obj.get(key) for key in DOCCANO_KEYS):
            raise AnnotatorError(f"{where}: a doccano line (\"label\"/\"entities\"): pass --format doccano")
        try:
            answer = answer_of(obj, where)
            if answer is not None and answer not in wanted:
                context.skip(f"answered {answer} (see --answers)", where)
                continue
            record = record_from_json(obj, where, f"{path.stem}-{number}", context, answer)
        except AnnotatorError as error:
            context.invalid(error)  # raised, or listed under --skip-invalid
            continue
        if record is not None:
            yield record
