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
  space of a ``ws`` overlaps no token and has ``null`` there. In the gold layer (``--gold``)
  ``annotator`` is the reviewer, ``note`` the notes of the annotators the span came from
  (``alice, bob: text``, a line each) and ``annotators`` (a list, on every gold span) those annotators;
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
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import islice, repeat
from json.encoder import c_make_encoder, encode_basestring
from operator import ne
from typing import IO, Any

from ..models import Status
from ..text.offsets import CODEPOINTS
from ..text.tokens import Tokenized
from . import ExportOptions, ExportRecord, ExportSummary, SpanOffsets, sorted_relations

FORMAT = "jsonl"
TARGET = "text"
UNITS = (CODEPOINTS,)


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    for record in records:
        out.write(line(record))
        summary.count(record)
    return summary


#: The Prodigy answer a record's status stands for (any other status, or none: accept).
STATUS_ANSWER = {Status.skipped: "ignore", Status.rejected: "reject"}


def task(record: ExportRecord) -> dict[str, Any]:
    """The JSON object of one record (:func:`line` writes the same object, faster)."""
    columns = token_columns(record)
    tokens = [
        {"text": text, "start": start, "end": end, "id": i, "ws": ws}
        for i, (text, start, end, ws) in enumerate(zip(*columns))
    ]
    return {"text": record.document.text, "meta": record.document.meta, "name": record.document.name,
            "tokens": tokens, **_annotations(record, columns)}


def line(record: ExportRecord) -> str:
    """``json.dumps(task(record), ensure_ascii=False)`` and a line break, written piece by piece:
    the tokens (most of the line) without a dict each, by C loops (tests/formats checks both agree)."""
    doc = record.document
    columns = token_columns(record)
    text = _string(doc.text)
    return (f'{{"text": {text}, "meta": {_encode(doc.meta)}, "name": {_string(doc.name)}, '
            f'"tokens": [{_tokens_json(*columns)}], {_annotations_json(record, columns, text)}}}\n')


