"""The import's fast paths store exactly what the plain code they replace stores.

* a JSONL span of plain values is taken as a row (``StoredSpan``), not a model;
* a span's 'import' event is written as one f-string, not through the JSON encoder;
* span ids already stored are found by the batch's primary key, not looked up a document at a time;
* an import into empty span and event tables builds their indexes once, at the end.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.importers import ImportContext, read_path
from annotator.importers import jsonl as jsonl_importer
from annotator.models import Document, Relation, Span
from annotator.store import ImportRecord, Store
from annotator.store import documents as documents_module


def _record(name: str, text: str, *spans: tuple[str, int, int], relations: bool = False) -> ImportRecord:
    doc = Document.from_text(name, text)
    labels = ["CLAIM", "SOURCE"] if relations else ["ENTITY"] * len(spans)  # ATTRIBUTED_TO links CLAIM to SOURCE
    made = [Span(id=i, document_id=doc.id, start=s, end=e, label=label, annotator="a")
            for (i, s, e), label in zip(spans, labels)]
    links = [Relation(document_id=doc.id, head=made[0].id, child=made[1].id, label="ATTRIBUTED_TO", annotator="a")
             ] if relations else []
    return ImportRecord(doc, made, links)


def _schema(store: Store) -> list[tuple[str, str, str]]:
    return store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


# -- the event of a span: one f-string, the encoder's bytes -------------------------------------

strings = st.text(alphabet=st.sampled_from(['a', 'é', '"', '\\', '\n', '\x1b', '\u2028', '😀', ' ']), max_size=6)


@given(st.fixed_dictionaries({
    "id": strings, "document_id": strings, "start": st.integers(0, 10**6) | st.booleans(),
    "end": st.integers(1, 10**6) | st.floats(1, 9), "label": strings, "annotator": strings,
    "note": strings | st.none(), "created": strings, "updated": strings | st.integers(),
}))
@settings(max_examples=400)
def test_a_span_event_is_what_json_dumps_writes(drawn):
    row = {column: drawn[column] for column in documents_module._SPAN_JSON_COLUMNS}  # a span row: in column order
    assert documents_module._span_json(row) == json.dumps(row, ensure_ascii=False)


# -- span ids already stored: found by the primary key, reported for the first document -------------


@pytest.mark.parametrize("limit", [1, 3, 5000])
def test_a_span_id_already_stored_is_refused_naming_the_first_document_holding_one(store, monkeypatch, limit):
    monkeypatch.setattr(documents_module._ImportBatch, "LIMIT", limit)
    store.import_records([_record("old.txt", "Sony said so.", ("s1", 0, 4), ("s2", 5, 9))], actor="t")
    before = store.table_state()
    records = [
        _record("fine.txt", "A fine text here.", ("f1", 0, 1)),
        _record("takes-s2.txt", "Another text, taking an id.", ("t1", 0, 7), ("s2", 8, 12)),
        _record("takes-s1.txt", "A third text taking one too.", ("s1", 0, 1)),
        _record("after.txt", "After them all.", ("a1", 0, 5)),
    ]
    with pytest.raises(AnnotatorError, match=r"^document takes-s2\.txt: span id s2 is already used by another span$"):
        store.import_records(records, actor="t")
    assert store.table_state() == before  # all or nothing


def test_a_taken_span_id_is_reported_before_a_later_document_s_error(store):
    """As when each document was checked on its own: the earlier document's taken id is the error."""
    store.import_records([_record("old.txt", "Sony said so.", ("s1", 0, 4))], actor="t")
    bad = _record("bad.txt", "A text with a bad span.", ("b1", 0, 1))
    bad.spans[0] = bad.spans[0].model_copy(update={"label": "NOT_A_LABEL"})
    with pytest.raises(AnnotatorError, match=r"^document takes\.txt: span id s1 is already used"):
        store.import_records([_record("takes.txt", "Taking an id.", ("s1", 0, 6)), bad], actor="t")
    with pytest.raises(AnnotatorError, match="unknown label 'NOT_A_LABEL'"):  # alone, its own error
        store.import_records([bad], actor="t")


# -- indexes built once by the first import ---------------------------------------------------------


