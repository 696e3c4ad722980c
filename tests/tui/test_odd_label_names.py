"""Label names are any printable names now (``O'Brien``, ``[PER]``, ``x') or ('y``): the keys tag with
exactly that label on both screens, and the footer's tooltips show the name as text, not markup.

Regression: the key's action was built as ``tag('NAME')``, so a quote in a name broke the action
(or, with a crafted name, changed its arguments)."""

from __future__ import annotations

import pytest

from annotator.models import Document, LabelSchema, Span
from annotator.store import ImportRecord, Store
from annotator.tui import bindings
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.review import ReviewApp

NAMES = ["O'Brien", 'say "hi"', "x') or ('y", "[PER]", "[@click=app.quit]q", "back\\slash", "a, b"]
KEYS = "yitofcs"


def _schema() -> LabelSchema:
    return LabelSchema.model_validate({"labels": [{"name": n, "key": k} for n, k in zip(NAMES, KEYS)]})


@pytest.mark.parametrize("index", range(len(NAMES)))
async def test_a_label_key_tags_with_exactly_that_name(tmp_path, index: int) -> None:
    with Store(tmp_path / "odd.db") as store:
        store.set_schema(_schema(), actor="t")
        doc = Document.from_text("d.txt", "Acme said hello.")
        store.import_records([ImportRecord(doc)], actor="t")
        app = AnnotatorApp(store, "alice")
        async with app.run_test() as pilot:
            await pilot.press(KEYS[index])
            await pilot.pause()
        assert [(s.start, s.end, s.label) for s in store.spans_for(doc.id)] == [(0, 4, NAMES[index])]


async def test_a_label_key_accepts_with_exactly_that_name_on_the_review_screen(tmp_path) -> None:
    with Store(tmp_path / "odd.db") as store:
        store.set_schema(_schema(), actor="t")
        doc = Document.from_text("d.txt", "Acme said hello.")
        spans = [Span(document_id=doc.id, start=0, end=4, label=NAMES[2], annotator=who) for who in ("bob", "carol")]
        store.import_records([ImportRecord(doc, spans)], actor="t")
        app = ReviewApp(store, "alice")
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(KEYS[0])  # accept the candidate under the cursor as O'Brien
            await pilot.pause()
        assert [(s.start, s.end, s.label) for s in store.gold_spans(doc.id)] == [(0, 4, NAMES[0])]


def test_tooltips_show_names_as_text() -> None:
    """Textual shows a tooltip string as markup: a name's brackets are escaped."""
    from textual.content import Content

    for screen in bindings.SCREENS:
        for binding in bindings.label_bindings(_schema(), screen):
            name = binding.id.removeprefix("label.").removesuffix(".number")
            shown = Content.from_markup(binding.tooltip)
            assert shown.plain.endswith(f" as {name}"), (binding.tooltip, shown.plain)
            assert not shown.spans, binding.tooltip