def _annotations_json(record: ExportRecord, columns: TokenColumns, text_json: str) -> str:
    """The JSON of :func:`_annotations` without its braces, each span written as one string (no
    dict a span, no encoder pass over them); relations (few) as dicts."""
    text = record.document.text
    _, starts, ends, _ = columns
    gold = record.sources is not None
    spans: list[str] = []
    keys: list[str] = []  # [start,end,"label"] of each span, for the task hash
    refs: dict[str, tuple[int, int, int | None, int | None, str]] = {}
    for span in record.spans:
        start, end = span.start, span.end  # code points, written as stored (see SpanOffsets)
        first, last = bisect_right(ends, start), bisect_left(starts, end) - 1  # the tokens it overlaps
        if first > last:
            first = last = None
        label = _string(span.label)
        more = f', "annotators": {_encode(list(record.annotators_of(span)))}' if gold else ""
        spans.append(
            f'{{"start": {start}, "end": {end}, "label": {label}, "text": {_string(text[start:end])}, '
            f'"token_start": {"null" if first is None else first}, "token_end": {"null" if last is None else last}, '
            f'"id": {_string(span.id)}, "annotator": {_string(span.annotator)}, "note": {_string(span.note)}{more}}}'
        )
        keys.append(f"[{start},{end},{label}]")
        if record.relations:
            refs[span.id] = (start, end, first, last, span.label)
    relations = [
        {"head": head[3], "child": child[3], "head_span": _ref(head), "child_span": _ref(child), "label": rel.label}
        for rel in sorted_relations(record)
        for head, child in [(refs[rel.head], refs[rel.child])]
    ]
    input_hash, task_hash = _hashes_json(
        text_json, f"[{','.join(keys)}]",
        _compact([[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in relations]),
    )
    return (f'"spans": [{", ".join(spans)}], "relations": {_encode(relations)}, '
            f'"answer": {_string(STATUS_ANSWER.get(record.status, "accept"))}, "_input_hash": {input_hash}, '
            f'"_task_hash": {task_hash}, "_annotator_id": {_string(record.annotator)}')


def _ref(span: tuple[int, int, int | None, int | None, str]) -> dict[str, Any]:
    return dict(zip(("start", "end", "token_start", "token_end", "label"), span))


def _annotations(record: ExportRecord, columns: TokenColumns, text_json: str | None = None) -> dict[str, Any]:
    """The keys after ``tokens``: spans, relations, answer, hashes, annotator (``text_json``: the
    text as a JSON string, if at hand)."""
    doc = record.document
    _, starts, ends, _ = columns
    offsets = SpanOffsets(record, CODEPOINTS)
    spans = []
    gold = record.sources is not None
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
        if gold:
            spans[-1]["annotators"] = list(record.annotators_of(span))
    by_id = {s["id"]: s for s in spans}
    relations = [
        {
            "head": by_id[rel.head]["token_end"], "child": by_id[rel.child]["token_end"],
            "head_span": _span_ref(by_id[rel.head]), "child_span": _span_ref(by_id[rel.child]),
            "label": rel.label,
        }
        for rel in sorted_relations(record)
    ]
    input_hash, task_hash = _hashes(
        _string(doc.text) if text_json is None else text_json,
        [[s["start"], s["end"], s["label"]] for s in spans],
        [[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in relations],
    )
    return {
        "spans": spans, "relations": relations, "answer": STATUS_ANSWER.get(record.status, "accept"),
        "_input_hash": input_hash, "_task_hash": task_hash, "_annotator_id": record.annotator,
    }


#: The tokens as columns: texts, starts, ends, ws.
TokenColumns = tuple[list[str], list[int], list[int], list[bool]]


def token_columns(record: ExportRecord) -> TokenColumns:
    """The document's Prodigy tokens (:func:`prodigy_tokens`), made once per document."""
    cache = record.cache
    if cache is None:
        return prodigy_columns(record.tokenized)
    return cache.get(FORMAT, lambda text: prodigy_columns(record.tokenized))


def prodigy_tokens(text: str) -> list[dict[str, Any]]:
    """The tokens of ``text`` as spaCy keeps whitespace: after a token, one space is its ``ws``
    and the rest of a run of whitespace (or a run not starting with a space, or at the start of the
    text) is a token of its own, so joining each token's text and a space where ``ws`` gives ``text``."""
    return [
        {"text": t, "start": s, "end": e, "id": i, "ws": w}
        for i, (t, s, e, w) in enumerate(zip(*prodigy_columns(Tokenized(text))))
    ]


#: A run of whitespace that is a token of its own (or holds one): anything but one space (between two
#: tokens, or after the last one), and any run at the start of the text. Scanning left to right, a
#: match always starts where a run starts and takes all of it. (``\s{2,}|[^\S ]|\A `` written so that
#: every alternative starts with ``\s``: the scan skips other characters without trying each one.)
_WHITESPACE_TOKEN = re.compile(r"\s(?:\s+|(?<=[^ ])|(?<=\A ))")


def prodigy_columns(tokenized: Tokenized) -> TokenColumns:
    """:func:`prodigy_tokens` as columns, from the one tokenizer's tokens, by C loops: only the
    whitespace tokens (few: line breaks, double spaces) are placed one by one."""
    text = tokenized.text
    texts, starts, ends = tokenized.texts, tokenized.starts, tokenized.ends
    if not starts:
        return ([text], [0], [len(text)], [False]) if text else ([], [], [], [])
    # ws: one space follows. Between two tokens that is the same as "they do not touch", except
    # where the whitespace is a token of its own (set below); after the last token, look.
    ws = list(map(ne, ends, islice(starts, 1, None)))
    ws.append(text[ends[-1] : ends[-1] + 1] == " ")
    spaces = list(map(_match_span, _WHITESPACE_TOKEN.finditer(text)))
    if not spaces:
        return texts, starts, ends, ws
    if len(spaces) <= _FEW_SPACES:  # copy the columns once and put each in place (a memmove each)
        texts, starts, ends = texts[:], starts[:], ends[:]
        for a, b in reversed(spaces):  # from the end: the places before stay where they are
            i = bisect_left(starts, b)  # the whitespace token goes before the token at b
            if i:
                ws[i - 1] = text[a] == " "
            if a > 0 and text[a] == " ":
                a += 1  # the first space is the ws of the token before
            texts.insert(i, text[a:b])
            starts.insert(i, a)
            ends.insert(i, b)
            ws.insert(i, False)
        return texts, starts, ends, ws
    new_texts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_ws: list[bool] = []
    done = 0  # tokens of the tokenizer copied so far
    for a, b in spaces:
        i = bisect_left(starts, b, done)  # the whitespace token goes before the token at b
        if i:
            ws[i - 1] = text[a] == " "
        if a > 0 and text[a] == " ":
            a += 1  # the first space is the ws of the token before
        new_texts += texts[done:i]
        new_texts.append(text[a:b])
        new_starts += starts[done:i]
        new_starts.append(a)
        new_ends += ends[done:i]
        new_ends.append(b)
        new_ws += ws[done:i]
        new_ws.append(False)
        done = i
    new_texts += texts[done:]
    new_starts += starts[done:]
    new_ends += ends[done:]
    new_ws += ws[done:]
    return new_texts, new_starts, new_ends, new_ws


_match_span = re.Match.span
#: Up to this many whitespace tokens, they are inserted into copies of the columns; more (a long text
#: of many lines), the columns are built piece by piece (each insert moves the rest of the column).
_FEW_SPACES = 16
_dumps = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False)
_string = encode_basestring  # the same for a str (the C encoder json.dumps uses)
if c_make_encoder is not None:  # _dumps without making a new C encoder a call (values here are never circular)
    _iterencode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ": ", ", ",
                                 False, False, True)

    def _encode(value: Any) -> str:
        return "".join(_iterencode(value, 0))
