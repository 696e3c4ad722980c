"""Search on the annotation screen, by its keys: hits are snapped like every selection, the query
matches with smart case and Unicode folding, a wrap says so, and mark mode extends to the hit."""

from __future__ import annotations

import pytest

from annotator.models import Document
from annotator.store import ImportRecord
from annotator.tui.app import AnnotatorApp

from tui_helpers import SAMPLE, spans

ARTICLE = SAMPLE.read_text(encoding="utf-8")


def stored(store, document) -> list[tuple[str, str]]:
    return [(label, document.text[s:e]) for s, e, label in spans(store, document)]


def one_document(store, text: str, name: str = "doc.txt") -> Document:
    document = Document.from_text(name, text)
    store.import_records([ImportRecord(document)], actor="t")
    return document


@pytest.mark.parametrize(("query", "label", "expected"), [("hang", "f", "hanged"), ("Covid", "e", "Covid-19")])
async def test_a_search_hit_is_snapped_to_whole_words_before_a_label_key_tags_it(store, article, query, label, expected):
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *query, "enter", label)
        assert [text for _, text in stored(store, article)] == [expected]


async def test_in_exact_mode_the_hit_is_tagged_as_found(store, article):
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("z", "slash", *"hang", "enter", "f")
        assert stored(store, article) == [("FIGURE", "hang")]


async def test_a_wrap_says_which_way_it_wrapped_and_not_found_says_why(store, notifications):
    document = one_document(store, "Evin prison. Then more about evin and EVIN.\n")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30), message_hook=notifications) as pilot:
        view = app.screen.view
        await pilot.press("slash", *"evin", "enter")
        assert view.selection == (0, 4) and not notifications
        await pilot.press("f3", "f3")
        assert view.selection == (38, 42) and not notifications  # smart case: EVIN too
        await pilot.press("f3")
        assert view.selection == (0, 4) and notifications == ["search wrapped to the top"]
        await pilot.press("shift+f3")
        assert view.selection == (38, 42) and notifications[-1] == "search wrapped to the bottom"
        await pilot.press("slash", "ctrl+u", *"Prisons", "enter")
        assert notifications[-1] == "Not found: Prisons (case-sensitive: the query has a capital)"
        assert view.selection == (38, 42)  # unchanged
        await pilot.press("slash", "ctrl+u", *"Evin", "enter")  # a capital: only "Evin"
        await pilot.press("f3")
        assert view.selection == (0, 4) and notifications[-1] == "search wrapped to the top"
        assert stored(store, document) == []


async def test_unicode_folding_on_screen(store):
    text = "Die Straße und cafe\u0301 and 👍🏽.\n"
    document = one_document(store, text)
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        await pilot.press("slash", *"strasse", "enter")
        assert view.selection == (4, 10)  # Straße
        await pilot.press("e")
        await pilot.press("slash", "ctrl+u")
        app.screen.query_one("#search-input").value = "café"  # typed precomposed, stored decomposed
        await pilot.press("enter")
        assert text[slice(*view.selection)] == "cafe\u0301"
        await pilot.press("e")
        assert stored(store, document) == [("ENTITY", "Straße"), ("ENTITY", "cafe\u0301")]


async def test_in_mark_mode_a_search_extends_the_selection_to_the_hit(store, article):
    app = AnnotatorApp(store, "alice")
    start = ARTICLE.index("Covid-19")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        view.move_cursor(start)
        await pilot.press("v", "slash", *"pandemic", "enter")
        assert view.visual
        selected = ARTICLE[slice(*view.selection)]
        assert selected.startswith("Covid-19") and selected.endswith("pandemic"), selected
        await pilot.press("c")
        assert stored(store, article) == [("CLAIM", selected)]


async def test_in_mark_mode_a_search_backwards_extends_the_start(store, article):
    app = AnnotatorApp(store, "alice")
    assert ARTICLE.count("2019 saw") == 1
    start = ARTICLE.index("2019 saw")
    comma = ARTICLE.index("hanged,") + len("hanged")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        await pilot.press("slash", *"2019 saw", "enter", "escape")
        view.move_cursor(comma)
        await pilot.press("v", "shift+f3")  # the previous match, from the mark at the comma
        assert view.visual and view.selection == (start, comma)
        await pilot.press("c")
        assert stored(store, article) == [("CLAIM", "2019 saw 281 prisoners hanged")]
