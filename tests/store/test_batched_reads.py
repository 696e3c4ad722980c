"""Reads an export makes in batches give what the one-document reads give, as the same models."""

from __future__ import annotations

from annotator.models import Document, Relation, Span, Status
from annotator.store import ImportRecord
from annotator.store.rows import document_from_row, relation_from_values, span_from_values


def _filled(store):
    docs = [Document.from_text(f"d{i}.txt", f"Sony said {i} times that prices rose.") for i in range(7)]
    records = []
    for i, doc in enumerate(docs):
        spans = [Span(document_id=doc.id, start=0, end=4, label="SOURCE", annotator=who, note=f"n{i}")
                 for who in ("alice", "bob")[: i % 3]]
        spans += [Span(document_id=doc.id, start=5, end=9, label="CLAIM", annotator="alice")] if i % 2 else []
        records.append(ImportRecord(doc, spans))
    store.import_records(records, actor="t")
    first, second = docs[1], docs[5]
    source, claim = [s for s in store.spans_for(second.id) if s.annotator == "alice"]
    store.add_relation(Relation(document_id=second.id, head=claim.id, child=source.id, label="ATTRIBUTED_TO",
                                annotator="alice"))
    store.set_status(first.id, "alice", Status.done)
    store.set_status(second.id, "bob", Status.skipped)
    return [d.id for d in docs] + ["not-a-document"]


def test_batched_reads_equal_the_one_document_reads(store, monkeypatch):
    from annotator.store import annotations

    monkeypatch.setattr(annotations, "_IN_LIMIT", 3)  # several IN (...) pieces
    ids = _filled(store)
    spans, relations, statuses = store.spans_of(ids), store.relations_of(ids), store.statuses_of(ids)
    assert list(spans) == list(relations) == list(statuses) == ids
    assert sum(map(len, spans.values())) > 0 and sum(map(len, relations.values())) == 1
    for doc_id in ids:
        assert spans[doc_id] == store.spans_for(doc_id)
        assert relations[doc_id] == store.relations_for(doc_id)
        assert statuses[doc_id] == store.statuses_for(doc_id)


def test_models_read_from_rows_are_the_ones_model_construct_makes():
    span_values = ("s1", "d1", 0, 4, "ENTITY", "alice", None, "2024-01-01", "2024-01-02")
    span = span_from_values(span_values)
    expected = Span.model_construct(id="s1", document_id="d1", start=0, end=4, label="ENTITY", annotator="alice",
                                    note="", created="2024-01-01", updated="2024-01-02")
    relation = relation_from_values(("r1", "d1", "s1", "s2", "REL", "alice", "2024-01-01"))
    document = document_from_row({"id": "d1", "name": "a.txt", "text": "Sony", "meta": '{"k": 1}'})
    for made, constructed in (
        (span, expected),
        (relation, Relation.model_construct(id="r1", document_id="d1", head="s1", child="s2", label="REL",
                                            annotator="alice", created="2024-01-01")),
        (document, Document.model_construct(id="d1", name="a.txt", text="Sony", meta={"k": 1})),
    ):
        assert type(made) is type(constructed)
        assert made == constructed and repr(made) == repr(constructed)
        assert made.model_fields_set == constructed.model_fields_set
        assert made.model_dump() == constructed.model_dump()
        assert made.__pydantic_extra__ is None and made.__pydantic_private__ is None
    changed = span.model_copy(update={"label": "CLAIM"})
    assert changed.label == "CLAIM" and span.label == "ENTITY"
    assert document_from_row({"id": "d", "name": "n", "text": "t", "meta": None}).meta == {}
