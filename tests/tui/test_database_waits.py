"""The screen never freezes on the database, and shows other sessions' work without a key press."""

from __future__ import annotations

import sqlite3

from annotator.models import Span
from annotator.store import Store
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.wait import DatabaseWait

from tui_helpers import TEXT, spans


async def _until(pilot, condition, rounds: int = 100) -> bool:
    """Let the app run until ``condition()`` holds (bounded): waits on behaviour, not on a clock."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_a_key_whose_write_waits_for_the_lock_never_freezes_the_screen(app, store, docs):
    locker = sqlite3.connect(store.path, isolation_level=None)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        wait = screen.query_one(DatabaseWait)
        locker.execute("BEGIN IMMEDIATE")  # another session holds the write lock
        try:
            await pilot.press("e")  # tag "Acme": its write now waits
            assert screen.writes_waiting >= 1 and spans(store, docs[0]) == []  # (a position save may queue too)
            await pilot.press("w", "w")  # the cursor keeps working meanwhile
            assert screen.view.cursor == TEXT.index("said")
            await pilot.press("s")  # a second tag queues behind the first
            assert await _until(pilot, lambda: wait.has_class("-waiting"))
            assert "for the database" in wait.render().plain and "nothing is lost" in wait.render().plain
        finally:
            locker.execute("COMMIT")
        assert await _until(pilot, lambda: screen.writes_waiting == 0)
        # both landed, in order, and the screen shows them
        assert spans(store, docs[0]) == [(0, 4, "ENTITY"), (10, 14, "SOURCE")]
        assert sorted((s.start, s.label) for s in screen.spans.values()) == [(0, "ENTITY"), (10, "SOURCE")]
        assert not wait.has_class("-waiting")
    locker.close()


async def test_another_sessions_span_appears_without_a_key_press(app, store, docs):
    async with app.run_test() as pilot:
        screen = app.screen
        with Store(store.path) as other_session:
            other_session.add_span(Span(document_id=docs[0].id, start=5, end=9, label="ENTITY", annotator="alice"))
        assert await _until(pilot, lambda: any(s.start == 5 for s in screen.spans.values()))
        assert [row.excerpt for row in screen.panel.span_list.rows] == ["Corp"]
        with Store(store.path) as other_session:
            (span,) = other_session.spans_for(docs[0].id)
            other_session.delete_span(span.id, "alice")
        assert await _until(pilot, lambda: not screen.spans)


async def test_a_write_waits_past_the_busy_timeout_and_still_lands(app, store, docs, monkeypatch):
    """Held longer than the busy timeout, the lock makes an attempt fail; the writer tries again."""
    monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", "0.1")
    locker = sqlite3.connect(store.path, isolation_level=None)
    async with app.run_test() as pilot:
        screen = app.screen
        locker.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("e")
            await pilot.pause(0.5)  # several busy timeouts pass
            assert screen.writes_waiting >= 1 and spans(store, docs[0]) == []
        finally:
            locker.execute("COMMIT")
        assert await _until(pilot, lambda: screen.writes_waiting == 0)
        assert spans(store, docs[0]) == [(0, 4, "ENTITY")]
    locker.close()