else:  # pragma: no cover - Python without the _json accelerator
    _encode = _dumps

_WS_JSON = {True: ', "ws": true}, ', False: ', "ws": false}, '}
#: str(i) for the offsets of most documents, made once (a longer document uses str).
_NUMBERS: list[str] = []
_MAX_NUMBERS = 1 << 15


def _tokens_json(texts: list[str], starts: list[int], ends: list[int], ws: list[bool]) -> str:
    """The JSON of the tokens' objects, between ``[`` and ``]``, as ``json.dumps`` writes them.

    Nine pieces a token, each kind put in place with one slice assignment (a loop in C), then one join.
    """
    n = len(texts)
    if not n:
        return ""
    top = ends[-1] + 1  # above every offset and id
    if top <= _MAX_NUMBERS:
        if len(_NUMBERS) < top:
            _NUMBERS.extend(map(str, range(len(_NUMBERS), min(_MAX_NUMBERS, max(top, 2 * len(_NUMBERS))))))
        number, ids = _NUMBERS.__getitem__, _NUMBERS[:n]
    else:
        number, ids = str, list(map(str, range(n)))
    pieces = [', "end": '] * (9 * n)
    pieces[0::9] = repeat('{"text": ', n)
    pieces[1::9] = map(encode_basestring, texts)
    pieces[2::9] = repeat(', "start": ', n)
    pieces[3::9] = map(number, starts)
    pieces[5::9] = map(number, ends)
    pieces[6::9] = repeat(', "id": ', n)
    pieces[7::9] = ids
    pieces[8::9] = map(_WS_JSON.__getitem__, ws)
    pieces[-1] = pieces[-1][:-2]  # no ", " after the last
    return "".join(pieces)


def _span_ref(span: dict[str, Any]) -> dict[str, Any]:
    return {k: span[k] for k in ("start", "end", "token_start", "token_end", "label")}


def stable_hash(*parts: Any) -> int:
    """A signed 32-bit hash of JSON-able parts, the same on every machine and run (unlike ``hash``)."""
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "big", signed=True)


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _hashes(text_json: str, spans: list[Any], relations: list[Any]) -> tuple[int, int]:
    """``stable_hash(text)`` and ``stable_hash(text, spans, relations)``, the text (``text_json``,
    already a JSON string) encoded and hashed once for both."""
    return _hashes_json(text_json, _compact(spans), _compact(relations))


def _hashes_json(text_json: str, spans_json: str, relations_json: str) -> tuple[int, int]:
    """:func:`_hashes` of the spans and relations already written as compact JSON."""
    head = hashlib.blake2b(b"[" + text_json.encode("utf-8"), digest_size=4)
    input_hash, task_hash = head.copy(), head
    input_hash.update(b"]")
    task_hash.update(f",{spans_json},{relations_json}]".encode("utf-8"))
    return tuple(int.from_bytes(h.digest(), "big", signed=True) for h in (input_hash, task_hash))  # type: ignore[return-value]
