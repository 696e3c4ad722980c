"""Tagging, selecting and correcting spans with the keyboard: asserted on the database and the screen."""

from __future__ import annotations

import pytest

from annotator.models import Status
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.note import NoteScreen

from tui_helpers import TEXT, add_span, spans


async def test_label_key_tags_the_word_under_the_cursor(app, store, docs):
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert store.status(docs[0].id, "alice") == Status.todo
        await pilot.press("e")
        assert spans(store, docs[0]) == [(0, 4, "ENTITY")]
        assert store.status(docs[0].id, "alice") == Status.in_progress
        assert "in progress" in screen.header.plain
        assert [row.excerpt for row in screen.panel.span_list.rows] == ["Acme"]
        assert screen.view.highlights_at(0)[0].start == 0
        assert "ENTITY 1" in screen.panel.query_one("#panel-labels").content.plain


@pytest.mark.parametrize(("key", "label"), [("1", "CLAIM"), ("2", "FIGURE"), ("3", "SOURCE"), ("4", "ENTITY"),
                                            ("c", "CLAIM"), ("f", "FIGURE"), ("s", "SOURCE")])
async def test_label_and_number_keys_tag(app, store, docs, key, label):
    async with app.run_test() as pilot:
        await pilot.press(key)
        assert spans(store, docs[0]) == [(0, 4, label)]


async def test_word_under_cursor_drops_edge_punctuation(app, store, docs):
    async with app.run_test() as pilot:
        app.screen.view.move_cursor(TEXT.index("Doe"))
        await pilot.press("e")
        assert spans(store, docs[0]) == [(TEXT.index("Doe"), TEXT.index("Doe") + 3, "ENTITY")]
        app.screen.view.move_cursor(TEXT.index("5%"))
        await pilot.press("f")
        assert (28, 30, "FIGURE") in spans(store, docs[0])


async def test_visual_mode_selects_and_snaps_to_words(app, store, docs):
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("v")
        assert view.visual
        assert view.selection == (0, 4)  # the word under the cursor
        await pilot.press("w", "w")
        assert view.selection == (0, 9)  # "Acme Corp " without the trailing space
        assert "mark" in app.screen.header.plain
        await pilot.press("c")
        assert spans(store, docs[0]) == [(0, 9, "CLAIM")]
        assert view.selection is None and not view.visual


async def test_escape_cancels_visual_mode(app, store, docs):
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("v", "w", "w")
        assert view.selection is not None
        await pilot.press("escape")
        assert view.selection is None and not view.visual
        await pilot.press("v", "l")
        await pilot.press("v")  # v again leaves mark mode
        assert view.selection is None


async def test_shift_arrows_select_and_z_switches_to_exact_characters(app, store, docs):
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("shift+right", "shift+right")
        assert view.selection == (0, 4)  # "Ac" snaps to "Acme"
        await pilot.press("z")
        assert not view.snap_words and "exact" in app.screen.header.plain
        assert view.selection == (0, 2)
        await pilot.press("s")
        assert spans(store, docs[0]) == [(0, 2, "SOURCE")]
        await pilot.press("z")
        assert view.snap_words


async def test_selection_never_keeps_edge_whitespace(app, store, docs):
    async with app.run_test() as pilot:
        await pilot.press("z")  # exact characters
        view = app.screen.view
        view.move_cursor(4)  # the space before "Corp"
        await pilot.press(*["shift+right"] * 6)  # " Corp " exactly
        assert view.selection == (5, 9)  # exact mode keeps the characters, minus edge whitespace
        await pilot.press("e")
        assert spans(store, docs[0]) == [(5, 9, "ENTITY")]


