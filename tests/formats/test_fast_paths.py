"""The exporters' fast paths write exactly what the plain code they replace writes.

jsonl writes each line piece by piece (the tokens without a dict each); the reference is
``json.dumps`` of :func:`annotator.exporters.jsonl.task`, and the tokens are checked against the
rule spaCy keeps whitespace by, written plainly here.
"""

from __future__ import annotations

import io
import json
import os
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.exporters import ExportOptions, ExportRecord
from annotator.exporters import jsonl
from annotator.models import Document, Relation, Span, Status
from annotator.text.tokens import tokenize

PIECES = [*"ab Z9 \n\t\r.,'’-&%$€#@+()\"\\/:;!?“”", "  ", " \n", "\n ", "\n\n", "\u00a0", "\u2028", "\x01", "\x1b",
          "e\u0301", "👩🏽\u200d💻", "\U0001f1eb\U0001f1f7", "東京", "שלום"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def plain_prodigy_tokens(text: str) -> list[dict]:
    """After a token, one space is its ws; the rest of a run of whitespace (a run not starting with a
    space, or at the start of the text) is a token of its own."""
    out: list[dict] = []
    pos = 0

    def whitespace(start: int, end: int) -> None:
        if out and text[start] == " ":
            out[-1]["ws"] = True
            start += 1
        if start < end:
            out.append({"text": text[start:end], "start": start, "end": end, "id": len(out), "ws": False})

    for token in tokenize(text):
        if token.start > pos:
            whitespace(pos, token.start)
        out.append({"text": token.text, "start": token.start, "end": token.end, "id": len(out), "ws": False})
        pos = token.end
    if pos < len(text):
        whitespace(pos, len(text))
    return out


@given(texts, st.data())
@settings(max_examples=300)
def test_a_jsonl_line_is_json_dumps_of_its_task(text, data):
    doc = Document(id="d1", name='n"\x1b', text=text, meta={"k": [1, "\u2028"], "tokens": [], "x": None})
    spans = []
    for i in range(data.draw(st.integers(0, 3)) if text else 0):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append(Span(id=f"s{i}", document_id="d1", start=start, end=end, label="CLAIM", annotator="a", note="ñ"))
    relations = [Relation(id="r1", document_id="d1", head=spans[0].id, child=spans[-1].id, label="REL",
                          annotator="a")] if spans else []
    status = data.draw(st.sampled_from([None, Status.done, Status.skipped, Status.rejected]))
    record = ExportRecord(doc, "a", spans, relations, status=status)
    task = jsonl.task(record)
    assert jsonl.line(record) == json.dumps(task, ensure_ascii=False) + "\n"
    assert task["_input_hash"] == jsonl.stable_hash(text)
    assert task["_task_hash"] == jsonl.stable_hash(
        text, [[s["start"], s["end"], s["label"]] for s in task["spans"]],
        [[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in task["relations"]],
    )
    tokens = json.loads(jsonl.line(record))["tokens"]
    assert tokens == plain_prodigy_tokens(text) == jsonl.prodigy_tokens(text)
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text


def test_a_long_document_uses_plain_numbers():
    text = "word " * 8000  # offsets past the table of number strings
    record = ExportRecord(Document(id="d", name="n", text=text), "a", [], [])
    assert jsonl.line(record) == json.dumps(jsonl.task(record), ensure_ascii=False) + "\n"


@given(st.lists(st.sampled_from([*PIECES, "  ", "\n\n", " \t "]), max_size=60).map("".join))
@settings(max_examples=200)
def test_prodigy_tokens_placed_by_insert_or_piece_by_piece_are_the_same(text):
    """Few whitespace tokens are inserted into copies of the columns; many are placed piece by piece."""
    from annotator.text.tokens import Tokenized

    fast = jsonl.prodigy_columns(Tokenized(text))
    saved = jsonl._FEW_SPACES
    jsonl._FEW_SPACES = 0
    try:
        assert jsonl.prodigy_columns(Tokenized(text)) == fast
    finally:
        jsonl._FEW_SPACES = saved
    tokens = [{"text": t, "start": s, "end": e, "id": i, "ws": w} for i, (t, s, e, w) in enumerate(zip(*fast))]
    assert tokens == plain_prodigy_tokens(text)


@given(st.text(alphabet=st.sampled_from([" ", "\n", "\t", "\xa0", "\u2028", "a", ".", "!", "”", "…", ")", "A"]),
               max_size=20), st.integers(0, 3))
@settings(max_examples=500)
def test_the_regexes_written_to_scan_faster_match_what_they_replace(text, start):
    import re

    from annotator.text import sentences

    whitespace_token = re.compile(r"\s{2,}|[^\S ]|\A ")
    candidate = re.compile(r"[.!?…][\"'”’)\]»›]*\s+|\n\s*\n\s*")
    assert [m.span() for m in jsonl._WHITESPACE_TOKEN.finditer(text)] == [m.span() for m in whitespace_token.finditer(text)]
    assert ([m.span() for m in sentences._CANDIDATE.finditer(text, start)]
            == [m.span() for m in candidate.finditer(text, start)])


def plain_conll_block(record, tokenized, kept) -> str:
    """CoNLL rows as the exporter wrote them before, a list of lines joined."""
    from annotator.exporters import conll

    tags = ["O"] * len(tokenized)
    for span, first, last in kept:
        tags[first] = f"B-{span.label}"
        tags[first + 1 : last + 1] = [f"I-{span.label}"] * (last - first)
    rows = [f"{text}{conll.NO_POS_CHUNK}{tag}" for text, tag in zip(tokenized.texts, tags)]
    lines = [conll.DOCSTART, ""]
    previous = 0
    for start in tokenized.sentence_starts([(first, last) for _, first, last in kept])[1:]:
        lines += rows[previous:start]
        lines.append("")
        previous = start
    lines += rows[previous:]
    return "\n".join(lines) + "\n\n"


@given(st.lists(st.sampled_from([*PIECES, "Then ", "It rose. ", "Évin. "]), max_size=40).map("".join), st.data())
@settings(max_examples=300)
def test_a_conll_block_is_the_rows_joined_line_by_line(text, data):
    from annotator.exporters import conll
    from annotator.text.tokens import Tokenized

    tokenized = Tokenized(text)
    n = len(tokenized)
    kept, free = [], 0
    while n and free < n and data.draw(st.booleans()):  # spans that share no token, as resolve_overlaps keeps them
        first = data.draw(st.integers(free, n - 1))
        last = data.draw(st.integers(first, min(n - 1, first + 3)))
        kept.append((Span(document_id="d", start=tokenized.starts[first], end=tokenized.ends[last],
                          label=data.draw(st.sampled_from(["CLAIM", "B-X", "Été"])), annotator="a"), first, last))
        free = last + 1
    record = ExportRecord(Document(id="d", name="n", text=text), "a", [k[0] for k in kept], [])
    assert conll.record_block(record, tokenized, kept) == plain_conll_block(record, tokenized, kept)


def _rich_records() -> list[ExportRecord]:
    records = []
    for i, text in enumerate(["Sony said revenue rose 5% in 2023.", "Évin told 🇫🇷 reporters\nthat \"prices\" fell.\n\nThen",
                              "東京 is big. The end. ", ""]):
        doc = Document(id=f"d{i}", name=f"doc {i}.txt", text=text, meta={"i": i})
        spans = []
        if text:
            words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+", text)]
            for j, (start, end) in enumerate(words[:4]):
                spans.append(Span(id=f"s{i}{j}", document_id=doc.id, start=start, end=end,
                                  label=["CLAIM", "SOURCE", "FIGURE", "ENTITY"][j], annotator="a",
                                  note=["", "a note", "line\nbreak", "=formula"][j]))
            spans.append(Span(id=f"w{i}", document_id=doc.id, start=0, end=len(text.rstrip()), label="CLAIM",
                              annotator="a"))
        relations = [Relation(id=f"r{i}", document_id=doc.id, head=spans[0].id, child=spans[1].id,
                              label="ATTRIBUTED_TO", annotator="a")] if len(spans) > 2 else []
        records.append(ExportRecord(doc, "a", spans, relations, status=Status.done if i == 1 else None))
    return records


@pytest.mark.parametrize("fmt,options", [("jsonl", {}), ("csv", {}), ("csv", {"offsets": "utf16"}),
                                         ("doccano", {"relations": True}), ("label-studio", {}),
                                         ("label-studio", {"offsets": "utf16"}), ("conll", {"overlap": "outer"})])
def test_spans_read_as_rows_export_as_span_models_do(fmt, options):
    """An export reads spans as StoredSpan rows; every format writes them as it writes Span models."""
    from annotator.exporters import brat, exporter
    from annotator.models import LabelSchema
    from annotator.store.rows import StoredSpan, stored_span

    def as_rows(record: ExportRecord) -> ExportRecord:
        rows = [stored_span((s.id, s.document_id, s.start, s.end, s.label, s.annotator, s.note, s.created, s.updated))
                for s in record.spans]
        assert all(type(r) is StoredSpan for r in rows)
        return ExportRecord(record.document, record.annotator, rows, record.relations, status=record.status)

    def written(records: list[ExportRecord]) -> str:
        out = io.StringIO()
        exporter(fmt).write(records, out, ExportOptions(schema=LabelSchema.default(), **options))
        return out.getvalue()

    models = _rich_records()
    assert written([as_rows(r) for r in models]) == written(_rich_records())
    for unit in ("codepoints", "utf16"):
        assert ([brat.ann_text(as_rows(r), unit) for r in models]
                == [brat.ann_text(r, unit) for r in _rich_records()])


# -- spaCy: the DocBin is spooled in chunks and written as one stream ------------------------------


def _spacy_records(n: int) -> list[ExportRecord]:
    texts = ["Sony said revenue rose 5% in 2023.", "Évin told 🇫🇷 reporters\nthat prices fell.", "東京 is big. The end."]
    records = []
    for i in range(n):
        text = f"{texts[i % 3]} Case {i}."
        doc = Document(id=f"d{i}", name=f"doc {i}.txt", text=text, meta={"i": i, "nested": {"x": [1.5, None]}})
        end = text.index(" ")
        spans = [Span(id=f"s{i}", document_id=doc.id, start=0, end=end, label="SOURCE", annotator="a", note="n"),
                 Span(id=f"t{i}", document_id=doc.id, start=0, end=len(text) - 1, label="CLAIM", annotator="a")]
        relations = [Relation(id=f"r{i}", document_id=doc.id, head=f"t{i}", child=f"s{i}", label="ATTRIBUTED_TO",
                              annotator="a")]
        records.append(ExportRecord(doc, "a" if i % 2 else "b", spans, relations))
    return records


@pytest.mark.parametrize("ents", [[], ["SOURCE"]])
def test_the_spooled_docbin_is_the_docbin_spacy_writes(monkeypatch, ents):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from annotator.exporters import Problems, spacy_docbin
    from annotator.models import LabelSchema

    options = ExportOptions(schema=LabelSchema.default(), ents=ents)
    records = _spacy_records(23)
    nlp = spacy.blank("en")
    expected = DocBin(store_user_data=True)
    for record in records:
        expected.add(spacy_docbin.make_doc(nlp, record, options, Problems("", ""), Problems("", "")))
    monkeypatch.setattr(spacy_docbin, "CHUNK", 5)  # five chunks, the last one short
    monkeypatch.setattr(spacy_docbin, "RELOAD", 7)  # Docs from four blank pipelines
    monkeypatch.setattr(spacy_docbin, "PIECE", 7)  # spool files read back in small pieces
    out = io.BytesIO()
    spacy_docbin.write(records, out, options)
    assert out.getvalue() == expected.to_bytes()
    empty = io.BytesIO()
    spacy_docbin.write([], empty, options)
    assert empty.getvalue() == DocBin(store_user_data=True).to_bytes()


def test_msgpack_headers_are_srsly_s():
    srsly = pytest.importorskip("srsly")
    from annotator.exporters.spacy_docbin import _array_header, _bin_header

    for n in (0, 1, 15, 16, 255, 256, 65535, 65536, 70000):
        assert srsly.msgpack_dumps([None] * n) == _array_header(n) + b"\xc0" * n
        assert srsly.msgpack_dumps(b"x" * n) == _bin_header(n) + b"x" * n


def test_spacy_checks_every_document_and_writes_nothing_when_a_span_is_off_its_tokens():
    pytest.importorskip("spacy")
    from annotator.errors import AnnotatorError
    from annotator.exporters import spacy_docbin
    from annotator.models import LabelSchema
    from srsly.msgpack import msgpack_encoders

    records = _spacy_records(6)
    for record in (records[1], records[4]):  # one early, one after it: both are listed
        record.spans.append(Span(id=f"x{record.document.id}", document_id=record.document.id, start=1, end=3,
                                 label="FIGURE", annotator="a"))
    out = io.BytesIO()
    with pytest.raises(AnnotatorError, match=r"^2 spans do not start and end on spaCy token boundaries.*doc 1\.txt.*doc 4\.txt"):
        spacy_docbin.write(records, out, ExportOptions(schema=LabelSchema.default()))
    assert out.getvalue() == b""
    assert "get_all" not in vars(msgpack_encoders)  # the encoders are read as usual again


# -- folders: a new --out is put in place with one rename ---------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_new_brat_folder_is_renamed_into_place_with_the_umask_s_mode(tmp_path, umask):
    from annotator.exporters import exporter, write_export
    from annotator.models import LabelSchema

    options = ExportOptions(schema=LabelSchema.default())
    old = os.umask(umask)
    try:
        write_export(exporter("brat"), _spacy_records(4), str(tmp_path / "new"), options)
        (tmp_path / "again").mkdir()
        (tmp_path / "again" / "kept.txt").write_text("mine")
        write_export(exporter("brat"), _spacy_records(4), str(tmp_path / "again"), options)
    finally:
        os.umask(old)
    new, again = tmp_path / "new", tmp_path / "again"
    assert (again / "kept.txt").read_text() == "mine"  # a folder already there: files moved in one by one
    written = sorted(p.relative_to(new) for p in new.rglob("*"))
    assert written == sorted(p.relative_to(again) for p in again.rglob("*") if p.name != "kept.txt")
    for path in [new, *new.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o777 if path.is_dir() else 0o666) & ~umask, path
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(new)).read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


def test_records_read_in_batches_are_the_records_read_one_document_at_a_time(tmp_path, monkeypatch):
    import annotator.exporters as exporters
    from annotator.exporters import Selection, export_records
    from annotator.store import ImportRecord, Store

    imported = []
    for i in range(11):
        doc = Document.from_text(f"d{i}.txt", f"Sony said revenue rose {i}% in 2023.")
        imported.append(ImportRecord(doc, [
            Span(document_id=doc.id, start=0, end=4, label="SOURCE", annotator=who) for who in ("a", "b")[: i % 3]
        ]))
    with Store(tmp_path / "a.db") as store:
        store.import_records(imported, actor="t")
        store.set_status(imported[3].document.id, "zed", "done")

        def read() -> list[tuple]:
            return [(r.document.id, r.annotator, r.spans, r.relations, r.status)
                    for r in export_records(store, Selection())]

        whole = read()
        assert (imported[3].document.id, "zed", [], [], Status.done) in whole
        assert len(whole) == sum(max(1, i % 3) for i in range(11))  # doc 3: zed's answer, not an unannotated record
        for batch, chars in ((3, 10**9), (200, 50), (1, 1)):
            monkeypatch.setattr(exporters, "BATCH", batch)
            monkeypatch.setattr(exporters, "BATCH_CHARS", chars)
            assert read() == whole


def test_spans_read_as_rows_hold_the_span_models_values(tmp_path, monkeypatch):
    from annotator.store import ImportRecord, Store, annotations
    from annotator.store.rows import SPAN_COLUMNS, StoredSpan

    monkeypatch.setattr(annotations, "_IN_LIMIT", 2)  # several IN (...) pieces
    with Store(tmp_path / "a.db") as store:
        records = []
        for i in range(5):
            doc = Document.from_text(f"d{i}.txt", f"Sony said {i} times that prices rose.")
            records.append(ImportRecord(doc, [Span(document_id=doc.id, start=s, end=e, label=label, annotator=who,
                                                   note="n" if who == "b" else "")
                                              for s, e, label in ((0, 4, "SOURCE"), (5, 9, "CLAIM"), (0, 9, "CLAIM"))
                                              for who in ("a", "b")[: i % 3]]))
        store.import_records(records, actor="t")
        store.conn.execute("UPDATE spans SET note = NULL WHERE note = ''")  # as an older database may hold
        ids = [*store.document_ids(), "not-a-document"]
        rows, models = store.stored_spans_of(ids), store.spans_of(ids)
        assert list(rows) == ids and sum(map(len, rows.values())) == 12
        for doc_id in ids:
            assert all(type(row) is StoredSpan for row in rows[doc_id])
            assert rows[doc_id] == [tuple(getattr(m, c) for c in SPAN_COLUMNS) for m in models[doc_id]]


# -- the JSONL import: spans built without validating plain values twice; depth checked after parsing --

raw_values = st.one_of(st.integers(-3, 40), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.none(),
                       st.sampled_from(["", "CLAIM", "SOURCE", "nope", "alice", "a note", "\x1b[2J"]),
                       st.lists(st.integers(), max_size=2))


def mostly(valid, invalid=raw_values):
    """Valid values nine times in ten: a line is imported only when all its spans are."""
    return st.integers(0, 9).flatmap(lambda n: invalid if n == 0 else valid)


raw_spans = st.fixed_dictionaries(
    {"start": mostly(st.integers(-1, 6)), "end": mostly(st.integers(0, 12)),
     "label": mostly(st.sampled_from(["CLAIM", "SOURCE"]), st.sampled_from(["nope", ""]) | raw_values)},
    optional={"annotator": mostly(st.sampled_from(["alice", "bob"])), "note": mostly(st.text(max_size=3)),
              "id": mostly(st.text("abc", min_size=1, max_size=3)), "text": st.sampled_from(["Sony", "So"]),
              "created": mostly(st.just("2024-01-02T03:04:05.000+00:00"))},
)


@given(st.lists(raw_spans, max_size=3))
@settings(max_examples=500)
def test_spans_of_a_jsonl_line_are_the_ones_pydantic_validates(spans):
    from annotator.errors import AnnotatorError
    from annotator.importers import ImportContext
    from annotator.importers import jsonl as importer
    from annotator.models import LabelSchema

    line = {"text": "Sony said revenue rose 5% in 2023, a record.", "spans": spans}
    context = ImportContext(annotator="bench", schema=LabelSchema.default())

    def outcome():
        try:
            record = importer.record_from_json(line, "f line 1", "f-1", context)
        except AnnotatorError as exc:
            return str(exc)
        dumped = []
        for span, raw in zip(record.spans, spans):
            fields = span._asdict() if isinstance(span, tuple) else span.model_dump()  # a row, or a Span
            if raw.get("id") is None:
                del fields["id"]  # a new one
            for stamp in ("created", "updated"):  # made now unless the line gives it: a time, not the same one
                if not isinstance(raw.get(stamp), str):
                    assert datetime.fromisoformat(fields.pop(stamp)).tzinfo is not None
            dumped.append(fields)
        return dumped

    fast = outcome()
    plain = importer._plain_span
    importer._plain_span = lambda fields, made: None  # every span through Span(**fields)
    importer._FAST_SPANS = False  # ...not taken as a row either
    try:
        assert outcome() == fast
    finally:
        importer._plain_span = plain
        importer._FAST_SPANS = True


json_values = st.recursive(st.one_of(st.integers(), st.text(alphabet='[]{}"\\ab:,'), st.none()),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                       max_size=3), max_leaves=40)


