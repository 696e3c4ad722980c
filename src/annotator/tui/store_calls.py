"""Store writes off the UI thread, and other sessions' changes noticed without a key press.

A write can wait: another process may hold the database's write lock (a teammate's long
import, a checkpoint). The screen must not freeze meanwhile. :class:`StoreWriter` runs the
writes of one app, in the order they were asked for, on a thread with its own connection.
A key waits :data:`SYNC_WAIT` for its write (the usual case, a few milliseconds, is then as
immediate as a direct call); past that the screen goes on (cursor, scrolling, reading), shows
:class:`~.widgets.wait.DatabaseWait`, and applies the change when it lands. Nothing is dropped:
later writes queue behind it and land in order.

:class:`StoreCalls` is the screens' side: ``store_call(job, done)`` and a poll of
``PRAGMA data_version`` that calls ``database_changed()`` when another connection committed.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from ..errors import AnnotatorError, DatabaseBusy
from ..store import Store

T = TypeVar("T")

#: How long a key waits for its write before the screen goes on without it (seconds).
SYNC_WAIT = 0.25

#: How often the screens look for other sessions' changes (seconds).
POLL_INTERVAL = 0.5


class StoreWriter:
    """Runs store jobs in order on one thread with its own connection to the same file."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._jobs: queue.SimpleQueue[tuple[Callable[[Store], Any], Future] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._own: Store | None = None
        #: monotonic time the job now running started (None: idle)
        self.busy_since: float | None = None
        self._closing = False
        # ":memory:" cannot be opened twice: such a store is written from the UI thread.
        self.threaded = store.path != ":memory:"

    def submit(self, job: Callable[[Store], T]) -> Future[T]:
        future: Future[T] = Future()
        if not self.threaded:
            try:
                future.set_result(job(self._store))
            except BaseException as exc:  # handed to whoever reads the future
                future.set_exception(exc)
            return future
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="annotator-store-writer", daemon=True)
            self._thread.start()
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                break
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            self.busy_since = time.monotonic()
            try:
                if self._own is None:
                    self._own = Store(self._store.path, migrate=False)
                future.set_result(self._until_it_lands(job))
            except BaseException as exc:
                future.set_exception(exc)
            finally:
                self.busy_since = None
        if self._own is not None:
            self._own.close()

    def _until_it_lands(self, job: Callable[[Store], Any]) -> Any:
        """Run ``job``; while another process holds the lock past the busy timeout, try again
        (a failed attempt changed nothing), so a key's action lands however long the wait."""
        while True:
            try:
                return job(self._own)
            except DatabaseBusy:
                if self._closing:
                    raise
                time.sleep(0.1)

    def close(self, timeout: float | None = None) -> None:
        """Let the queued writes land, then stop the thread."""
        if self._thread is not None:
            self._closing = timeout is not None  # a bounded close gives up on a lock held forever
            self._jobs.put(None)
            self._thread.join(timeout)
            self._thread = None


class StoreCalls:
    """Mixin for screens: writes through the app's :class:`StoreWriter`, a poll for others' changes.

    The screen provides ``store`` (its UI-thread store, for reads), ``show_waiting(seconds)``
    (None hides the indicator), ``store_error(exc)`` and ``database_changed()``.
    """

    store: Store
    _waiting: list[Future]
    _seen_version: int | None = None

    def _writer(self) -> StoreWriter:
        app = self.app  # type: ignore[attr-defined]
        writer = getattr(app, "store_writer", None)
        if writer is None:
            writer = app.store_writer = StoreWriter(self.store)
        return writer

    def store_call(self, job: Callable[[Store], T], done: Callable[[T], None] | None = None,
                   failed: Callable[[AnnotatorError], None] | None = None) -> None:
        """Run ``job(store)`` as a write; then ``done(result)`` on the UI thread, in submission order.

        A refusal (an :class:`AnnotatorError`) goes to ``failed`` if given, then to ``store_error``."""
        if not hasattr(self, "_waiting"):
            self._waiting = []
        future = self._writer().submit(job)
        if not self._waiting:
            try:
                result = future.result(timeout=SYNC_WAIT)
            except FutureTimeout:
                pass
            except AnnotatorError as exc:
                self._refused(exc, failed)
                return
            else:
                if done is not None:
                    done(result)
                return
        self._waiting.append(future)
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda f: loop.call_soon_threadsafe(self._landed, f, done, failed))
        self._tick_waiting()

    def _refused(self, exc: AnnotatorError, failed: Callable[[AnnotatorError], None] | None) -> None:
        self.store_error(exc)
        if failed is not None:
            failed(exc)

    def _landed(self, future: Future, done: Callable[[Any], None] | None,
                failed: Callable[[AnnotatorError], None] | None = None) -> None:
        self._waiting.remove(future)
        if not self.is_attached:  # type: ignore[attr-defined]
            return  # landed while the app was closing: the database has it, there is no screen to update
        try:
            result = future.result()
        except AnnotatorError as exc:
            self._refused(exc, failed)
        else:
            if done is not None:
                done(result)
        self._tick_waiting()

    def _tick_waiting(self) -> None:
        """Show how long the oldest write has waited; again every 0.2 s until none waits."""
        if not self.is_attached:  # type: ignore[attr-defined]
            return
        if not self._waiting:
            self.show_waiting(None)
            return
        since = self._writer().busy_since
        self.show_waiting(time.monotonic() - since if since is not None else 0.0)
        self.set_timer(0.2, self._tick_waiting)  # type: ignore[attr-defined]

    @property
    def writes_waiting(self) -> int:
        """Writes asked for that have not landed yet."""
        return len(getattr(self, "_waiting", []))

    def watch_database(self) -> None:
        """Start noticing commits by other connections (other sessions, this app's writer thread)."""
        self._seen_version = self.store.data_version
        self.set_interval(POLL_INTERVAL, self.poll_database)  # type: ignore[attr-defined]

    def poll_database(self) -> None:
        version = self.store.data_version
        if version != self._seen_version:
            self._seen_version = version
            self.database_changed()

    # the screen's part

    def show_waiting(self, seconds: float | None) -> None:  # pragma: no cover - screens override
        raise NotImplementedError

    def store_error(self, exc: AnnotatorError) -> None:
        self.notify(str(exc), severity="error", timeout=6, markup=False)  # type: ignore[attr-defined]

    def database_changed(self) -> None:  # pragma: no cover - screens override
        raise NotImplementedError