async def test_shift_word_line_and_page_selection(app, store, docs):
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("ctrl+shift+right")
        assert view.selection == (0, 4)
        await pilot.press("shift+end")
        assert view.selection == (0, TEXT.index("\n") - 1)  # the line's final "." is edge punctuation
        await pilot.press("shift+home")
        assert view.selection is None  # back at the anchor
        await pilot.press("shift+down")
        assert view.selection is not None
        await pilot.press("escape", "g", "shift+pagedown")
        assert view.selection == (0, len(TEXT.rstrip().rstrip(".")))
        await pilot.press("shift+pageup", "shift+up", "ctrl+shift+left", "shift+left")
        assert view.cursor == 0


async def test_tab_selects_next_and_previous_span_and_label_key_relabels(app, store, docs):
    add_span(store, docs[0], 15, 22, "ENTITY")
    add_span(store, docs[0], 28, 30, "FIGURE")
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("tab")
        assert view.selection == (15, 22) and view.cursor == 15
        await pilot.press("tab")
        assert view.selection == (28, 30)
        await pilot.press("tab")  # wraps round
        assert view.selection == (15, 22)
        await pilot.press("shift+tab")
        assert view.selection == (28, 30)
        await pilot.press("c")  # relabel the selected span rather than add another
        assert spans(store, docs[0]) == [(15, 22, "ENTITY"), (28, 30, "CLAIM")]
        assert "CLAIM" in app.screen.panel.details_text


async def test_same_label_on_a_span_is_not_duplicated(app, store, docs):
    add_span(store, docs[0], 0, 4, "ENTITY")
    async with app.run_test() as pilot:
        await pilot.press("e")
        assert spans(store, docs[0]) == [(0, 4, "ENTITY")]


async def test_nested_spans_innermost_is_selected(app, store, docs):
    async with app.run_test() as pilot:
        view = app.screen.view
        await pilot.press("v", ")")  # the whole first sentence
        await pilot.press("c")
        view.move_cursor(28)
        await pilot.pause()
        assert app.screen.selected_span().label == "CLAIM"  # a label key now would relabel the claim
        await pilot.press("v", "f")  # select "5%" inside the claim first: a selection is tagged
        assert spans(store, docs[0]) == [(0, 38, "CLAIM"), (28, 30, "FIGURE")]
        view.move_cursor(28)
        assert app.screen.selected_span().label == "FIGURE"
        view.move_cursor(2)
        await pilot.pause()
        assert app.screen.selected_span().label == "CLAIM"
        assert "CLAIM" in app.screen.panel.details_text


@pytest.mark.parametrize("key", ["x", "delete"])
async def test_delete_span(app, store, docs, key):
    add_span(store, docs[0], 0, 4, "ENTITY")
    async with app.run_test() as pilot:
        await pilot.press(key)
        assert spans(store, docs[0]) == []
        assert app.screen.panel.span_list.rows == []
        assert app.screen.view.highlights_at(0) == []


async def test_delete_without_a_span_does_nothing(app, store, docs):
    add_span(store, docs[0], 15, 22, "ENTITY")
    async with app.run_test() as pilot:
        await pilot.press("x")
        assert spans(store, docs[0]) == [(15, 22, "ENTITY")]


async def test_note_modal_saves_and_escape_cancels(app, store, docs):
    add_span(store, docs[0], 0, 4, "ENTITY")
    async with app.run_test() as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"[b]check")
        await pilot.press("enter")
        assert store.spans_for(docs[0].id)[0].note == "[b]check"
        assert "note: [b]check" in app.screen.panel.details_text
        await pilot.press("m", "x", "escape")
        assert store.spans_for(docs[0].id)[0].note == "[b]check"


async def test_boundary_keys_grow_and_shrink_by_word(app, store, docs):
    add_span(store, docs[0], 5, 9, "CLAIM")  # "Corp"
    async with app.run_test() as pilot:
        app.screen.view.move_cursor(6)
        await pilot.press("less_than_sign")
        assert spans(store, docs[0]) == [(0, 9, "CLAIM")]
        await pilot.press("greater_than_sign")
        assert spans(store, docs[0]) == [(0, 14, "CLAIM")]
        await pilot.press("comma")
        assert spans(store, docs[0]) == [(5, 14, "CLAIM")]
        await pilot.press("full_stop")
        assert spans(store, docs[0]) == [(5, 9, "CLAIM")]
        await pilot.press("full_stop")  # would be empty: refused
        assert spans(store, docs[0]) == [(5, 9, "CLAIM")]


