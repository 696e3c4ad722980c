"""The store: actions, the event log, undo and redo, migrations, positions."""

from __future__ import annotations

import json
import sqlite3

import pytest

from annotator.errors import AnnotatorError
from annotator.models import Document, LabelSchema, Relation, Span, Status
from annotator.store import SCHEMA_VERSION, ImportRecord, Store


def tag(store: Store, doc: Document, word: str, label: str, annotator: str = "alice") -> Span:
    start = doc.text.index(word)
    return store.add_span(Span(document_id=doc.id, start=start, end=start + len(word), label=label, annotator=annotator))


def test_a_tag_is_committed_at_once_and_seen_by_another_connection(store, article, db_path):
    span = tag(store, article, "Evin Prison", "ENTITY")
    with Store(db_path) as other:
        assert [s.id for s in other.spans_for(article.id)] == [span.id]


def test_spans_come_in_reading_order_outer_before_inner(store, article):
    inner = tag(store, article, "281", "FIGURE")
    outer = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    first = tag(store, article, "National Council of Resistance of Iran", "SOURCE")
    assert [s.id for s in store.spans_for(article.id)] == [first.id, outer.id, inner.id]


def test_every_change_is_an_event_with_before_and_after(store, article):
    span = tag(store, article, "Raisi", "ENTITY")
    store.update_span(span.id, "alice", label="SOURCE", note="the president")
    store.delete_span(span.id, "alice")
    events = [e for e in reversed(store.history(actor="alice")) if e["table_name"] == "spans"]
    assert [e["what"].split()[0] for e in events] == ["tag", "change", "delete"]
    assert events[0]["before"] is None and '"ENTITY"' in events[0]["after"]
    assert '"ENTITY"' in events[1]["before"] and '"SOURCE"' in events[1]["after"]
    assert events[2]["after"] is None


def test_undo_and_redo_every_kind_of_change_and_survive_a_restart(db_path, article, store):
    span = tag(store, article, "Raisi", "ENTITY")
    store.update_span(span.id, "alice", label="SOURCE")
    store.set_status(article.id, "alice", Status.done)
    store.close()

    with Store(db_path) as reopened:
        assert reopened.undo("alice").description == "undid: mark done"
        assert reopened.status(article.id, "alice") == Status.in_progress  # the first tag's rule
        assert reopened.undo("alice") is not None
        assert reopened.get_span(span.id).label == "ENTITY"
    with Store(db_path) as again:
        again.undo("alice")
        assert again.spans_for(article.id) == []
        assert again.undo("alice") is None
        assert again.redo("alice") is not None
        assert again.get_span(span.id).label == "ENTITY"
        assert again.redo("alice") is not None
        assert again.get_span(span.id).label == "SOURCE"


def test_a_new_action_clears_redo(store, article):
    tag(store, article, "Raisi", "ENTITY")
    store.undo("alice")
    tag(store, article, "Evin", "ENTITY")
    assert store.redo("alice") is None
    assert store.can_undo("alice")


def test_undo_is_per_annotator(store, article):
    mine = tag(store, article, "Raisi", "ENTITY", "alice")
    tag(store, article, "Evin", "ENTITY", "bob")
    store.undo("bob")
    assert [s.id for s in store.spans_for(article.id)] == [mine.id]


def test_deleting_a_span_removes_its_relations_and_undo_brings_both_back(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE")
    store.add_relation(Relation(document_id=article.id, head=claim.id, child=source.id, label="ATTRIBUTED_TO", annotator="alice"))
    store.delete_span(source.id, "alice")
    assert store.relations_for(article.id) == []
    store.undo("alice")
    assert len(store.relations_for(article.id)) == 1
    assert store.get_span(source.id) is not None


def test_relation_must_be_allowed_by_the_schema(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE")
    with pytest.raises(AnnotatorError, match="not allowed from SOURCE to CLAIM"):
        store.add_relation(Relation(document_id=article.id, head=source.id, child=claim.id, label="ATTRIBUTED_TO", annotator="alice"))


def test_only_the_annotator_changes_their_spans(store, article):
    span = tag(store, article, "Raisi", "ENTITY", "alice")
    with pytest.raises(AnnotatorError, match="belongs to alice"):
        store.update_span(span.id, "mallory", label="CLAIM")
    with pytest.raises(AnnotatorError, match="belongs to alice"):
        store.delete_span(span.id, "mallory")
    assert store.get_span(span.id).label == "ENTITY"


def test_add_span_refuses_out_of_range_and_unknown_labels(store, article):
    with pytest.raises(AnnotatorError, match="out of range"):
        store.add_span(Span(document_id=article.id, start=0, end=10**6, label="CLAIM", annotator="a"))
    with pytest.raises(AnnotatorError, match="unknown label"):
        store.add_span(Span(document_id=article.id, start=0, end=5, label="NOPE", annotator="a"))
    assert store.spans_for(article.id) == []


def test_the_event_log_replays_to_the_current_state(store, article):
    a = tag(store, article, "Raisi", "ENTITY")
    b = tag(store, article, "Evin", "ENTITY")
    store.update_span(a.id, "alice", note="check")
    store.delete_span(b.id, "alice")
    store.undo("alice")
    store.set_status(article.id, "alice", Status.in_progress)
    assert store.replay() == store.table_state()


def test_import_is_one_transaction(store):
    good = Document.from_text("good", "good text")
    bad = Document.from_text("bad", "bad text")
    records = [
        ImportRecord(good),
        ImportRecord(bad, spans=[Span(document_id=bad.id, start=0, end=99, label="CLAIM", annotator="a")]),
    ]
    with pytest.raises(AnnotatorError, match="document bad: span 0-99 is out of range"):
        store.import_records(records, actor="a")
    assert store.document_count() == 0


def test_same_text_twice_is_one_document_and_spans_are_not_duplicated(store):
    doc = Document.from_text("a", "Sony said revenue rose 5%.")
    span = Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="a")
    first = store.import_records([ImportRecord(doc, [span])], actor="a")
    again = Document.from_text("b", doc.text)
    second = store.import_records(
        [ImportRecord(again, [Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="a")])], actor="a"
    )
    assert (first.documents_added, first.spans_added) == (1, 1)
    assert (second.documents_present, second.spans_added, second.spans_present) == (1, 0, 1)
    assert store.document_count() == 1 and len(store.spans_for(doc.id)) == 1


