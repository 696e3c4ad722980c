"""Undo and redo among several people: nobody's undo removes or rewrites another person's work.

Each case is a bug a user reproduced (issue 9); the rule that fixes them all: an entry whose rows
someone else changed since, or now depends on, is skipped with a message naming who, and the
next undo goes on to the older entry.
"""

from __future__ import annotations

from annotator.models import Document, Relation, Span, Status
from annotator.store import Store


def tag(store: Store, doc: Document, words: str, label: str, annotator: str) -> Span:
    start = doc.text.index(words)
    return store.add_span(Span(document_id=doc.id, start=start, end=start + len(words), label=label, annotator=annotator))


def link(store: Store, doc: Document, head: Span, child: Span, annotator: str) -> Relation:
    return store.add_relation(
        Relation(document_id=doc.id, head=head.id, child=child.id, label="ATTRIBUTED_TO", annotator=annotator)
    )


def test_redo_never_deletes_another_reviewers_decision(store, article):
    start = article.text.index("Evin Prison")
    store.decide(article.id, start, start + 11, "ENTITY", "accept", "lead", ["alice"])
    store.undo("lead")
    store.decide(article.id, start, start + 11, "ENTITY", "reject", "second", ["alice"])

    result = store.redo("lead")

    assert result.skipped and "second" in result.description and "cannot redo" in result.description
    (decision,) = store.gold_decisions(article.id)
    assert (decision.reviewer, decision.decision) == ("second", "reject")
    assert store.replay() == store.table_state()
    assert store.redo("lead") is None  # the skipped entry is off the stack


def test_undo_never_overwrites_a_decision_another_reviewer_made_since(store, article):
    start = article.text.index("Evin Prison")
    store.decide(article.id, start, start + 11, "ENTITY", "accept", "lead", ["alice"])
    store.decide(article.id, start, start + 11, "ENTITY", "reject", "second", ["alice"])
    result = store.undo("lead")
    assert result.skipped and "second" in result.description
    assert store.gold_decisions(article.id)[0].decision == "reject"
    assert store.replay() == store.table_state()


def test_another_annotators_delete_skips_my_conflicting_undo_and_the_stack_goes_on(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM", "bob")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE", "alice")
    link(store, article, claim, source, "bob")
    store.delete_span(source.id, "alice")  # deletes bob's relation too, as alice's action

    first = store.undo("bob")
    assert first.skipped and "alice" in first.description and first.changes == []
    second = store.undo("bob")  # goes on past the skipped link to bob's tag
    assert not second.skipped and second.description.startswith("undid: tag CLAIM")
    assert store.spans_for(article.id, "bob") == []
    assert store.replay() == store.table_state()


def test_undoing_my_tag_never_leaves_another_persons_relation_dangling(store, article):
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE", "alice")
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM", "bob")
    relation = link(store, article, claim, source, "bob")

    result = store.undo("alice")

    assert result.skipped and "bob" in result.description
    assert store.get_span(source.id) is not None
    assert [r.id for r in store.relations_for(article.id)] == [relation.id]
    assert store.replay() == store.table_state()


def test_undoing_my_tag_takes_my_own_relations_on_it_along(store, article):
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE", "alice")
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM", "bob")
    link(store, article, claim, source, "bob")
    store.undo("bob")  # bob's link
    store.undo("bob")  # bob's claim
    assert store.undo("alice").description.startswith("undid: tag SOURCE")
    spans = {s.id for s in store.spans_for(article.id)}
    assert all(r.head in spans and r.child in spans for r in store.relations_for(article.id))


def test_undoing_an_unlink_whose_span_is_gone_is_skipped_not_a_dangling_relation(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM", "bob")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE", "alice")
    relation = link(store, article, claim, source, "bob")
    store.delete_relation(relation.id, "bob")
    store.delete_span(source.id, "alice")
    result = store.undo("bob")
    assert result.skipped and "alice" in result.description
    assert store.relations_for(article.id) == []


def test_the_first_tag_on_a_document_is_one_undo_step_with_its_status(store, article):
    assert store.status(article.id, "alice") == Status.todo
    tag(store, article, "Evin Prison", "ENTITY", "alice")
    assert store.status(article.id, "alice") == Status.in_progress
    result = store.undo("alice")
    assert store.spans_for(article.id) == [] and store.status(article.id, "alice") == Status.todo
    assert [c.table for c in result.changes] == ["statuses", "spans"]
    assert store.undo("alice") is None


def test_undo_returns_the_changes_a_screen_applies(store, article):
    span = tag(store, article, "Evin Prison", "ENTITY", "alice")
    store.update_span(span.id, "alice", label="SOURCE")
    result = store.undo("alice")
    (change,) = result.changes
    assert change.table == "spans" and change.before["label"] == "SOURCE" and change.after["label"] == "ENTITY"
    assert result.offset == span.start and result.document_id == article.id


def test_settings_changes_are_logged_undoable_and_replay(store, article):
    store.set_reviewers(["lead"], actor="lead")
    store.set_reviewers(["lead", "second"], actor="lead")
    events = [e for e in store.history() if e["table_name"] == "settings"]
    assert len(events) == 2 and all(e["actor"] == "lead" for e in events)
    assert store.replay() == store.table_state()
    store.undo("lead")
    assert store.reviewers() == ["lead"]
    assert store.replay() == store.table_state()


def test_acting_on_a_span_deleted_elsewhere_says_so_in_words_not_ids(store, article, db_path):
    span = tag(store, article, "Evin Prison", "ENTITY", "alice")
    relation_span = tag(store, article, "Iran Human Rights Monitor", "SOURCE", "alice")
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM", "alice")
    with Store(db_path) as other_window:
        other_window.delete_span(span.id, "alice")
        other_window.delete_span(relation_span.id, "alice")
    for attempt in (
        lambda: store.update_span(span.id, "alice", label="SOURCE"),
        lambda: store.delete_span(span.id, "alice"),
        lambda: link(store, article, claim, relation_span, "alice"),
    ):
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            message = str(exc)
        else:
            raise AssertionError("acting on a deleted span must be refused")
        assert "no longer there" in message and span.id not in message and relation_span.id not in message
