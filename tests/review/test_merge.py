"""Merging another database: copies, idempotence, conflicts, refusals."""

from __future__ import annotations

import shutil

import pytest

from annotator.errors import AnnotatorError
from annotator.models import Document, Span
from annotator.store import Store

from .helpers import SECOND, build, find


def _counts(store: Store) -> dict[str, int]:
    return {
        t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("documents", "spans", "relations", "statuses", "gold", "events")
    }


@pytest.fixture
def two(tmp_path):
    """'here' has the project; 'there' is a copy where carol then worked, plus a document of its own."""
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    with Store(here_path) as here:
        doc, doc2 = build(here)
    shutil.copy(here_path, there_path)
    with Store(there_path) as there:
        start, end = find(SECOND, "Tokyo")
        there.add_span(Span(document_id=doc2.id, start=start, end=end, label="ENTITY", annotator="carol"))
        a = there.add_span(Span(document_id=doc2.id, start=0, end=7, label="SOURCE", annotator="carol"))
        b = there.add_span(Span(document_id=doc2.id, start=26, end=28, label="FIGURE", annotator="carol"))
        from annotator.models import Relation
        there.add_relation(Relation(document_id=doc2.id, head=b.id, child=a.id, label="ATTRIBUTED_TO", annotator="carol"))
        new_doc = there.add_document(Document.from_text("third.txt", "Only there."))
        there.add_span(Span(document_id=new_doc.id, start=0, end=4, label="ENTITY", annotator="carol"))
        there.decide(doc2.id, 0, 7, "SOURCE", "accept", "lead", ["alice", "bob"])
    return here_path, there_path, doc, doc2


def test_merge_copies_and_twice_is_idempotent(two):
    here_path, there_path, doc, doc2 = two
    with Store(here_path) as here:
        before = _counts(here)
        report = here.merge_from(there_path)
        after = _counts(here)
        assert report.documents_added == 1 and report.documents_present == 2
        assert report.added("spans") == 4 and report.added("relations") == 1 and report.added("gold") == 1
        assert report.conflicts == []
        assert after["spans"] == before["spans"] + 4 and after["documents"] == 3
        assert {s.annotator for s in here.spans_for(doc2.id)} == {"alice", "bob", "carol"}
        assert [g.label for g in here.gold_spans(doc2.id)] == ["SOURCE"]
        # the shared history is not duplicated; the new events are kept with their actors and times
        assert after["events"] - before["events"] == report.events_added
        merged = here.history(actor="carol", limit=20)
        assert merged and all(e["kind"] == "merge" and "merged from there.db" in e["what"] for e in merged)
        assert not here.can_undo("carol")  # merged work is not a local action to undo
        assert here.replay() == here.table_state()
        again = here.merge_from(there_path)
        assert _counts(here) == after
        assert again.documents_added == 0 and again.added("spans") == 0 and again.events_added == 0
        assert again.conflicts == []


def test_conflicts_are_reported_not_overwritten(two):
    here_path, there_path, doc, doc2 = two
    with Store(there_path) as there:
        span = there.spans_for(doc.id, "alice")[0]
        there.update_span(span.id, "alice", label="CLAIM")
    with Store(here_path) as here:
        original = here.get_span(span.id)
        report = here.merge_from(there_path)
        assert len(report.conflicts) == 1 and span.id in report.conflicts[0]
        assert "CLAIM" in report.conflicts[0]
        assert here.get_span(span.id) == original
        assert "1 conflict kept" in report.line()
        assert here.replay() == here.table_state()


def test_same_annotation_made_separately_is_not_duplicated(tmp_path):
    paths = [tmp_path / "a.db", tmp_path / "b.db"]
    for path in paths:
        with Store(path) as s:
            d = s.add_document(Document.from_text("x.txt", SECOND))
            s.add_span(Span(document_id=d.id, start=0, end=7, label="SOURCE", annotator="alice"))
    with Store(paths[0]) as here:
        report = here.merge_from(paths[1])
        assert report.added("spans") == 0 and report.tables["spans"][1] == 1
        assert len(here.spans_for(d.id)) == 1


@pytest.mark.parametrize("content", [None, b"", b"hello, not a database", "sqlite-other"])
def test_bad_other_is_refused_and_nothing_changes(tmp_path, content):
    with Store(tmp_path / "here.db") as here:
        build(here)
        before = _counts(here)
        other = tmp_path / "other.db"
        if content == "sqlite-other":
            import sqlite3

            conn = sqlite3.connect(other)
            conn.execute("CREATE TABLE t (x)")
            conn.commit()
            conn.close()
        elif content is not None:
            other.write_bytes(content)
        with pytest.raises(AnnotatorError, match="cannot merge"):
            here.merge_from(other)
        assert _counts(here) == before


def test_labels_unknown_here_are_refused(tmp_path):
    with Store(tmp_path / "there.db") as there:
        from annotator.models import Label, LabelSchema

        there.set_schema(LabelSchema(labels=[Label(name="WEIRD", key="y")]))
        d = there.add_document(Document.from_text("x.txt", SECOND))
        there.add_span(Span(document_id=d.id, start=0, end=7, label="WEIRD", annotator="alice"))
    with Store(tmp_path / "here.db") as here:
        with pytest.raises(AnnotatorError, match="WEIRD"):
            here.merge_from(tmp_path / "there.db")
        assert here.document_count() == 0
