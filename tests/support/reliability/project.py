"""The small project the scenarios work on, and raw looks at a database file that bypass the Store.

The raw helpers open the file read-only with the plain ``sqlite3`` module, so a check never
repairs, migrates or locks what it is checking.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from annotator.models import Document, Span
from annotator.store import ImportRecord, Store

TEXTS = [
    "Sony said revenue rose 5% in the third quarter, according to Reuters.",
    "The minister claimed unemployment fell to 4.2 percent, a figure disputed by the union.",
    "Officials in Geneva told the BBC that 300 prisoners were released on Monday.",
    "According to a leaked report, the prison held twice as many inmates as allowed.",
    "Ünïcödé text: the café in Zürich reported €1.5m profit 📈 for 2023.",
    "A short one.",
]


def make_project(path: str | Path, texts: list[str] | None = None) -> list[str]:
    """A fresh database holding ``texts``; returns the document ids in order."""
    texts = texts or TEXTS
    with Store(path) as store:
        records = [ImportRecord(Document.from_text(f"doc-{i}.txt", t)) for i, t in enumerate(texts)]
        store.import_records(records, actor="setup")
        return store.document_ids()


def make_project_with_a_span(path: str | Path) -> Path:
    """:func:`make_project` plus one ENTITY span by ``ann`` on the first document."""
    ids = make_project(path)
    with Store(path) as store:
        store.add_span(Span(document_id=ids[0], start=0, end=4, label="ENTITY", annotator="ann"))
    return Path(path)


def doc_lengths(path: str | Path) -> dict[str, int]:
    with Store(path) as store:
        return {doc_id: store.document_length(doc_id) for doc_id in store.document_ids()}


def _read_only(path: str | Path, timeout: float = 5.0) -> sqlite3.Connection:
    # as_uri() escapes '#', '?' and spaces, which a bare f"file:{path}" would misread
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)


def integrity_ok(db: str | Path) -> bool:
    """``PRAGMA integrity_check`` on a read-only connection."""
    conn = _read_only(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def span_ids(db: str | Path, annotator: str) -> set[str]:
    """The ids of ``annotator``'s spans, read while a writer may hold the lock."""
    conn = _read_only(db, timeout=30)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM spans WHERE annotator = ?", [annotator])}
    finally:
        conn.close()


def file_digest(path: str | Path) -> str:
    """A hash of a database file and its -wal (an absent -wal counts as an empty one)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        data = p.read_bytes() if p.exists() else b""
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def db_dump(path: str | Path) -> list[str]:
    """The database's content as SQL lines (read-only connection)."""
    conn = _read_only(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
