"""A document with many spans on the review screen: the candidate list shows a window around the
cursor, so opening and moving cost the same with 50,000 spans as with 200 (the whole list was
rebuilt on every move: 35 s to show a document of 50,000 spans)."""

from __future__ import annotations

from textual.widgets import Static

from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from annotator.tui.screens.review import LIST_WINDOW, ReviewApp

N = LIST_WINDOW * 3


async def test_the_candidate_list_is_a_window_around_the_cursor(tmp_path) -> None:
    text = " ".join(f"w{i:04d}" for i in range(N))
    doc = Document.from_text("many.txt", text)
    spans = [Span(document_id=doc.id, start=i * 6, end=i * 6 + 5, label="ENTITY", annotator=who)
             for i in range(N) for who in (("bob", "carol") if i % 2 else ("bob",))]
    with Store(tmp_path / "many.db") as store:
        store.import_records([ImportRecord(doc, spans)], actor="t")
        app = ReviewApp(store, "alice")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            listed = str(screen.query_one("#review-list", Static).render()).count("\n    ")
            assert listed == LIST_WINDOW
            assert f"the {LIST_WINDOW} nearest the cursor" in str(screen.query_one("#review-list-title", Static).render())
            assert "w0000" in str(screen.query_one("#review-list", Static).render())
            screen.view.move_cursor(len(text) - 1)
            screen.refresh_panels()
            await pilot.pause()
            shown = str(screen.query_one("#review-list", Static).render())
            assert f"w{N - 1:04d}" in shown and "w0000" not in shown