def test_the_first_import_leaves_the_indexes_a_new_database_has(tmp_path):
    with Store(tmp_path / "fresh.db") as fresh:
        expected = _schema(fresh)
    with Store(tmp_path / "a.db") as store:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        records = [_record(f"d{i}.txt", f"Text {i} with two spans.", (f"s{i}", 0, 4), (f"t{i}", 5, 7), relations=True)
                   for i in range(30)]
        records.append(records[3])  # a document given twice: found by the indexes kept
        summary = store.import_records(records, actor="t")
        store.conn.set_trace_callback(None)
        assert (summary.documents_added, summary.documents_present, summary.spans_added) == (30, 1, 60)
        assert summary.spans_present == 0 and summary.spans_duplicate == 2 and summary.relations_added == 30
        assert any(s.startswith("DROP INDEX") for s in statements)  # the fast way was taken
        assert _schema(store) == expected
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.replay() == store.table_state()
        # a second import into tables that hold rows keeps every index up to date as it goes
        statements.clear()
        store.conn.set_trace_callback(statements.append)
        store.import_records([_record("more.txt", "More text.", ("m1", 0, 4))], actor="t")
        store.conn.set_trace_callback(None)
        assert not any("INDEX" in s for s in statements)
        assert _schema(store) == expected
        assert store.replay() == store.table_state()


def test_a_failed_first_import_leaves_the_database_as_it_was(tmp_path):
    with Store(tmp_path / "a.db") as store:
        expected = _schema(store)
        bad = _record("bad.txt", "A text with a bad span.", ("b1", 0, 1))
        bad.spans[0] = bad.spans[0].model_copy(update={"end": 999})
        with pytest.raises(AnnotatorError, match="out of range"):
            store.import_records([_record(f"d{i}.txt", f"Text {i}.", (f"s{i}", 0, 4)) for i in range(20)] + [bad],
                                 actor="t")
        assert _schema(store) == expected
        assert store.document_count() == 0 and store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    with sqlite3.connect(tmp_path / "a.db") as conn:  # and on disk
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == expected


# -- JSONL spans taken as rows ----------------------------------------------------------------------


def test_jsonl_spans_taken_as_rows_store_what_models_store(tmp_path, monkeypatch):
    text = "Sony said revenue rose 5% in 2023, a record for Évin 👩🏽‍💻."
    lines = [
        {"text": text, "spans": [{"start": 0, "end": 4, "label": "SOURCE", "id": "x1", "note": "n"},
                                 {"start": 5, "end": 9, "label": "CLAIM", "text": "said", "created": "2024-01-01"},
                                 {"start": 23, "end": 25, "label": "FIGURE", "annotator": "bob"}],
         "relations": [{"head": "x1", "child": "x1", "label": "ATTRIBUTED_TO"}] if False else []},
        {"text": text + " Again.", "_annotator_id": "carol", "answer": "accept",
         "spans": [{"start": 0, "end": 4, "label": "SOURCE", "id": 7}]},  # an id that is not a str: the long way
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")

    def imported(name: str) -> dict:
        with Store(tmp_path / name) as store:
            store.import_records(read_path(path, "jsonl", ImportContext(annotator="a", schema=store.schema)), actor="t")
            spans = store.conn.execute('SELECT id, document_id, start, "end", label, annotator, note, created = updated '
                                       "FROM spans ORDER BY start, label").fetchall()
            events = [(table, json.loads(after)) for table, after in
                      store.conn.execute("SELECT table_name, after FROM events ORDER BY id")]
        for _, after in events:
            after.pop("created", None), after.pop("updated", None)
            if after["id"] not in ("x1", "7"):
                after.pop("id")
        return {"spans": [s if s[0] in ("x1", "7") else s[1:] for s in spans], "events": events}

    fast = imported("fast.db")
    monkeypatch.setattr(jsonl_importer, "_FAST_SPANS", False)
    assert imported("models.db") == fast
    assert [s[-1] for s in fast["spans"]] == [1, 1, 0, 1]  # made now, unless the line gave a time


def test_a_span_row_checks_itself_as_a_span_does():
    from annotator.models import LabelSchema
    from annotator.store.rows import stored_span

    values = ("s1", "d1", 2, 40, "NOPE", "a", "", "t", "t")
    for check in (stored_span(values).check, Span(**dict(zip(Span.model_fields, values))).check):
        with pytest.raises(ValueError, match=r"out of range \(the text has 10 characters\)"):
            check("0123456789", LabelSchema.default())
        with pytest.raises(ValueError, match="unknown label 'NOPE'"):
            check("0" * 50, LabelSchema.default())
