"""Moving the cursor, documents, search, relations, help, palette, quitting and resuming."""

from __future__ import annotations

import asyncio

import pytest
from textual.command import CommandPalette

from annotator.models import Status
from annotator.tui import bindings
from annotator.tui.app import AnnotatorApp
from annotator.tui.commands import AnnotateCommands
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.search import SearchScreen
from tui_helpers import TEXT, add_span, spans

SECOND_PARAGRAPH = TEXT.index("The CEO")


@pytest.mark.parametrize(
    ("start", "keys", "expected"),
    [
        (0, ["l"], 1), (0, ["right"], 1), (3, ["h"], 2), (3, ["left"], 2), (0, ["left"], 0),
        (0, ["w"], 5), (0, ["ctrl+right"], 5), (9, ["b"], 5), (9, ["ctrl+left"], 5),
        (0, [")"], SECOND_PARAGRAPH), (SECOND_PARAGRAPH + 2, ["("], SECOND_PARAGRAPH),
        (0, ["}"], SECOND_PARAGRAPH), (SECOND_PARAGRAPH + 5, ["{"], SECOND_PARAGRAPH), (SECOND_PARAGRAPH, ["{"], 0),
        (0, ["G"], len(TEXT)), (0, ["ctrl+end"], len(TEXT)), (50, ["g"], 0), (50, ["ctrl+home"], 0),
        (5, ["end"], TEXT.index("\n")), (5, ["home"], 0),
        (2, ["j"], 40), (2, ["down"], 40), (2, ["j", "j"], SECOND_PARAGRAPH + 2), (SECOND_PARAGRAPH + 2, ["k", "k"], 2),
        (SECOND_PARAGRAPH + 2, ["up", "up"], 2),
        (0, ["pagedown"], len(TEXT)), (len(TEXT), ["pageup"], 0),
    ],
)
async def test_movement_keys(app, docs, start, keys, expected):
    async with app.run_test() as pilot:
        view = app.screen.view
        view.move_cursor(start)
        await pilot.press(*keys)
        assert view.cursor == expected
        assert view.selection is None


async def test_cursor_moves_update_the_details_and_the_list(app, store, docs):
    add_span(store, docs[0], 15, 22, "ENTITY")
    async with app.run_test() as pilot:
        screen = app.screen
        assert screen.panel.details_text.startswith("cfse: tag “Acme”")  # what a label key will do, first
        screen.view.move_cursor(16)
        await pilot.pause()
        assert "ENTITY" in screen.panel.details_text and "revenue" in screen.panel.details_text
        assert screen.panel.details_text.startswith("cfse: relabel ENTITY “revenue”")
        assert screen.panel.span_list.selected == screen.selected_span().id


async def test_next_previous_and_unfinished_documents(app, store, docs):
    async with app.run_test() as pilot:
        screen = app.screen
        assert screen.document.id == docs[0].id and "1/3" in screen.header.plain
        await pilot.press("n")
        assert screen.document.id == docs[1].id and "2/3" in screen.header.plain
        await pilot.press("p")
        assert screen.document.id == docs[0].id
        await pilot.press("p")  # already first: stays
        assert screen.document.id == docs[0].id
        store.set_status(docs[1].id, "alice", Status.done)
        await pilot.press("N")
        assert screen.document.id == docs[2].id


async def test_d_marks_done_and_moves_to_the_next_unfinished(app, store, docs):
    async with app.run_test() as pilot:
        await pilot.press("d")
        assert store.status(docs[0].id, "alice") == Status.done
        assert app.screen.document.id == docs[1].id
        await pilot.press("d", "d")
        assert all(store.status(d.id, "alice") == Status.done for d in docs)
        assert "done" in app.screen.header.plain


async def test_search_jumps_selects_and_repeats(app, store, docs):
    revenue, rose = (15, 22), (23, 27)
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"e", "enter")
        assert view.selection == (0, 4)  # "Acme": the first match from the cursor, snapped to its word
        await pilot.press("f3")
        assert view.selection == revenue
        await pilot.press("f3")  # the other e's of "revenue" would select it again: passed over
        assert view.selection == rose
        await pilot.press("shift+f3")
        assert view.selection == revenue
        await pilot.press("shift+f3")
        assert view.selection == (0, 4)
        await pilot.press("slash", *"reuters", "enter")
        assert view.selection == (TEXT.index("Reuters"), TEXT.index("Reuters") + 7)
        await pilot.press("s")  # tag the match
        assert spans(store, docs[0]) == [(65, 72, "SOURCE")]
        await pilot.press("ctrl+n")  # only one match: wraps round to it
        assert view.selection == (65, 72)
        await pilot.press("ctrl+b")
        assert view.selection == (65, 72)
        await pilot.press("slash", "escape")
        assert view.selection == (65, 72)


