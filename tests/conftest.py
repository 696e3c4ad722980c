"""Shared fixtures: a fresh database with the reference article in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from annotator.models import Document
from annotator.store import ImportRecord, Store

# In CI the property tests run a fixed sequence of examples, so a run is reproducible and a
# submission is judged on its code, not on the luck of the draw; everywhere else (and in
# `make reliability`) they explore new random examples and so keep finding new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_docs" / "evin-prison-leak.txt"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    with Store(db_path) as s:
        yield s


@pytest.fixture
def article(store: Store) -> Document:
    """The reference news article, imported."""
    doc = Document.from_text(SAMPLE.name, SAMPLE.read_text(encoding="utf-8"))
    store.import_records([ImportRecord(doc)], actor="test")
    return doc


class Notifications(list):
    """The messages of the notifications an app shows, in order. Pass it as
    ``app.run_test(message_hook=notifications)``: Textual calls the hook with every message, and each
    ``notify()`` is a ``Notify`` message (no private attribute of the app is read)."""

    def __call__(self, message: object) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.append(str(message.notification.message))


@pytest.fixture
def notifications() -> Notifications:
    return Notifications()
