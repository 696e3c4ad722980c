"""Linking without hunting: the pick-list after r, relations drawn in the text, unlinked claims marked.

On the reference article (sample_docs/evin-prison-leak.txt), by keys.
"""

from __future__ import annotations

import unicodedata

import pytest
from rich.segment import Segment

from annotator.models import Document, Relation
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.link_pick import LinkPickScreen, matches
from test_snapshots import sample_app, settle
from tui_helpers import add_span

#: The third paragraph's first sentence: the claim of these tests (its full stop may or may not be in it).
CLAIM_START = "The purpose of the footage leak"
CLAIM_END = "in Iran’s prisons"


@pytest.fixture
def app(store: Store, article: Document) -> AnnotatorApp:
    return AnnotatorApp(store, "alice")


def at(document: Document, phrase: str, nth: int = 0) -> int:
    offset = -1
    for _ in range(nth + 1):
        offset = document.text.index(phrase, offset + 1)
    return offset


def relations(store: Store, document: Document) -> list[tuple[str, str, str]]:
    """(head text, label, child text) of every relation."""
    spans = {s.id: document.text[s.start:s.end].rstrip(".") for s in store.spans_for(document.id)}
    return [(spans[r.head], r.label, spans[r.child]) for r in store.relations_for(document.id)]


async def tag_claim_and_sources(pilot, document: Document) -> None:
    """By keys: the claim (v ) c), SOURCE 'AP' (s on it, the nearer) and SOURCE 'Associated' (farther)."""
    view = pilot.app.screen.view
    view.move_cursor(at(document, CLAIM_START))
    await pilot.press("v", "right_parenthesis", "c")
    view.move_cursor(at(document, "AP,") + 1)
    await pilot.press("s")
    view.move_cursor(at(document, "Associated") + 2)
    await pilot.press("s")
    await pilot.pause()


def claim_text(document: Document) -> str:
    return document.text[at(document, CLAIM_START):at(document, CLAIM_END) + len(CLAIM_END)]


async def test_r_enter_links_the_claim_to_the_nearest_source(app, store, article):
    async with app.run_test(size=(100, 30)) as pilot:
        await tag_claim_and_sources(pilot, article)
        labels = sorted((article.text[s.start:s.end].rstrip("."), s.label) for s in store.spans_for(article.id))
        assert labels == sorted([(claim_text(article), "CLAIM"), ("AP", "SOURCE"), ("Associated", "SOURCE")])
        app.screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r")
        assert isinstance(app.screen, LinkPickScreen)
        assert [t.label for t in app.screen.shown] == ["SOURCE", "SOURCE"]
        assert app.screen.highlighted.start == at(article, "AP,")  # nearest first, preselected
        await pilot.press("enter")
        assert isinstance(app.screen, AnnotateScreen)
        assert relations(store, article) == [(claim_text(article), "ATTRIBUTED_TO", "AP")]
        # from the source: the claim is offered, and the link goes claim -> source all the same
        app.screen.view.move_cursor(at(article, "Associated"))
        await pilot.press("r", "enter")
        assert sorted(relations(store, article)) == [(claim_text(article), "ATTRIBUTED_TO", "AP"),
                                                     (claim_text(article), "ATTRIBUTED_TO", "Associated")]


async def test_down_picks_the_next_and_the_linked_one_is_not_preselected(app, store, article):
    async with app.run_test(size=(100, 30)) as pilot:
        await tag_claim_and_sources(pilot, article)
        app.screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r", "down", "enter")
        assert relations(store, article) == [(claim_text(article), "ATTRIBUTED_TO", "Associated")]
        await pilot.press("r")
        assert [(t.start, t.linked) for t in app.screen.shown] == [(at(article, "AP,"), False),
                                                                   (at(article, "Associated"), True)]
        assert "(linked)" in str(app.screen.query_one("OptionList").get_option_at_index(1).prompt)
        await pilot.press("down", "down", "down", "up", "enter")  # clamped at the end, then back to AP
        assert len(relations(store, article)) == 2


async def test_typing_filters_by_the_span_text_with_smart_case(app, store, article, notifications):
    async with app.run_test(size=(100, 30), message_hook=notifications) as pilot:
        await tag_claim_and_sources(pilot, article)
        app.screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r", *"assoc")
        pick = app.screen
        assert [article.text[t.start:t.end] for t in pick.shown] == ["Associated"]
        await pilot.press(*["backspace"] * 5)
        assert len(pick.shown) == 2
        await pilot.press(*"ASSOC")  # a capital: case-sensitive, so nothing matches
        assert pick.shown == []
        await pilot.press("enter")
        assert app.screen is pick and any("No span matches" in n for n in notifications)
        for _ in "ASSOC":
            await pilot.press("backspace")
        await pilot.press(*"Ass", "enter")
        assert relations(store, article) == [(claim_text(article), "ATTRIBUTED_TO", "Associated")]


def test_the_filter_folds_case_and_accents_only_for_a_lower_case_query():
    assert matches("strasse", "Straße") and matches("ass", "Associated") and not matches("ASS", "Associated")
    assert matches("café", unicodedata.normalize("NFD", "Café au lait"))
    assert matches("", "anything") and not matches("Café", "café")


async def test_escape_cancels_and_nothing_is_stored(app, store, article, notifications):
    async with app.run_test(size=(100, 30), message_hook=notifications) as pilot:
        await tag_claim_and_sources(pilot, article)
        screen = app.screen
        screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r", *"ap", "escape")
        assert app.screen is screen and screen.pending_head is None
        assert "linking" not in screen.header.plain
        await pilot.press("enter")  # nothing pending: enter links nothing either
        assert store.relations_for(article.id) == []
        assert "Link cancelled" in notifications


