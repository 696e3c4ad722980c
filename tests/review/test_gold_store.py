"""The gold layer in the store, candidates, and who may write it."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.models import Span, Status
from annotator.review.candidates import build_candidates, review_document
from annotator.store import GoldChange, Store

from .helpers import build, find


@pytest.fixture
def project(tmp_path):
    with Store(tmp_path / "p.db") as store:
        doc, doc2 = build(store)
        yield store, doc, doc2


def test_candidates_agreed_and_disagreed(project):
    store, doc, _ = project
    review = review_document(store, doc.id)
    assert review.annotators == ["alice", "bob"]
    assert len(review.agreed) == 4 and all(c.annotators == ("alice", "bob") for c in review.agreed)
    assert len(review.disagreements) == 5
    ncri = [c for c in review.candidates if doc.text[c.start:c.end] == "NCRI"]
    assert {(c.label, c.annotators) for c in ncri} == {("SOURCE", ("alice",)), ("ENTITY", ("bob",))}
    assert [c.start for c in review.candidates] == sorted(c.start for c in review.candidates)


def test_a_done_annotator_without_spans_makes_every_candidate_a_disagreement(project):
    store, _, doc2 = project
    store.set_status(doc2.id, "carol", Status.done)
    review = review_document(store, doc2.id)
    assert review.annotators == ["alice", "bob", "carol"]
    assert review.agreed == []


def test_one_annotator_alone_agrees_with_nobody():
    spans = [Span(document_id="d", start=0, end=2, label="X", annotator="a")]
    (cand,) = build_candidates(spans, ["a"])
    assert not cand.agreed and cand.state == "disagreed"


def test_gold_spans_are_accepted_decisions_in_reading_order(project):
    store, doc, _ = project
    (s1, e1), (s2, e2) = find(doc.text, "Evin Prison"), find(doc.text, "Associated Press")
    store.decide(doc.id, s1, e1, "ENTITY", "accept", "lead", ["alice", "bob"])
    store.decide(doc.id, s2, e2, "SOURCE", "accept", "lead", ["alice", "bob"])
    ncri = find(doc.text, "NCRI")
    store.decide(doc.id, *ncri, "ENTITY", "reject", "lead", ["bob"])
    gold = store.gold_spans(doc.id)
    assert [(g.start, g.label, g.annotator, g.note) for g in gold] == [(s2, "SOURCE", "lead", ""), (s1, "ENTITY", "lead", "")]
    decisions = store.gold_decisions(doc.id)
    assert {d.decision for d in decisions} == {"accept", "reject"}
    rejected = [d for d in decisions if d.decision == "reject"][0]
    assert rejected.sources == ("bob",) and rejected.reviewer == "lead"
    review = review_document(store, doc.id)
    assert {c.state for c in review.candidates if c.start in (s1, ncri[0])} >= {"accepted", "rejected"}


def test_decisions_are_undoable_actions_and_accept_all_is_one(project):
    store, doc, _ = project
    agreed = review_document(store, doc.id).agreed
    store.decide_many(doc.id, [GoldChange(*c.key, "accept", c.annotators) for c in agreed], "lead")
    assert len(store.gold_spans(doc.id)) == 4
    result = store.undo("lead")
    assert result is not None and store.gold_spans(doc.id) == []
    store.redo("lead")
    assert len(store.gold_spans(doc.id)) == 4
    # the event log replays to the same gold table
    assert store.replay()["gold"] == store.table_state()["gold"]


def test_edit_gold_rejects_the_candidate_and_accepts_the_edit(project):
    store, doc, _ = project
    start, end = find(doc.text, "Ebrahim Raisi’s")
    store.edit_gold(doc.id, (start, end, "ENTITY"), start, end - 2, "ENTITY", "lead", ["bob"])
    decisions = {(d.start, d.end, d.label): d.decision for d in store.gold_decisions(doc.id)}
    assert decisions == {(start, end, "ENTITY"): "reject", (start, end - 2, "ENTITY"): "accept"}
    store.undo("lead")
    assert store.gold_decisions(doc.id) == []


def test_gold_writes_are_checked(project):
    store, doc, _ = project
    with pytest.raises(AnnotatorError, match="unknown label"):
        store.decide(doc.id, 0, 4, "NOPE", "accept", "lead")
    with pytest.raises(AnnotatorError, match="out of range"):
        store.decide(doc.id, 0, 10**6, "ENTITY", "accept", "lead")
    with pytest.raises(AnnotatorError, match="accept or reject"):
        store.decide(doc.id, 0, 4, "ENTITY", "maybe", "lead")


def test_named_reviewers_only_may_write_gold(project):
    store, doc, _ = project
    assert store.may_review("anyone")
    store.set_reviewers(["lead"], actor="lead")
    assert store.reviewers() == ["lead"]
    with pytest.raises(AnnotatorError, match="not a reviewer"):
        store.decide(doc.id, 0, 4, "ENTITY", "accept", "alice")
    with pytest.raises(AnnotatorError, match="not a reviewer"):
        store.decide_many(doc.id, [GoldChange(0, 4, "ENTITY", "accept")], "alice")
    with pytest.raises(AnnotatorError, match="only a reviewer"):
        store.set_reviewers(["alice"], actor="alice")
    assert store.gold_decisions(doc.id) == []
    store.decide(doc.id, 0, 4, "ENTITY", "accept", "lead")
    store.set_reviewers([], actor="lead")
    store.decide(doc.id, 0, 4, "ENTITY", "reject", "alice")


def test_reviewing_never_touches_annotators_spans(project):
    store, doc, doc2 = project
    before = store.spans_for(doc.id) + store.spans_for(doc2.id)
    review = review_document(store, doc.id)
    for c in review.candidates:
        store.decide(doc.id, *c.key, "reject", "lead", c.annotators)
    assert store.spans_for(doc.id) + store.spans_for(doc2.id) == before
    with pytest.raises(AnnotatorError, match="belongs to alice"):
        store.delete_span(next(s.id for s in before if s.annotator == "alice"), "lead")


def test_undoing_a_gold_decision_says_where_it_was(project):
    store, doc, _ = project
    start, end = find(doc.text, "NCRI")
    store.decide(doc.id, start, end, "SOURCE", "accept", "lead", ["alice"])
    result = store.undo("lead")
    assert (result.document_id, result.offset) == (doc.id, start)
    assert store.gold_decisions(doc.id) == []
