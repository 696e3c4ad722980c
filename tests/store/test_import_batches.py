"""The import writes many documents' rows per statement; its checks must see rows still waiting."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.models import Document, Span
from annotator.store import ImportRecord, Store


def _record(text: str, *spans: tuple[int, int, str, str]) -> ImportRecord:
    doc = Document.from_text(f"{text[:5]}.txt", text)
    return ImportRecord(doc, [Span(id=i, document_id=doc.id, start=s, end=e, label="ENTITY", annotator="a")
                              for s, e, i, _ in [(s, e, i, x) for s, e, i, x in spans]])


def test_a_span_id_used_by_an_earlier_document_of_the_same_import_is_refused(store):
    with pytest.raises(AnnotatorError, match="span id s1 is already used"):
        store.import_records([_record("first text", (0, 5, "s1", "")), _record("second text", (0, 6, "s1", ""))],
                             actor="t")
    assert store.document_count() == 0  # all or nothing


def test_the_same_document_twice_in_one_import_keeps_one_copy_of_each_span(store):
    records = [_record("same text here", (0, 4, "s1", "")), _record("same text here", (0, 4, "s2", ""), (5, 9, "s3", ""))]
    summary = store.import_records(records, actor="t")
    assert (summary.documents_added, summary.documents_present) == (1, 1)
    # the second copy of 0-4 is the import's own duplicate, not a span the database held before
    assert (summary.spans_added, summary.spans_present, summary.spans_duplicate) == (2, 0, 1)
    (doc_id,) = store.document_ids()
    assert [(s.start, s.end) for s in store.spans_for(doc_id)] == [(0, 4), (5, 9)]
    assert store.replay() == store.table_state()


def test_a_large_import_is_written_in_batches_and_replays(tmp_path):
    with Store(tmp_path / "big.db") as store:
        records = [_record(f"document number {i} text", (0, 8, f"s{i}", "")) for i in range(12_000)]
        summary = store.import_records(records, actor="t")
        assert summary.spans_added == 12_000
        assert store.conn.execute("SELECT count(*) FROM events WHERE kind = 'import'").fetchone()[0] == 12_000
        assert store.replay()["spans"] == store.table_state()["spans"]


def test_a_text_holding_nul_keeps_its_length_after_a_restart(db_path):
    """SQLite's length() stops at the first NUL: ranges and `docs` must count every character."""
    text = "before\x00after the NUL"
    doc = Document.from_text("nul.txt", text)
    with Store(db_path) as store:
        store.import_records([ImportRecord(doc)], actor="t")
    with Store(db_path) as reopened:
        assert reopened.document_length(doc.id) == len(text)
        end = len(text)
        reopened.add_span(Span(document_id=doc.id, start=end - 3, end=end, label="ENTITY", annotator="a"))
        assert reopened.overview()[0]["characters"] == len(text)
