"""Issue 10's bugs, each by the keys that reproduced it, on the reference article.

Every key stores exactly what the panel said it would: a label key on the selected span relabels
it; selections of every kind are snapped the one way; nothing is stored twice; the cursor rests
where the next action starts; every shifted action has an unshifted key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.models import Document, Relation, Span
from annotator.store import ImportRecord, Store
from annotator.tui.app import AnnotatorApp

from tui_helpers import SAMPLE

ARTICLE = SAMPLE.read_text(encoding="utf-8")
RAISI = ARTICLE.index("Ebrahim Raisi")  # 480
NCRI_COUNCIL = ARTICLE.index("National Council")  # 17


@pytest.fixture
def article(tmp_path: Path):
    store = Store(tmp_path / "a.db")
    document = Document.from_text("evin-prison-leak.txt", ARTICLE)
    store.import_records([ImportRecord(document)], actor="t")
    yield store, document
    store.close()


def mine(store: Store, document: Document) -> list[tuple[str, str]]:
    return sorted((s.label, ARTICLE[s.start:s.end]) for s in store.spans_for(document.id, "alice"))


def add(store: Store, document: Document, text: str, label: str, after: int = 0) -> Span:
    start = ARTICLE.index(text, after)
    return store.add_span(Span(document_id=document.id, start=start, end=start + len(text), label=label,
                               annotator="alice"))


async def test_a_label_key_on_the_selected_span_relabels_it_as_the_panel_said(article):
    store, document = article
    add(store, document, "Ebrahim Raisi", "ENTITY")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.view.move_cursor(RAISI)
        await pilot.pause()
        assert screen.panel.details_text.startswith("cfse: relabel ENTITY “Ebrahim Raisi”")
        await pilot.press("f")
        assert mine(store, document) == [("FIGURE", "Ebrahim Raisi")]  # relabelled: no nested FIGURE 'Ebrahim'
        assert screen.view.cursor == RAISI  # after a relabel the cursor stays
        await pilot.press("e")  # and again: still that span, now back to ENTITY
        assert mine(store, document) == [("ENTITY", "Ebrahim Raisi")]
        await pilot.press("e")  # the same label: nothing stored, it says so
        assert mine(store, document) == [("ENTITY", "Ebrahim Raisi")]


async def test_tag_inside_a_span_by_selecting_first(article):
    store, document = article
    add(store, document, "Ebrahim Raisi’s swearing-in", "CLAIM")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.view.move_cursor(RAISI)
        await pilot.press("v", "e")  # a selection (v: the word here) that is not exactly a span is tagged
        assert mine(store, document) == [("CLAIM", "Ebrahim Raisi’s swearing-in"), ("ENTITY", "Ebrahim")]


async def test_a_search_hit_inside_a_span_then_the_same_label_stores_nothing_twice(article):
    store, document = article
    add(store, document, "Associated Press", "SOURCE")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"Associated Press", "enter")
        await pilot.press("s")
        assert mine(store, document) == [("SOURCE", "Associated Press")]


async def test_two_windows_of_one_annotator_store_one_span(article, tmp_path):
    store, document = article
    other = Store(tmp_path / "a.db")
    first, second = AnnotatorApp(store, "alice"), AnnotatorApp(other, "alice")
    async with first.run_test(size=(100, 30)) as one, second.run_test(size=(100, 30)) as two:
        await one.press("e")
        await two.press("e")  # the second window has not seen the first one's span yet
        await two.pause()
    other.close()
    assert mine(store, document) == [("ENTITY", "According")]


async def test_linking_the_same_pair_twice_stores_one_relation(article):
    store, document = article
    claim = add(store, document, "they had received surveillance footage", "CLAIM")
    source = add(store, document, "Associated Press", "SOURCE")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(2):
            app.screen.view.move_cursor(claim.start)
            await pilot.pause()
            await pilot.press("r", "enter")  # r: the pick-list, nearest source first; enter links
            await pilot.pause()
    relations = store.relations_for(document.id, "alice")
    assert [(r.head, r.child) for r in relations] == [(claim.id, source.id)]


@pytest.mark.parametrize(("query", "expected"), [("hang", "hanged"), ("Covid", "Covid-19")])
async def test_search_selections_snap_to_whole_words(article, query, expected):
    store, document = article
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *query, "enter", "f")
        assert mine(store, document) == [("FIGURE", expected)]


async def test_multi_word_selections_drop_edge_punctuation_like_a_single_word(article):
    store, document = article
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.view.move_cursor(NCRI_COUNCIL)
        await pilot.press("v", *["w"] * 7, "s")
        assert mine(store, document) == [("SOURCE", "National Council of Resistance of Iran (NCRI)")]


async def test_growing_the_end_from_iran_takes_the_whole_bracket(article):
    store, document = article
    add(store, document, "Iran", "ENTITY")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.view.move_cursor(ARTICLE.index("Iran"))
        await pilot.press("right_square_bracket")  # unshifted > : the end one word right
        assert mine(store, document) == [("ENTITY", "Iran (NCRI)")]
        view = app.screen.view
        span = store.spans_for(document.id, "alice")[0]
        assert view.selection == (span.start, span.end)  # still selected
        assert span.start <= view.cursor < span.end and view.cursor >= span.end - 1  # on the edited edge
        await pilot.press("full_stop")  # the end back one word: the bracket goes as a whole
        assert mine(store, document) == [("ENTITY", "Iran")]
        await pilot.press("left_square_bracket")  # unshifted < : the start one word left
        assert mine(store, document) == [("ENTITY", "of Iran")]
        assert view.cursor == ARTICLE.index("of Iran")  # on the edited edge
        await pilot.press("comma")  # and back
        assert mine(store, document) == [("ENTITY", "Iran")]


async def test_after_a_tag_the_cursor_rests_on_the_next_word(article):
    store, document = article
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        view.move_cursor(NCRI_COUNCIL)
        await pilot.press("v", "7", "w", "s")  # a count in mark mode: v 7 w selects seven words
        assert mine(store, document) == [("SOURCE", "National Council of Resistance of Iran (NCRI)")]
        assert view.cursor == ARTICLE.index("the Associated") and view.selection is None
        await pilot.press("e", "e")  # the next word, then the one after it
        assert mine(store, document) == sorted([("SOURCE", "National Council of Resistance of Iran (NCRI)"),
                                                ("ENTITY", "the"), ("ENTITY", "Associated")])


async def test_a_sentence_is_two_keys_and_unshifted_sentence_moves(article):
    store, document = article
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        await pilot.press("0")  # unshifted ): the next sentence
        second = ARTICLE.index("The NCRI said")
        assert view.cursor == second
        await pilot.press("w", "w", "ctrl+s", "c")  # ctrl+s selects the sentence here, c tags it
        (label, text), = mine(store, document)
        assert label == "CLAIM" and text.startswith("The NCRI said, “According") and not text.endswith(".")
        await pilot.press("9")  # unshifted (: back to the start of a sentence
        assert view.cursor < second + len(text)


async def test_cycle_and_tab_walk_nested_spans_and_the_unsourced_key_finds_claims(article):
    store, document = article
    claim = add(store, document, "Ebrahim Raisi’s swearing-in as the regime’s new president", "CLAIM")
    entity = add(store, document, "Ebrahim Raisi", "ENTITY")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.view.move_cursor(RAISI + 2)
        await pilot.pause()
        assert screen.selected_span().id == entity.id  # innermost first
        await pilot.press("apostrophe")
        assert screen.selected_span().id == claim.id
        await pilot.press("apostrophe")
        assert screen.selected_span().id == entity.id
        await pilot.press("g", "backslash")  # the next claim without a source link
        assert screen.selected_span().id == claim.id
        await pilot.press("g", "tab")
        assert screen.selected_span().id == claim.id  # in reading order: the claim starts first (longest first)
        await pilot.press("tab")
        assert screen.selected_span().id == entity.id
        await pilot.press("minus")  # unshifted shift+tab
        assert screen.selected_span().id == claim.id


async def test_the_span_list_can_be_focused_and_jumped_in(article):
    store, document = article
    first = add(store, document, "National Council", "SOURCE")
    second = add(store, document, "Associated Press", "SOURCE")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("ctrl+l")
        assert screen.panel.span_list.has_focus
        await pilot.press("down")
        assert screen.selected_span().id == first.id
        await pilot.press("j")
        assert screen.selected_span().id == second.id and screen.view.cursor == second.start
        await pilot.press("enter")
        assert screen.view.has_focus
        await pilot.press("x")  # the key acts on the span jumped to
        assert mine(store, document) == [("SOURCE", "National Council")]


def test_every_shifted_action_has_an_unshifted_key():
    from annotator.tui import bindings as b

    shifted_names = {
        "exclamation_mark", "at", "number_sign", "dollar_sign", "percent_sign", "circumflex_accent", "ampersand",
        "asterisk", "left_parenthesis", "right_parenthesis", "underscore", "plus", "left_curly_bracket",
        "right_curly_bracket", "vertical_line", "colon", "quotation_mark", "less_than_sign", "greater_than_sign",
        "question_mark", "tilde",
    }

    def is_shifted(name: str) -> bool:
        return "shift+" in name or name in shifted_names or (len(name) == 1 and name.isupper())

    moves = {key.id.split(".", 1)[1] for key in b.KEYS if key.id.startswith("cursor.")}
    for key in b.KEYS:
        if key.id.startswith("select.") and key.id.split(".", 1)[1] in moves:
            continue  # shift+move selects; without shift: v (mark mode), then the same move
        names = b.normalize_keys(key.keys)
        if any(is_shifted(k) for k in names):
            assert not all(is_shifted(k) for k in names), f"{key.id} has only shifted keys: {key.keys}"
