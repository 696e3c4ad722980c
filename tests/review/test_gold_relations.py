"""Relation review: relation candidates, the gold_relations layer, its keys, export and merge."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.models import Relation
from annotator.review.candidates import review_document
from annotator.store import Store
from annotator.tui.screens.review import ReviewApp, ReviewScreen

from .helpers import build, find

LINK = "ATTRIBUTED_TO"


def link(store: Store, doc, who: str, head: str, head_label: str, child: str, child_label: str) -> Relation:
    """``who`` links their own spans covering ``head`` and ``child``."""
    spans = {(s.start, s.end, s.label): s for s in store.spans_for(doc.id, who)}
    h = spans[(*find(doc.text, head), head_label)]
    c = spans[(*find(doc.text, child), child_label)]
    return store.add_relation(Relation(document_id=doc.id, head=h.id, child=c.id, label=LINK, annotator=who))


def build_links(store: Store):
    """The review project plus links: one both made (an agreed link) and one each (two disagreements)."""
    doc, doc2 = build(store)
    for who in ("alice", "bob"):
        link(store, doc, who, "Monday, August 23", "FIGURE", "Associated Press", "SOURCE")
    link(store, doc, "alice", "Monday, August 23", "FIGURE", "NCRI", "SOURCE")
    link(store, doc, "bob", "hundreds of gigabytes", "FIGURE", "Associated Press", "SOURCE")
    return doc, doc2


def key(doc, sub: str, label: str) -> tuple[int, int, str]:
    return (*find(doc.text, sub), label)


MONDAY, AP, NCRI, GIGS = ("Monday, August 23", "FIGURE"), ("Associated Press", "SOURCE"), ("NCRI", "SOURCE"), (
    "hundreds of gigabytes", "FIGURE")


@pytest.fixture
def project(tmp_path):
    with Store(tmp_path / "p.db") as store:
        doc, doc2 = build_links(store)
        yield store, doc, doc2


def links(store: Store, doc_id: str) -> dict:
    return {d.key(): d.decision for d in store.gold_relation_decisions(doc_id)}


def gold(store: Store, doc_id: str) -> dict:
    return {d.key(): d.decision for d in store.gold_decisions(doc_id)}


def screen(app) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


# -- candidates and the store ------------------------------------------------------------------


def test_relation_candidates_agreed_and_disagreed(project):
    store, doc, _ = project
    review = review_document(store, doc.id)
    by_key = {r.key: r for r in review.relations}
    agreed = by_key[(key(doc, *MONDAY), key(doc, *AP), LINK)]
    assert agreed.agreed and agreed.annotators == ("alice", "bob") and agreed.state == "agreed"
    assert by_key[(key(doc, *MONDAY), key(doc, *NCRI), LINK)].annotators == ("alice",)
    assert by_key[(key(doc, *GIGS), key(doc, *AP), LINK)].annotators == ("bob",)
    assert len(review.relation_disagreements) == 2 and review.settled_relation_disagreements == 0
    assert [r.label for r in review.links_of(key(doc, *MONDAY))] == [LINK, LINK]


def test_accepting_a_relation_accepts_its_spans_in_one_action_and_undo_removes_all(project):
    store, doc, _ = project
    decision = store.decide_relation(doc.id, key(doc, *GIGS), key(doc, *AP), LINK, "accept", "lead", ["bob"])
    assert decision.decision == "accept" and decision.sources == ("bob",)
    assert gold(store, doc.id) == {key(doc, *GIGS): "accept", key(doc, *AP): "accept"}
    sources = {d.key(): d.sources for d in store.gold_decisions(doc.id)}
    assert sources == {key(doc, *GIGS): ("bob",), key(doc, *AP): ("alice", "bob")}
    [rel] = store.gold_relations(doc.id)
    ids = {g.key(): g.id for g in store.gold_spans(doc.id)}
    assert (rel.head, rel.child, rel.label, rel.annotator) == (ids[key(doc, *GIGS)], ids[key(doc, *AP)], LINK, "lead")
    assert len({e["action"] for e in store.history(actor="lead")}) == 1
    result = store.undo("lead")
    assert result.offset == find(doc.text, GIGS[0])[0]
    assert links(store, doc.id) == {} and gold(store, doc.id) == {}
    assert store.replay() == store.table_state()


def test_rejecting_a_span_rejects_its_accepted_links_in_the_same_action_and_undo_restores_both(project):
    store, doc, _ = project
    store.decide_relation(doc.id, key(doc, *GIGS), key(doc, *AP), LINK, "accept", "lead", ["bob"])
    store.decide(doc.id, *key(doc, *AP), "reject", "lead")  # the link's child
    link = (key(doc, *GIGS), key(doc, *AP), LINK)
    assert links(store, doc.id) == {link: "reject"}
    assert [d.sources for d in store.gold_relation_decisions(doc.id)] == [("bob",)]  # its provenance kept
    assert store.gold_relations(doc.id) == [] and store.gold.unlinked_relations(doc.id) == []
    last = store.history(actor="lead", limit=2)
    assert len({e["action"] for e in last}) == 1 and {e["table_name"] for e in last} == {"gold", "gold_relations"}
    result = store.undo("lead")
    assert "reject SOURCE" in result.description and "reject ATTRIBUTED_TO" in result.description
    assert links(store, doc.id) == {link: "accept"} and gold(store, doc.id)[key(doc, *AP)] == "accept"
    assert len(store.gold_relations(doc.id)) == 1
    assert store.replay() == store.table_state()


def test_reopening_a_span_reopens_its_accepted_links_and_rejected_links_stay(project):
    from annotator.store import GoldChange

    store, doc, _ = project
    store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "lead")
    store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *NCRI), LINK, "reject", "lead")
    store.decide_many(doc.id, [GoldChange(*key(doc, *MONDAY), None)], "lead")
    assert links(store, doc.id) == {(key(doc, *MONDAY), key(doc, *NCRI), LINK): "reject"}
    assert key(doc, *MONDAY) not in gold(store, doc.id)
    store.undo("lead")
    assert links(store, doc.id)[(key(doc, *MONDAY), key(doc, *AP), LINK)] == "accept"


def test_an_old_database_link_to_a_span_that_is_not_gold_is_counted_and_named_in_the_export(project, tmp_path):
    """Before the rule above, rejecting a span left its link accepted: export --gold says so, never silently."""
    store, doc, _ = project
    store.decide_relation(doc.id, key(doc, *GIGS), key(doc, *AP), LINK, "accept", "lead")
    store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "lead")
    with store.db.transaction():  # as an older version left it: the span rejected, its link still accepted
        store.conn.execute("UPDATE gold SET decision = 'reject' WHERE start = ? AND label = 'FIGURE'",
                           [key(doc, *GIGS)[0]])
    assert len(store.gold_relations(doc.id)) == 1
    [unlinked] = store.gold.unlinked_relations(doc.id)
    assert unlinked.key() == (key(doc, *GIGS), key(doc, *AP), LINK)
    for fmt, out in (("jsonl", tmp_path / "g.jsonl"), ("brat", tmp_path / "brat")):
        result = CliRunner().invoke(
            cli, ["--db", store.path, "export", "--format", fmt, "--gold", "--out", str(out)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "(1 records, 2 spans, 1 relations)" in result.output
        assert ("left out 1 gold link whose span is not gold (rejected or reopened since; review it again): "
                f"evin-prison-leak.txt: ATTRIBUTED_TO FIGURE {key(doc, *GIGS)[0]}-{key(doc, *GIGS)[1]} "
                f"-> SOURCE {key(doc, *AP)[0]}-{key(doc, *AP)[1]}") in result.output


def test_relation_decisions_are_checked(project):
    store, doc, _ = project
    with pytest.raises(AnnotatorError, match="not allowed from SOURCE to FIGURE"):
        store.decide_relation(doc.id, key(doc, *AP), key(doc, *MONDAY), LINK, "accept", "lead")
    with pytest.raises(AnnotatorError, match="must be accept or reject"):
        store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "maybe", "lead")
    store.set_reviewers(["lead"], actor="lead")
    with pytest.raises(AnnotatorError, match="not a reviewer"):
        store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "alice")
    assert links(store, doc.id) == {} and gold(store, doc.id) == {}


# -- the review screen -------------------------------------------------------------------------


async def test_accept_reject_a_link_and_undo_in_the_screen(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        s.view.move_cursor(find(doc.text, MONDAY[0])[0] + 1)
        await pilot.pause()
        assert [r.child for r in s.links_here()] == [key(doc, *NCRI), key(doc, *AP)]  # in reading order
        here = str(s.query_one("#review-here").render())
        assert "links of this FIGURE" in here
        assert "▶≠ ATTRIBUTED_TO → SOURCE NCRI" in here and "= ATTRIBUTED_TO → SOURCE Associa" in here
        await pilot.press("enter")  # the focused link: Monday -> NCRI (alice's only)
        to_ncri = (key(doc, *MONDAY), key(doc, *NCRI), LINK)
        assert links(store, doc.id) == {to_ncri: "accept"}
        assert gold(store, doc.id) == {key(doc, *MONDAY): "accept", key(doc, *NCRI): "accept"}
        assert "✓ ATTRIBUTED_TO" in str(s.query_one("#review-here").render())
        await pilot.press("semicolon", "R")  # the next link: Monday -> Associated Press, rejected
        to_ap = (key(doc, *MONDAY), key(doc, *AP), LINK)
        assert links(store, doc.id) == {to_ncri: "accept", to_ap: "reject"}
        header = str(s.query_one("#review-header").render())
        assert "1 of 7 disagreements, 1 of 2 links settled" in header
        await pilot.press("u")
        assert links(store, doc.id) == {to_ncri: "accept"}
        await pilot.press("u")  # the accept and its two spans were one action
        assert links(store, doc.id) == {} and gold(store, doc.id) == {}
        await pilot.press("ctrl+r")
        assert links(store, doc.id) == {to_ncri: "accept"} and len(gold(store, doc.id)) == 2
        assert store.replay() == store.table_state()


async def test_rejecting_a_span_in_the_screen_rejects_its_links_and_one_undo_restores_all(project):
    """x on a span with an accepted link and an open one: both links rejected in the same action (its
    accepted link cannot stay accepted, and the open one cannot be gold any more); u restores all."""
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        await pilot.press("A")  # the agreed spans and the agreed link Monday -> Associated Press
        to_ap, gigs_to_ap = (key(doc, *MONDAY), key(doc, *AP), LINK), (key(doc, *GIGS), key(doc, *AP), LINK)
        assert links(store, doc.id) == {to_ap: "accept"}
        before_gold = gold(store, doc.id)
        s.view.move_cursor(find(doc.text, AP[0])[0] + 1)
        await pilot.pause()
        assert s.current_candidate().key == key(doc, *AP)
        assert {r.key for r in s.links_here()} == {to_ap, gigs_to_ap}
        await pilot.press("x")
        assert gold(store, doc.id)[key(doc, *AP)] == "reject"
        assert links(store, doc.id) == {to_ap: "reject", gigs_to_ap: "reject"}
        assert len({e["action"] for e in store.history(actor="lead", limit=3)}) == 1  # one action
        here = str(s.query_one("#review-here").render())
        assert "✗ ATTRIBUTED_TO ← FIGURE" in here and "✓ ATTRIBUTED_TO" not in here
        assert store.gold_relations(doc.id) == [] and store.gold.unlinked_relations(doc.id) == []
        await pilot.press("u")
        assert links(store, doc.id) == {to_ap: "accept"} and gold(store, doc.id) == before_gold
        assert "✓ ATTRIBUTED_TO ← FIGURE" in str(s.query_one("#review-here").render())
        assert store.replay() == store.table_state()


async def test_a_link_key_without_a_link_here_changes_nothing(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        s.view.move_cursor(find(doc.text, "Evin Prison")[0])
        await pilot.pause()
        assert s.links_here() == []
        await pilot.press("enter", "R", "semicolon")
        assert links(store, doc.id) == {} and gold(store, doc.id) == {}


async def test_accept_all_agreed_takes_agreed_links_in_the_same_action(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        assert "0 of 7 disagreements, 0 of 2 links settled" in str(app.screen.query_one("#review-header").render())
        await pilot.press("A")
        assert links(store, doc.id) == {(key(doc, *MONDAY), key(doc, *AP), LINK): "accept"}
        assert sum(1 for v in gold(store, doc.id).values() if v == "accept") == 4
        assert len({e["action"] for e in store.history(actor="lead")}) == 1
        await pilot.press("u")
        assert links(store, doc.id) == {} and gold(store, doc.id) == {}


async def test_accept_all_agreed_leaves_a_link_to_a_rejected_span_open(project):
    store, doc, _ = project
    store.decide(doc.id, *key(doc, *AP), "reject", "lead")
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("A")
        assert links(store, doc.id) == {}


def test_auto_accept_takes_agreed_links(project):
    store, doc, doc2 = project
    app = ReviewApp(store, "lead", auto_accept=True)
    assert app.auto_accepted == 6  # 4 + 1 agreed candidates, 1 agreed link
    assert len(store.gold_relations(doc.id)) == 1
    assert len({e["action"] for e in store.history(actor="lead")}) == 1


# -- export and merge ----------------------------------------------------------------------------


def test_export_gold_carries_the_accepted_relations(project, tmp_path):
    store, doc, _ = project
    store.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "lead")
    store.decide_relation(doc.id, key(doc, *GIGS), key(doc, *AP), LINK, "reject", "lead")
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(
        cli, ["--db", store.path, "export", "--format", "jsonl", "--gold", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["_annotator_id"] == "gold"
    [rel] = record["relations"]
    assert rel["label"] == LINK
    assert (rel["head_span"]["start"], rel["head_span"]["label"]) == (key(doc, *MONDAY)[0], "FIGURE")
    assert (rel["child_span"]["start"], rel["child_span"]["label"]) == (key(doc, *AP)[0], "SOURCE")
    # head and child are token indices, as Prodigy writes them: the token_end of each span
    ends = {(s["start"], s["label"]): s["token_end"] for s in record["spans"]}
    assert rel["head"] == ends[rel["head_span"]["start"], "FIGURE"] and rel["child"] == ends[rel["child_span"]["start"], "SOURCE"]


def test_merge_copies_gold_relations_and_twice_is_idempotent(tmp_path):
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    with Store(here_path) as here:
        doc, _ = build_links(here)
    shutil.copy(here_path, there_path)
    with Store(there_path) as there:
        there.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "lead")
    with Store(here_path) as here:
        report = here.merge_from(there_path)
        assert report.added("gold_relations") == 1 and report.added("gold") == 2 and report.conflicts == []
        assert "1 gold_relations added" in report.line()
        assert len(here.gold_relations(doc.id)) == 1
        assert here.replay() == here.table_state()
        counts = {t: here.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("gold", "gold_relations", "events")}
        again = here.merge_from(there_path)
        assert again.added("gold_relations") == 0 and again.events_added == 0 and again.conflicts == []
        assert {t: here.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("gold", "gold_relations", "events")} == counts
        assert here.replay() == here.table_state()


def test_merge_reports_a_relation_decided_differently_on_each_side(tmp_path):
    here_path, there_path = tmp_path / "here.db", tmp_path / "there.db"
    with Store(here_path) as here:
        doc, _ = build_links(here)
    shutil.copy(here_path, there_path)
    with Store(there_path) as there:
        there.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "accept", "lead")
    with Store(here_path) as here:
        here.decide_relation(doc.id, key(doc, *MONDAY), key(doc, *AP), LINK, "reject", "lead")
        report = here.merge_from(there_path)
        assert any(c.startswith("gold_relations") for c in report.conflicts)
        assert links(here, doc.id) == {(key(doc, *MONDAY), key(doc, *AP), LINK): "reject"}
        assert here.replay() == here.table_state()