async def test_tab_keeps_the_two_step_way(app, store, article):
    async with app.run_test(size=(100, 30)) as pilot:
        await tag_claim_and_sources(pilot, article)
        screen = app.screen
        screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r", "tab")
        assert app.screen is screen and "linking CLAIM" in screen.header.plain
        screen.view.move_cursor(at(article, "Associated"))
        await pilot.press("r")
        assert relations(store, article) == [(claim_text(article), "ATTRIBUTED_TO", "Associated")]


async def test_no_targets_says_so(app, store, article, notifications):
    add_span(store, article, at(article, "Evin"), at(article, "Evin") + 4, "ENTITY")
    add_span(store, article, at(article, "hundreds"), at(article, "hundreds") + 21, "FIGURE")
    async with app.run_test(size=(100, 30), message_hook=notifications) as pilot:
        screen = app.screen
        screen.view.move_cursor(at(article, "Evin") + 1)
        await pilot.press("r")
        assert app.screen is screen and screen.pending_head is None
        assert notifications[-1] == "Nothing to link ENTITY to: the schema has no relation for it"
        screen.view.move_cursor(at(article, "hundreds") + 1)
        await pilot.press("r")
        assert app.screen is screen and screen.pending_head is None
        assert notifications[-1] == "Nothing to link FIGURE to: tag a SOURCE first"
        assert store.relations_for(article.id) == []


def style_at(view, offset: int):
    """The style the view paints on the cell of ``offset`` (rendering its row now)."""
    row = view.row_of(offset)
    view.scroll_to(y=row, animate=False, immediate=True)
    strip = view.render_line(row - int(view.scroll_offset.y))
    column = view.column_of(offset)
    cells = 0
    for segment in strip:
        text, style = segment.text, segment.style
        if cells <= column < cells + Segment(text).cell_length:
            return style
        cells += Segment(text).cell_length
    raise AssertionError("offset not on its row")


async def test_both_ends_are_marked_and_the_focused_link_is_drawn(app, store, article):
    async with app.run_test(size=(100, 30)) as pilot:
        await tag_claim_and_sources(pilot, article)
        screen, view = app.screen, app.screen.view
        claim, ap, associated = (at(article, CLAIM_START), at(article, "AP,"), at(article, "Associated"))
        span_at = {s.start: s for s in store.spans_for(article.id)}
        before = {offset: style_at(view, offset) for offset in (claim, ap, associated, claim + 1)}
        assert all(view.highlight(span_at[o].id).mark is None for o in (claim, ap, associated))
        rows = {r.start: r.mark for r in screen.panel.span_list.rows}
        assert rows[claim] == "!" and rows[ap] == "" and rows[associated] == ""  # a claim without a source
        view.move_cursor(claim + 4)
        await pilot.press("r", "enter")
        view.move_cursor(at(article, "Monday"))  # off every span: nothing focused
        await pilot.pause()
        for offset in (claim, ap):
            highlight = view.highlight(span_at[offset].id)
            assert highlight.mark is not None and not highlight.style.reverse
            marked = style_at(view, offset)
            assert marked != before[offset] and marked.bold and marked.underline  # the row was repainted
        assert style_at(view, claim + 1) == before[claim + 1]  # the mark is on the first cell only
        assert view.highlight(span_at[associated].id).mark is None
        assert style_at(view, associated) == before[associated]
        assert {r.start: r.mark for r in screen.panel.span_list.rows}[claim] == ""
        # on the claim: both ends of its link drawn reversed, across lines; the unlinked source is not
        view.move_cursor(claim + 4)
        await pilot.pause()
        assert style_at(view, claim + 8).reverse and style_at(view, ap + 1).reverse
        assert not style_at(view, associated + 1).reverse
        # on the source: the same link
        view.move_cursor(ap + 1)
        await pilot.pause()
        assert style_at(view, claim + 8).reverse
        view.move_cursor(at(article, "Monday"))
        await pilot.pause()
        assert not style_at(view, claim + 8).reverse
        # R removes the link: both markers go
        view.move_cursor(ap + 1)
        await pilot.press("R")
        await pilot.pause()
        assert view.highlight(span_at[claim].id).mark is None and view.highlight(span_at[ap].id).mark is None
        assert not style_at(view, claim + 8).reverse
        assert {r.start: r.mark for r in screen.panel.span_list.rows}[claim] == "!"


async def test_the_same_link_twice_says_already_linked(app, store, article, notifications):
    async with app.run_test(size=(100, 30), message_hook=notifications) as pilot:
        await tag_claim_and_sources(pilot, article)
        screen = app.screen
        screen.view.move_cursor(at(article, "footage leak"))
        await pilot.press("r", *"AP", "enter")
        await pilot.press("r", *"AP", "enter")
        assert notifications[-1] == "already linked: CLAIM -> SOURCE “AP”"
        assert len(store.relations_for(article.id)) == 1
        # made meanwhile in another window (this screen has not seen it): the store refuses it
        screen.database_changed = lambda: None
        spans = {article.text[s.start:s.end].rstrip("."): s for s in store.spans_for(article.id)}
        store.add_relation(Relation(document_id=article.id, head=spans[claim_text(article)].id,
                                    child=spans["Associated"].id, label="ATTRIBUTED_TO", annotator="alice"))
        await pilot.press("r", *"Ass", "enter")
        await pilot.pause()
        assert notifications[-1] == "already linked: CLAIM -> SOURCE"  # the store's AlreadyExists
        assert len(store.relations_for(article.id)) == 2


def test_the_pick_list_at_80x24(snap_compare, tmp_path):
    async def pick(pilot) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        screen.view.move_cursor(screen.view.text.index("Evin Prison") + 1)
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(sample_app(tmp_path), terminal_size=(80, 24), run_before=pick)