async def test_undo_and_redo(app, store, docs):
    async with app.run_test() as pilot:
        await pilot.press("e")
        await pilot.press("u")
        assert spans(store, docs[0]) == []
        assert app.screen.panel.span_list.rows == []
        await pilot.press("ctrl+r")
        assert spans(store, docs[0]) == [(0, 4, "ENTITY")]
        assert len(app.screen.panel.span_list.rows) == 1
        await pilot.press("f")  # relabel, then undo it
        await pilot.press("u")
        assert spans(store, docs[0]) == [(0, 4, "ENTITY")]
        assert app.screen.spans[store.spans_for(docs[0].id)[0].id].label == "ENTITY"


async def test_undo_goes_to_the_document_of_the_change(app, store, docs):
    async with app.run_test() as pilot:
        await pilot.press("e", "n")
        assert app.screen.document.id == docs[1].id
        await pilot.press("u")
        assert spans(store, docs[0]) == []
        assert app.screen.document.id == docs[0].id
        assert app.screen.view.cursor == 0


async def test_other_annotators_spans_and_errors_become_notifications(app, store, docs, notifications):
    add_span(store, docs[0], 0, 4, "ENTITY", annotator="bob")
    async with app.run_test(message_hook=notifications) as pilot:
        screen = app.screen
        assert screen.panel.span_list.rows == []
        await pilot.press("ctrl+e")  # everyone's spans
        assert [r.annotator for r in screen.panel.span_list.rows] == ["bob"]
        assert screen.selected_span() is None  # only my own spans are selected (and changed by keys)
        await pilot.press("x")
        await pilot.pause()
        assert spans(store, docs[0], None) == [(0, 4, "ENTITY")]
        assert "bob" in screen.panel.details_text  # the panel still says whose span is here
        await pilot.press("ctrl+e")
        assert screen.panel.span_list.rows == []


async def test_boundary_keys_keep_figures_whole(store):
    from annotator.models import Document
    from annotator.store import ImportRecord
    from annotator.tui.app import AnnotatorApp

    text = "Port faces $48.6 million gap, rose 5% in 2023.\n"
    document = Document.from_text("figures.txt", text)
    store.import_records([ImportRecord(document)], actor="t")
    faces = text.index("faces")
    add_span(store, document, faces, text.index(" gap"), "CLAIM")  # "faces $48.6 million"
    app = AnnotatorApp(store, "alice")
    async with app.run_test() as pilot:
        app.screen.view.move_cursor(faces + 1)
        await pilot.press("comma")  # start one word right: "$48.6 million", the dollar sign kept
        assert [text[s:e] for s, e, _ in spans(store, document)] == ["$48.6 million"]
        await pilot.press("full_stop")  # end one word left: "$48.6", not "$48."
        assert [text[s:e] for s, e, _ in spans(store, document)] == ["$48.6"]
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")  # million, gap, rose
        await pilot.press("greater_than_sign")  # "5%", the percent sign kept
        assert [text[s:e] for s, e, _ in spans(store, document)] == ["$48.6 million gap, rose 5%"]
        await pilot.press("comma", "comma", "comma", "comma", "less_than_sign")  # back from "5%" to "rose 5%"
        assert [text[s:e] for s, e, _ in spans(store, document)] == ["rose 5%"]
        await pilot.press("less_than_sign", "less_than_sign", "less_than_sign")  # gap, million, $48.6
        assert [text[s:e] for s, e, _ in spans(store, document)] == ["$48.6 million gap, rose 5%"]