def test_document_navigation(store):
    docs = [Document.from_text(f"d{i}", f"text number {i}") for i in range(4)]
    store.import_records([ImportRecord(d) for d in docs], actor="a")
    assert store.first_document() == docs[0].id
    assert store.neighbour_document(docs[1].id, 1) == docs[2].id
    assert store.neighbour_document(docs[1].id, -1) == docs[0].id
    assert store.neighbour_document(docs[3].id, 1) is None
    assert store.document_position(docs[2].id) == 3
    store.set_status(docs[1].id, "alice", Status.done)
    store.set_status(docs[2].id, "alice", Status.skipped)
    assert store.next_unfinished_document("alice", docs[0].id) == docs[3].id
    assert store.next_unfinished_document("alice", docs[3].id) == docs[0].id  # wraps round


def test_position_is_remembered_per_annotator(store, article):
    store.save_position("alice", article.id, 120)
    assert store.last_position("alice") == (article.id, 120)
    assert store.position_in("alice", article.id) == 120
    assert store.last_position("bob") is None


def test_wal_mode_and_busy_timeout(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_indices_for_the_screens_queries(store):
    plan = " ".join(
        str(row) for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM spans WHERE document_id = ? ORDER BY start", ["x"]
        )
    )
    assert "USING INDEX" in plan


def test_migrates_a_version_1_database(db_path):
    with Store(db_path, migrate=False) as fresh:
        fresh.migrate(target=1)
        assert fresh.version == 1
        assert "gold" not in fresh.db.table_names()
    with Store(db_path) as upgraded:
        assert upgraded.version == SCHEMA_VERSION
        assert "gold" in upgraded.db.table_names()


def test_migrates_a_version_2_database_keeping_its_gold(db_path):
    """A v2 database as v2 wrote it (no actions table, settings unlogged) opens, replays and undoes."""
    with Store(db_path, migrate=False) as old:
        old.migrate(target=2)
        conn = old.conn
        conn.execute("INSERT INTO documents VALUES (1, 'd1', 'a.txt', 'Sony said revenue rose 5%.', '{}', 't0')")
        gold = {"id": "g1", "document_id": "d1", "start": 0, "end": 4, "label": "SOURCE", "decision": "accept",
                "reviewer": "lead", "sources": '["alice"]', "created": "t1", "updated": "t1"}
        conn.execute("INSERT INTO gold VALUES (:id, :document_id, :start, :end, :label, :decision, :reviewer, "
                     ":sources, :created, :updated)", gold)
        conn.execute("INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, "
                     "after, what) VALUES (7, 't1', 'lead', 'do', NULL, 'd1', 'gold', '[\"g1\"]', NULL, ?, "
                     "'accept SOURCE 0-4')", [json.dumps(gold)])
        conn.execute("""INSERT INTO settings VALUES ('reviewers', '["lead"]')""")
        assert "gold_relations" not in old.db.table_names()
    with Store(db_path) as upgraded:
        assert upgraded.version == SCHEMA_VERSION == 5
        assert [s.label for s in upgraded.gold_spans("d1")] == ["SOURCE"]
        assert upgraded.gold_relation_decisions("d1") == [] and upgraded.gold_relations("d1") == []
        assert upgraded.reviewers() == ["lead"]
        assert upgraded.replay() == upgraded.table_state()
        assert upgraded.undo("lead").description == "undid: accept SOURCE 0-4"
        assert upgraded.gold_spans("d1") == []
        assert upgraded.replay() == upgraded.table_state()


def test_refuses_a_database_from_a_newer_version_untouched(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(AnnotatorError, match="newer annotator"):
        Store(db_path)
    assert db_path.read_bytes() == before


def test_refuses_files_that_are_not_annotator_databases(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello, I am not a database")
    with pytest.raises(AnnotatorError, match="not a SQLite file"):
        Store(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(AnnotatorError, match="not an annotator database"):
        Store(other)


def test_set_schema_refuses_to_drop_labels_in_use(store, article):
    tag(store, article, "Raisi", "ENTITY")
    smaller = LabelSchema.model_validate({"labels": [{"name": "CLAIM", "key": "c"}]})
    with pytest.raises(AnnotatorError, match=r"lacks labels .*\(ENTITY\)"):
        store.set_schema(smaller)
    bigger = LabelSchema.model_validate(
        {"labels": [{"name": "ENTITY", "key": "e"}, {"name": "PERSON", "key": "y"}]}
    )
    store.set_schema(bigger)
    assert store.schema.label_names == ["ENTITY", "PERSON"]