async def test_relation_from_claim_to_source_and_back(app, store, docs):
    add_span(store, docs[0], 0, 39, "CLAIM")
    add_span(store, docs[0], 65, 72, "SOURCE")
    async with app.run_test() as pilot:
        screen = app.screen
        screen.view.move_cursor(2)
        await pilot.press("r", "tab")  # the pick-list's tab: pick the other end in the text, the old way
        assert "linking CLAIM: r on target, esc cancels" in screen.header.plain
        screen.view.move_cursor(66)
        await pilot.press("r")
        relations = store.relations_for(docs[0].id)
        assert [(r.label, r.head, r.child) for r in relations] == [
            ("ATTRIBUTED_TO", store.spans_for(docs[0].id)[0].id, store.spans_for(docs[0].id)[1].id)
        ]
        assert "← ATTRIBUTED_TO CLAIM" in screen.panel.details_text
        await pilot.press("R")
        assert store.relations_for(docs[0].id) == []
        # marked the source first, finished with enter: linked the right way round
        await pilot.press("r", "tab")
        screen.view.move_cursor(2)
        await pilot.press("enter")
        relation = store.relations_for(docs[0].id)[0]
        assert store.get_span(relation.head).label == "CLAIM"
        assert "→ ATTRIBUTED_TO SOURCE" in screen.panel.details_text
        await pilot.press("u")
        assert store.relations_for(docs[0].id) == []
        await pilot.press("ctrl+r")
        assert len(store.relations_for(docs[0].id)) == 1


async def test_escape_cancels_a_pending_link_and_disallowed_pairs_are_refused(app, store, docs):
    add_span(store, docs[0], 0, 4, "ENTITY")
    add_span(store, docs[0], 65, 72, "SOURCE")
    async with app.run_test() as pilot:
        screen = app.screen
        await pilot.press("r", "escape")
        assert screen.pending_head is None and "linking" not in screen.header.plain
        await pilot.press("r")  # nothing to pick: the schema links ENTITY to nothing
        assert screen.pending_head is None and screen is app.screen
        screen.view.move_cursor(66)
        await pilot.press("r")
        assert store.relations_for(docs[0].id) == []  # ENTITY -> SOURCE is not in the schema


async def test_help_lists_every_key_from_the_bindings(app, docs):
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").render().plain
        listed = bindings.entries(bindings.ANNOTATE, screen.schema)
        assert {e.id for e in listed} >= {k.id for k in bindings.SCREEN_KEYS if k.annotate} | {"cursor.left", "app.quit"}
        lines = text.splitlines()
        for entry in listed:  # a row: the keys (as the keymap has them), then what they do
            assert any(line.startswith(entry.shown_keys + " ") and entry.long[:30] in line for line in lines), entry
        for heading in ("Move", "Select", "Tag and edit", "Relations", "Documents", "Search", "Other"):
            assert heading in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_lists_actions_labels_and_documents(app, store, docs):
    async with app.run_test() as pilot:
        screen = app.screen
        provider = AnnotateCommands(screen)
        names = [hit.text async for hit in provider.discover()]
        assert "Tag the selection, or the word under the cursor, as FIGURE" in names
        assert "Mark this document done and go to the next one not done" in names
        hits = [hit async for hit in provider.search("go to document 2")]
        best = max(hits, key=lambda h: h.score)
        assert "second.txt" in best.text
        best.command()
        await pilot.pause()
        assert screen.document.id == docs[1].id
        tag = [hit async for hit in provider.search("as FIGURE")]
        max(tag, key=lambda h: h.score).command()
        await pilot.pause()
        assert spans(store, docs[1]) == [(0, 6, "FIGURE")]
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")


async def test_quit_saves_the_position_and_reopening_returns_there(store, docs):
    app = AnnotatorApp(store, "alice")
    async with app.run_test() as pilot:
        await pilot.press("n", "w", "w")
        cursor = app.screen.view.cursor
        await pilot.press("q")
    assert app.return_code == 0 or app.return_code is None
    assert store.last_position("alice") == (docs[1].id, cursor)
    again = AnnotatorApp(store, "alice")
    async with again.run_test() as pilot:
        assert again.screen.document.id == docs[1].id
        assert again.screen.view.cursor == cursor


