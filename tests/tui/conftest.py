"""Fixtures for the annotation screen: a store on tmp_path with small documents, and an app on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.models import Document
from annotator.store import ImportRecord, Store
from annotator.tui.app import AnnotatorApp

from tui_helpers import SECOND, TEXT, THIRD


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "tui.db") as s:
        yield s


@pytest.fixture
def docs(store: Store) -> list[Document]:
    documents = [
        Document.from_text("first.txt", TEXT),
        Document.from_text("second.txt", SECOND),
        Document.from_text("third.txt", THIRD),
    ]
    store.import_records([ImportRecord(d) for d in documents], actor="t")
    return documents


@pytest.fixture
def app(store: Store, docs: list[Document]) -> AnnotatorApp:
    return AnnotatorApp(store, "alice")
