"""Pilot tests of the review screen's keys, asserting on the store's gold table."""

from __future__ import annotations

import pytest

from annotator.store import Store
from annotator.tui import bindings
from annotator.tui.screens.review import ReviewApp, ReviewScreen

from .helpers import build, find


@pytest.fixture
def project(tmp_path):
    with Store(tmp_path / "p.db") as store:
        doc, doc2 = build(store)
        yield store, doc, doc2


def gold(store, doc_id):
    return {(d.start, d.end, d.label): d.decision for d in store.gold_decisions(doc_id)}


def screen(app) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_accept_reject_and_undo(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        assert s.document_id == doc.id
        first = s.current_candidate()
        assert first is not None and not first.agreed  # it opens on the first open disagreement
        await pilot.press("a")
        decisions = gold(store, doc.id)
        assert decisions[first.key] == "accept"
        # the other reading of the same words (NCRI as SOURCE or ENTITY) was rejected in the same action
        ncri = find(doc.text, "NCRI")
        other = "SOURCE" if first.label == "ENTITY" else "ENTITY"
        assert first.key[:2] == ncri
        assert decisions == {first.key: "accept", (*ncri, other): "reject"}
        await pilot.press("u")
        assert gold(store, doc.id) == {}
        await pilot.press("ctrl+r")
        assert len(gold(store, doc.id)) == 2
        await pilot.press("tab")
        nxt = s.current_candidate()
        assert nxt is not None and not nxt.settled
        await pilot.press("x")  # x removes what is under the cursor: here, rejects the candidate
        assert gold(store, doc.id)[nxt.key] == "reject"
        assert store.spans_for(doc.id)  # annotators' spans untouched
        assert all(e["actor"] == "lead" for e in store.history(limit=5) if e["table_name"] == "gold")


async def test_accept_all_agreed_and_progress_header(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        screen(app)
        header = str(app.screen.query_one("#review-header").render())
        assert "0 of 7 disagreements settled" in header and "0 of 2 documents reviewed" in header
        await pilot.press("A")
        accepted = [k for k, v in gold(store, doc.id).items() if v == "accept"]
        assert len(accepted) == 4
        assert len(store.history(actor="lead", limit=10)) == 4
        assert len({e["action"] for e in store.history(actor="lead", limit=10)}) == 1  # one action
        await pilot.press("u")
        assert gold(store, doc.id) == {}


async def test_label_key_relabels_and_boundary_keys_edit(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        raisi = find(doc.text, "Ebrahim Raisi’s")
        s.view.move_cursor(raisi[0] + 1)
        await pilot.pause()
        # two candidates here: alice's "Ebrahim Raisi" and bob's "Ebrahim Raisi’s"; take bob's (longer first)
        here = s.here()
        assert len(here) == 2
        while s.current_candidate().end != raisi[1]:
            await pilot.press("apostrophe")
        await pilot.press("z")  # exact mode: edge keys move by tokens, as on the annotation screen
        await pilot.press("full_stop")  # end one token left: drops "s"
        await pilot.press("full_stop")  # and the apostrophe
        assert s.draft is not None and s.draft[1] == raisi[1] - 2
        await pilot.press("a")
        decisions = gold(store, doc.id)
        assert decisions[(raisi[0], raisi[1], "ENTITY")] == "reject"
        assert decisions[(raisi[0], raisi[1] - 2, "ENTITY")] == "accept"  # alice's span, as edited
        # a label key on a candidate accepts it with that label
        gig = find(doc.text, "hundreds of gigabytes")
        s.view.move_cursor(gig[0])
        await pilot.pause()
        await pilot.press("c")  # CLAIM
        decisions = gold(store, doc.id)
        assert decisions[(*gig, "CLAIM")] == "accept" and decisions[(*gig, "FIGURE")] == "reject"
        assert [g.label for g in store.gold_spans(doc.id) if g.start == gig[0]] == ["CLAIM"]


async def test_select_and_label_key_makes_a_gold_span(project):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        start, end = find(doc.text, "surveillance footage")
        s.view.select(start, end)
        await pilot.pause()
        await pilot.press("e")
        assert gold(store, doc.id) == {(start, end, "ENTITY"): "accept"}
        assert store.gold_decisions(doc.id)[0].sources == ()


async def test_document_navigation_and_auto_accept(project):
    store, doc, doc2 = project
    app = ReviewApp(store, "lead", auto_accept=True)
    assert app.auto_accepted == 5  # 4 in the article, 1 in the second document
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        assert s.document_id == doc.id
        await pilot.press("n")
        assert s.document_id == doc2.id
        await pilot.press("p")
        assert s.document_id == doc.id
        await pilot.press("u")  # undoes the auto-accept across both documents
        assert store.gold_decisions(doc.id) == [] and store.gold_decisions(doc2.id) == []
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.screen is s
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_non_reviewer_write_is_refused_in_the_screen(project):
    store, doc, _ = project
    app = ReviewApp(store, "alice")
    async with app.run_test(size=(120, 36)) as pilot:
        store.set_reviewers(["lead"], actor="lead")
        await pilot.press("a")
        assert gold(store, doc.id) == {}


# -- snapshots ---------------------------------------------------------------------------------


def _snapshot_app(tmp_path, **kwargs) -> ReviewApp:
    store = Store(tmp_path / "snap.db")
    build(store)
    return ReviewApp(store, "lead", **kwargs)


def test_snapshot_agreements_and_disagreements(snap_compare, tmp_path):
    assert snap_compare(_snapshot_app(tmp_path), terminal_size=(110, 32))


def test_snapshot_after_accepting(snap_compare, tmp_path):
    async def accept(pilot):
        await pilot.press("a")  # the first disagreement (and its alternative rejected)
        await pilot.press("A")  # every agreed candidate
        await pilot.pause()

    assert snap_compare(_snapshot_app(tmp_path), terminal_size=(110, 32), run_before=accept)


def test_snapshot_blind(snap_compare, tmp_path):
    assert snap_compare(_snapshot_app(tmp_path, blind=True), terminal_size=(110, 32))


async def test_command_palette_carries_every_review_action(project):
    from annotator.tui.commands import ScreenCommands

    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        provider = ScreenCommands(s)
        names = [hit.text async for hit in provider.discover()]
        every = [e.long for e in bindings.entries(bindings.REVIEW, s.schema) if e.place != bindings.APP]
        assert sorted(names) == sorted(every)  # every key of the screen (and its view), labels included
        hits = [hit async for hit in provider.search("accept every agreed")]
        assert hits, names
        max(hits, key=lambda h: h.score).command()
        await pilot.pause()
        assert sum(1 for d in store.gold_decisions(doc.id) if d.decision == "accept") == 4


async def test_accepting_a_span_leaves_the_spans_of_other_labels_nested_in_it_open(project):
    """A FIGURE inside a CLAIM is no rival of the CLAIM: accepting one must not reject the other.
    The same words with another label, or the same label with other boundaries, still are rivals."""
    from annotator.models import Span

    store, doc, _ = project
    claim = find(doc.text, "the hackers copied data that amounts to hundreds of gigabytes")
    shorter = find(doc.text, "the hackers copied data")
    store.add_span(Span(document_id=doc.id, start=claim[0], end=claim[1], label="CLAIM", annotator="alice"))
    store.add_span(Span(document_id=doc.id, start=shorter[0], end=shorter[1], label="CLAIM", annotator="bob"))
    gig = find(doc.text, "hundreds of gigabytes")  # bob's FIGURE, nested in alice's CLAIM
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        s.view.move_cursor(claim[0])
        await pilot.pause()
        while s.current_candidate().key != (*claim, "CLAIM"):
            await pilot.press("apostrophe")
        await pilot.press("a")
        decisions = gold(store, doc.id)
        assert decisions[(*claim, "CLAIM")] == "accept"
        assert decisions[(*shorter, "CLAIM")] == "reject"  # same label, other boundaries: a rival
        assert (*gig, "FIGURE") not in decisions  # nested, another label: still open


async def test_next_disagreement_focuses_the_disagreement_it_went_to_where_several_overlap(project):
    """] lands inside the agreed "Monday, August 23" on alice's own "August 23" and focuses that
    one: a then accepts it, not the first (agreed) candidate under the cursor."""
    from annotator.models import Span

    store, doc, _ = project
    monday = find(doc.text, "Monday, August 23")
    # alice also marked the date alone: a disagreement starting inside the agreed candidate
    day = find(doc.text, "August 23")
    store.add_span(Span(document_id=doc.id, start=day[0], end=day[1], label="FIGURE", annotator="alice"))
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        s.view.move_cursor(monday[0])
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert s.view.cursor == day[0]
        assert [c.key for c in s.here()] == [(*monday, "FIGURE"), (*day, "FIGURE")]
        assert s.current_candidate().key == (*day, "FIGURE")
        await pilot.press("a")
        assert gold(store, doc.id)[(*day, "FIGURE")] == "accept"


async def test_an_edit_or_selection_landing_on_a_candidate_takes_its_annotators_as_sources(project):
    store, doc, _ = project
    raisi = find(doc.text, "Ebrahim Raisi’s")
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        s = screen(app)
        s.view.move_cursor(raisi[0] + 1)
        await pilot.pause()
        while s.current_candidate().end != raisi[1]:
            await pilot.press("apostrophe")
        await pilot.press("full_stop", "full_stop")  # bob's span edited into alice's
        await pilot.press("a")
        by_key = {d.key(): d for d in store.gold_decisions(doc.id)}
        assert by_key[(raisi[0], raisi[1] - 2, "ENTITY")].sources == ("alice",)
        assert by_key[(raisi[0], raisi[1], "ENTITY")].sources == ("bob",)
        # NCRI: alice said SOURCE, bob ENTITY; the label key e on alice's accepts bob's reading
        ncri = find(doc.text, "NCRI")
        s.view.move_cursor(ncri[0])
        await pilot.pause()
        while s.current_candidate().label != "SOURCE":
            await pilot.press("apostrophe")
        await pilot.press("e")
        by_key = {d.key(): d for d in store.gold_decisions(doc.id)}
        assert by_key[(*ncri, "ENTITY")].decision == "accept" and by_key[(*ncri, "ENTITY")].sources == ("bob",)
        # a selection of exactly an annotator's span is theirs too
        gig = find(doc.text, "hundreds of gigabytes")
        s.view.select(*gig)
        await pilot.pause()
        await pilot.press("f")
        assert {d.key(): d for d in store.gold_decisions(doc.id)}[(*gig, "FIGURE")].sources == ("bob",)


async def test_next_disagreement_reaches_open_link_disagreements(tmp_path, notifications):
    """Once every span is settled, ] still goes to a link only one annotator made, focused: R rejects it."""
    from annotator.models import Document, Relation, Span

    text = "Reuters said profits rose 5% in Tokyo on Monday, according to Sony."
    with Store(tmp_path / "l.db") as store:
        doc = store.add_document(Document.from_text("l.txt", text))
        spans = {}
        for who in ("alice", "bob"):
            for sub, label in (("Reuters", "SOURCE"), ("5%", "FIGURE"), ("Sony", "SOURCE")):
                spans[who, sub] = store.add_span(Span(document_id=doc.id, start=text.index(sub),
                                                      end=text.index(sub) + len(sub), label=label, annotator=who))
        store.add_relation(Relation(document_id=doc.id, head=spans["alice", "5%"].id,
                                    child=spans["alice", "Sony"].id, label="ATTRIBUTED_TO", annotator="alice"))
        store.add_relation(Relation(document_id=doc.id, head=spans["alice", "5%"].id,
                                    child=spans["alice", "Reuters"].id, label="ATTRIBUTED_TO", annotator="alice"))
        app = ReviewApp(store, "lead", auto_accept=True)  # the three agreed spans
        async with app.run_test(size=(120, 36), message_hook=notifications) as pilot:
            s = screen(app)
            await pilot.pause()
            five = text.index("5%")
            # it opens on the first open link disagreement, focused
            assert s.view.cursor == five and s.current_link() is not None and not s.current_link().settled
            first = s.current_link()
            await pilot.press("R")
            await pilot.press("tab")
            await pilot.pause()
            assert s.view.cursor == five
            second = s.current_link()
            assert second is not None and second.key != first.key and not second.settled
            await pilot.press("R")
            assert all(d.decision == "reject" for d in store.gold_relation_decisions(doc.id))
            assert len(store.gold_relation_decisions(doc.id)) == 2
            await pilot.press("tab")
            assert "every disagreement" in notifications[-1]


async def test_ctrl_p_opens_the_command_palette(project):
    from textual.command import CommandPalette

    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_header_and_keys_fit_80_columns(project):
    """At 80 columns the header keeps the progress, the reviewer and [blind] (the document name is
    cut instead), and the keys line keeps '? help'."""
    store, doc, _ = project
    app = ReviewApp(store, "lead", blind=True)
    async with app.run_test(size=(80, 24)) as pilot:
        s = screen(app)
        await pilot.pause()
        header = str(s.query_one("#review-header").render())
        keys = str(s.query_one("#review-keys").render())
        assert len(header) <= 78 and len(keys) <= 78
        assert "0/7" in header and "0/2" in header and "lead" in header and "[blind]" in header
        assert "? help" in keys
        await pilot.resize_terminal(140, 30)
        await pilot.pause()
        header = str(s.query_one("#review-header").render())
        assert "0 of 7 disagreements settled" in header and "evin-prison-leak.txt" in header


async def test_auto_accept_message_names_links_apart(tmp_path, notifications):
    from annotator.models import Document, Relation, Span

    text = "Reuters said profits rose 5% in Tokyo."
    with Store(tmp_path / "a.db") as store:
        doc = store.add_document(Document.from_text("a.txt", text))
        for who in ("alice", "bob"):
            made = [store.add_span(Span(document_id=doc.id, start=text.index(sub), end=text.index(sub) + len(sub),
                                        label=label, annotator=who))
                    for sub, label in (("5%", "FIGURE"), ("Reuters", "SOURCE"))]
            store.add_relation(Relation(document_id=doc.id, head=made[0].id, child=made[1].id,
                                        label="ATTRIBUTED_TO", annotator=who))
        store.add_span(Span(document_id=doc.id, start=text.index("Tokyo"), end=text.index("Tokyo") + 5,
                            label="ENTITY", annotator="alice"))
        app = ReviewApp(store, "lead", auto_accept=True)
        async with app.run_test(size=(120, 36), message_hook=notifications) as pilot:
            await pilot.pause()
            assert app.auto_accepted == 3
            assert "accepted 2 agreed candidates and 1 link (u undoes)" in notifications


async def test_undoing_accept_all_names_its_first_decisions_and_how_many_more(project, notifications):
    store, doc, _ = project
    app = ReviewApp(store, "lead")
    async with app.run_test(size=(120, 36), message_hook=notifications) as pilot:
        screen(app)
        await pilot.press("A")
        await pilot.press("u")
        message = notifications[-1]
        assert message.startswith("undid: accept ") and message.endswith(" and 2 more decisions"), message
        assert message.count(";") == 1