async def test_position_is_saved_after_the_cursor_rests(app, store, docs):
    saved = asyncio.Event()

    def hook(message) -> None:
        if isinstance(message, AnnotateScreen.PositionSaved) and message.offset == 5:
            saved.set()

    async with app.run_test(message_hook=hook) as pilot:
        await pilot.press("w")
        # the screen's own timer saves it once the cursor rests, and says so; the timeout only stops a hang
        await asyncio.wait_for(saved.wait(), timeout=30)
        assert store.position_in("alice", docs[0].id) == 5


async def test_mouse_click_moves_and_drag_selects(app, store, docs):
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        region = view.content_region
        await pilot.click(view, offset=(region.x - view.region.x + 5, 0))
        assert view.cursor == 5
        await pilot.mouse_down(view, offset=(region.x - view.region.x + 0, 0))
        await pilot.hover(view, offset=(region.x - view.region.x + 8, 0))
        await pilot.mouse_up(view, offset=(region.x - view.region.x + 8, 0))
        assert view.selection == (0, 9)
        await pilot.press("c")
        assert spans(store, docs[0]) == [(0, 9, "CLAIM")]


async def test_clicking_a_span_in_the_list_selects_it(app, store, docs):
    add_span(store, docs[0], 65, 72, "SOURCE")
    async with app.run_test() as pilot:
        await pilot.click("#span-list", offset=(2, 0))
        assert app.screen.view.selection == (65, 72)


async def test_empty_database_shows_how_to_import(store):
    app = AnnotatorApp(store, "alice")
    async with app.run_test() as pilot:
        assert app.screen.has_class("-empty")
        assert "annotator import PATH" in str(app.screen.query_one("#empty").render())
        await pilot.press("e", "n", "d", "u", "question_mark")  # nothing to act on: no crash
        assert isinstance(app.screen, HelpScreen)


async def test_no_color_terminals_work(store, docs, monkeypatch):
    """NO_COLOR makes Textual filter every segment (it crashed on unstyled ones)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = AnnotatorApp(store, "alice")
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "v", "w", "w", "c", "tab", "r", "tab")  # after a tag the cursor is on the next word
        app.screen.flush_footer()  # the footer's rebuild (which styles every key) now, not after the timer
        await pilot.pause()
        assert app.is_running
        assert spans(store, docs[0]) == [(0, 4, "ENTITY"), (5, 14, "CLAIM")]


async def test_a_search_match_selects_whole_characters(store):
    from annotator.models import Document
    from annotator.store import ImportRecord

    text = "thumbs 👍🏽 up, cafe\u0301 open\n"
    document = Document.from_text("emoji.txt", text)
    store.import_records([ImportRecord(document)], actor="t")
    app = AnnotatorApp(store, "alice")
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("slash")
        app.screen.query_one("#search-input").value = "👍"
        await pilot.press("enter")
        thumbs = text.index("👍")
        assert view.selection == (thumbs, thumbs + 2)  # the skin tone modifier comes with it
        await pilot.press("e")
        assert spans(store, document) == [(thumbs, thumbs + 2, "ENTITY")]
        await pilot.press("slash", *"cafe", "enter")
        cafe = text.index("cafe")
        assert view.selection == (cafe, cafe + 5)  # the combining accent on the e comes with it


async def test_the_linking_hint_fits_the_header_at_80_columns(store):
    from annotator.models import Document
    from annotator.store import ImportRecord

    document = Document.from_text("water-utility-court-ruling.txt", "The court said so, the Mayor said.\n")
    store.import_records([ImportRecord(document)], actor="t")
    add_span(store, document, 0, 17, "FIGURE")
    add_span(store, document, 23, 28, "SOURCE")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.view.move_cursor(2)
        await pilot.press("r", "tab")  # tab on the pick-list: pick the other end in the text
        await pilot.pause()
        header = screen.header.plain
        assert header.endswith("esc cancels]")
        shown = screen.header.render().plain
        assert shown.endswith("esc cancels]") and shown.startswith("water-utility")
        assert len(shown) <= screen.header.content_region.width  # the name gives way, not the hint
