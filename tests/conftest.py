"""Shared fixtures: a fresh database with the reference article in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.models import Document
from annotator.store import ImportRecord, Store

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