@given(json_values)
@settings(max_examples=400)
def test_the_depth_checked_after_parsing_is_the_depth_of_the_text(value):
    from itertools import accumulate

    from annotator.importers import jsonio

    text = json.dumps(value)
    brackets = jsonio._NOT_BRACKET.sub("", jsonio._STRING.sub("", text))  # the text scanned, strings left out
    assert jsonio._depth(json.loads(text)) == max(accumulate(map(jsonio._STEP.__getitem__, brackets)), default=0)


# -- brat: files created on a second thread -------------------------------------------------------


def test_brat_files_made_on_a_second_thread_are_all_written_and_errors_reach_the_caller(tmp_path, monkeypatch):
    import threading

    from annotator.exporters import brat

    monkeypatch.setattr(brat._FileWriter, "BUNCH", 3)
    monkeypatch.setattr(brat._FileWriter, "WAITING", 1)
    with brat._FileWriter() as files:
        for i in range(10):
            files.write(str(tmp_path / f"f{i}.txt"), f"file {i}".encode())
    assert sorted(p.read_text() for p in tmp_path.iterdir()) == sorted(f"file {i}" for i in range(10))

    with pytest.raises(FileNotFoundError):  # at a later write, or at the end
        with brat._FileWriter() as files:
            files.write(str(tmp_path / "missing" / "a.txt"), b"x")
            for i in range(20):
                files.write(str(tmp_path / f"g{i}.txt"), b"x")
    assert len(list(tmp_path.glob("g*.txt"))) < 20  # nothing more once one failed

    with pytest.raises(KeyError):  # the caller's own error comes out as it is; what waits is not written
        with brat._FileWriter() as files:
            files.write(str(tmp_path / "h0.txt"), b"x")
            raise KeyError("stop")
    assert not (tmp_path / "h0.txt").exists()
    assert not [t for t in threading.enumerate() if t.name == "brat-files"]


@given(st.lists(st.integers(1, 30), unique=True).map(sorted),
       st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)).map(lambda r: (r[0], r[0] + r[1])), max_size=6))
def test_sentence_breaks_kept_out_of_spans_by_bisection_are_those_a_set_keeps_out(breaks, ranges):
    from annotator.text.tokens import _outside

    inside = {i for first, last in ranges for i in range(first + 1, last + 1)}
    assert _outside(breaks, ranges) == [b for b in breaks if b not in inside]
