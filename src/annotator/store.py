"""The store: the one module that writes SQL.

Every user action is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction that
changes rows *and* appends to the ``events`` log, so there is no save step and
a killed process loses nothing it already reported as done. WAL mode and a busy
timeout let several annotators (one process per SSH session) write to one file.

Each change is an *action*: a group of events sharing an ``action`` number,
each event holding a row's ``before`` and ``after`` (JSON, or null for "no
row"). Undo writes an action's ``before`` states back as a new ``undo`` action;
redo inverts that undo again. So undo and redo survive restarts and the log
replays to the current state (see :meth:`Store.replay`).

Example::

    >>> store = Store(":memory:")
    >>> doc = store.add_document(Document.from_text("a.txt", "Sony said revenue rose 5%."))
    >>> span = store.add_span(Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="ann"))
    >>> [s.label for s in store.spans_for(doc.id)]
    ['ENTITY']
    >>> store.undo("ann").description
    'undo: tag ENTITY 0-4'
    >>> store.spans_for(doc.id)
    []
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

import sqlite_utils

from .errors import AnnotatorError
from .models import Document, LabelSchema, Relation, Span, Status, document_id_for, new_id, now

#: The newest database layout this code knows. Bump it with a migration below.
SCHEMA_VERSION = 3

#: How long a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_SECONDS = 30.0


def busy_timeout() -> float:
    """The busy timeout in seconds: $ANNOTATOR_BUSY_TIMEOUT if set (tests lower it), else the default."""
    raw = os.environ.get("ANNOTATOR_BUSY_TIMEOUT", "").strip()
    if not raw:
        return BUSY_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 86400:
        raise AnnotatorError(f"ANNOTATOR_BUSY_TIMEOUT={raw!r} must be a number of seconds (e.g. 30)")
    return value


def max_pages() -> int | None:
    """$ANNOTATOR_MAX_PAGES: a cap on the database size in pages (simulates a full disk in tests)."""
    raw = os.environ.get("ANNOTATOR_MAX_PAGES", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise AnnotatorError(f"ANNOTATOR_MAX_PAGES={raw!r} must be a positive whole number of pages")
    return int(raw)

#: How far back undo and redo look (actions per annotator).
UNDO_DEPTH = 5000

#: Primary key columns of the tables whose rows the event log tracks.
TRACKED_TABLES: dict[str, tuple[str, ...]] = {
    "spans": ("id",),
    "relations": ("id",),
    "statuses": ("document_id", "annotator"),
    "gold": ("id",),
    "gold_relations": ("id",),
}


@dataclass
class ActionResult:
    """What an undo or redo did, so a screen can show it and go there."""

    action: int
    description: str
    document_id: str | None
    offset: int | None = None


@dataclass
class ImportRecord:
    """One document to import, with any spans and relations that come with it."""

    document: Document
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@dataclass
class ImportSummary:
    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    spans_present: int = 0
    relations_added: int = 0

    def line(self) -> str:
        return (
            f"{self.documents_added} documents added, {self.documents_present} already present, "
            f"{self.spans_added} spans added"
            + (f" ({self.spans_present} already present)" if self.spans_present else "")
            + (f", {self.relations_added} relations added" if self.relations_added else "")
        )


def _row_key(table: str, row: dict[str, Any]) -> str:
    return json.dumps([row[col] for col in TRACKED_TABLES[table]])


# -- migrations ------------------------------------------------------------------------------


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {"seq": int, "id": str, "name": str, "text": str, "meta": str, "added": str},
        pk="seq",
    )
    db["documents"].create_index(["id"], unique=True)
    db["documents"].create_index(["name"])
    db["spans"].create(
        {
            "id": str, "document_id": str, "start": int, "end": int, "label": str,
            "annotator": str, "note": str, "created": str, "updated": str,
        },
        pk="id",
    )
    db["spans"].create_index(["document_id", "start"])
    db["spans"].create_index(["annotator", "document_id"])
    db["relations"].create(
        {"id": str, "document_id": str, "head": str, "child": str, "label": str, "annotator": str, "created": str},
        pk="id",
    )
    db["relations"].create_index(["document_id"])
    db["relations"].create_index(["head"])
    db["relations"].create_index(["child"])
    db["statuses"].create(
        {"document_id": str, "annotator": str, "status": str, "updated": str},
        pk=("document_id", "annotator"),
    )
    db["statuses"].create_index(["annotator", "status"])
    db["events"].create(
        {
            "id": int, "action": int, "time": str, "actor": str, "kind": str, "target": int,
            "document_id": str, "table_name": str, "row_id": str, "before": str, "after": str, "what": str,
        },
        pk="id",
    )
    db["events"].create_index(["actor", "action"])
    db["events"].create_index(["action"])
    db["events"].create_index(["document_id"])
    db["positions"].create(
        {"annotator": str, "document_id": str, "offset": int, "updated": str},
        pk=("annotator", "document_id"),
    )
    db["positions"].create_index(["annotator", "updated"])
    db["settings"].create({"key": str, "value": str}, pk="key")


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    """Version 2 adds the review layer: gold spans and rejected candidates."""
    db["gold"].create(
        {
            "id": str, "document_id": str, "start": int, "end": int, "label": str,
            "decision": str, "reviewer": str, "sources": str, "created": str, "updated": str,
        },
        pk="id",
    )
    db["gold"].create_index(["document_id", "start", "end", "label"], unique=True)


def _migrate_to_3(db: sqlite_utils.Database) -> None:
    """Version 3 adds reviewed relations, keyed like gold spans by what they link, not by span ids.

    A relation candidate is the same link made by several annotators on their own spans (different
    ids), so its head and child are stored as (start, end, label): the keys of the gold spans.
    """
    db["gold_relations"].create(
        {
            "id": str, "document_id": str,
            "head_start": int, "head_end": int, "head_label": str,
            "child_start": int, "child_end": int, "child_label": str,
            "label": str, "decision": str, "reviewer": str, "sources": str, "created": str, "updated": str,
        },
        pk="id",
    )
    db["gold_relations"].create_index(list(GOLD_RELATION_KEY), unique=True)


#: The natural key of a gold relation (its unique index).
GOLD_RELATION_KEY = (
    "document_id", "head_start", "head_end", "head_label", "child_start", "child_end", "child_label", "label",
)

#: The review tables' natural keys: one decision per key, whatever its id (merge twins, decide).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "gold": ("document_id", "start", "end", "label"),
    "gold_relations": GOLD_RELATION_KEY,
}

MIGRATIONS = {1: _migrate_to_1, 2: _migrate_to_2, 3: _migrate_to_3}


# -- the store ---------------------------------------------------------------------------------


class Store:
    """An annotation database. Open one per process; it is not shared across threads."""

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = str(path)
        self.readonly = False
        self._doc_lengths: dict[str, int] = {}
        self._schema: LabelSchema | None = None
        self.busy_timeout = busy_timeout()
        self.max_pages = max_pages()
        self.conn = self._connect()
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)
        self._check_version(migrate)
        self._use_wal()

    # connection and versions

    def _use_wal(self) -> None:
        """Switch to WAL (readers and a writer at once), only once the file is known to be ours.

        Changing the journal mode rewrites the file header, so doing it before the
        version check altered newer or foreign databases that were then refused.
        """
        if self.readonly or self.path == ":memory:":
            return
        try:
            mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":  # pragma: no cover - depends on the file system
                self.conn.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError as exc:
            raise _friendly(exc, self.path) from None

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path != ":memory:":
            p = Path(path)
            if p.is_dir():
                raise AnnotatorError(f"database {path} is a directory: pass a file path to --db")
            if p.exists():
                with open(p, "rb") as fh:
                    head = fh.read(100)
                if head and head[:16] != b"SQLite format 3\x00":
                    raise AnnotatorError(f"{path} is not an annotator database (not a SQLite file): pass another --db")
                _check_not_truncated(p, head)
                if head == b"" and p.stat().st_size == 0:
                    pass  # an empty file is a new database
                self.readonly = not os.access(p, os.W_OK) or not os.access(p.parent or Path("."), os.W_OK)
            elif not p.parent.exists():
                raise AnnotatorError(f"cannot create database {path}: folder {p.parent} does not exist")
        try:
            if self.readonly:
                resolved = Path(path).resolve()
                uri = f"file:{pathname2url(str(resolved))}?mode=ro"
                if not any(Path(f"{resolved}{s}").exists() for s in ("-wal", "-shm")) and not os.access(
                    resolved.parent, os.W_OK
                ):
                    # A read-only folder: SQLite cannot create the -shm it needs for a WAL database, and no
                    # -wal means the main file holds everything: read it as immutable (browse, export).
                    uri += "&immutable=1"
                conn = sqlite3.connect(
                    uri, uri=True,
                    timeout=self.busy_timeout, isolation_level=None, check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(
                    path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
                )
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA synchronous=NORMAL" if not self.readonly else "PRAGMA query_only=1")
            if self.max_pages is not None and not self.readonly:
                conn.execute(f"PRAGMA max_page_count = {self.max_pages}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot open database {path}: {exc}") from None
        return conn

    def _check_version(self, migrate: bool) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot read database {self.path}: {exc}") from None
        if version > SCHEMA_VERSION:
            raise AnnotatorError(
                f"database {self.path} was written by a newer annotator (layout v{version}; this one reads up to "
                f"v{SCHEMA_VERSION}): upgrade annotator to open it"
            )
        if version == 0 and self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise AnnotatorError(f"{self.path} is a SQLite database but not an annotator database: pass another --db")
        if version < SCHEMA_VERSION and migrate:
            if self.readonly:
                if version == 0:
                    raise AnnotatorError(f"database {self.path} is read-only and empty: pass a writable --db")
                raise AnnotatorError(
                    f"database {self.path} is read-only and needs an upgrade (v{version} to v{SCHEMA_VERSION}): "
                    "open it once with write permission"
                )
            self.migrate()

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the layout up to ``target``, each step in its own transaction."""
        with self._write():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version + 1, target + 1):
                MIGRATIONS[step](self.db)
            if target > version:
                self.conn.execute(f"PRAGMA user_version = {int(target)}")

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One immediate transaction: all of it lands, or none of it."""
        if self.readonly:
            raise AnnotatorError(f"database {self.path} is read-only: nothing was changed (ask for write permission)")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _friendly(exc, self.path) from None
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _friendly(exc, self.path) from None
            raise

    # settings and schema

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self._write():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value)],
            )

    @property
    def schema(self) -> LabelSchema:
        """The project's label schema: the one stored in the database, else the default."""
        if self._schema is None:
            stored = self.setting("schema")
            self._schema = LabelSchema.model_validate(stored) if stored else LabelSchema.default()
        return self._schema

    def set_schema(self, schema: LabelSchema) -> None:
        """Make ``schema`` the project's schema, refusing if existing spans use labels it lacks."""
        missing = [
            label
            for (label,) in self.conn.execute("SELECT DISTINCT label FROM spans ORDER BY label")
            if label not in schema.label_names
        ]
        if missing:
            raise AnnotatorError(
                f"the schema lacks labels that spans in {self.path} use ({', '.join(missing)}): add them to the schema"
            )
        self.set_setting("schema", schema.model_dump(mode="json"))
        self._schema = schema

    # documents

    def add_document(self, document: Document) -> Document:
        """Add a document (no-op when the same text is already there); returns the stored one."""
        self.import_records([ImportRecord(document)], actor="import")
        return self.get_document(document.id)

    def get_document(self, document_id: str) -> Document:
        row = self.conn.execute("SELECT id, name, text, meta FROM documents WHERE id = ?", [document_id]).fetchone()
        if row is None:
            raise AnnotatorError(f"no document {document_id} in {self.path}")
        return Document(id=row[0], name=row[1], text=row[2], meta=json.loads(row[3] or "{}"))

    def has_document(self, document_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE id = ?", [document_id]).fetchone() is not None

    def document_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def document_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM documents ORDER BY seq")]

    def documents(self) -> Iterator[Document]:
        """Every document in import order, streamed."""
        for row in self.conn.execute("SELECT id, name, text, meta FROM documents ORDER BY seq"):
            yield Document(id=row[0], name=row[1], text=row[2], meta=json.loads(row[3] or "{}"))

    def document_names(self) -> list[tuple[str, str]]:
        """(id, name) of every document in order, without the texts."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, name FROM documents ORDER BY seq")]

    def document_position(self, document_id: str) -> int:
        """1-based position of a document in import order."""
        row = self.conn.execute(
            "SELECT count(*) FROM documents WHERE seq <= (SELECT seq FROM documents WHERE id = ?)", [document_id]
        ).fetchone()
        return row[0]

    def neighbour_document(self, document_id: str, step: int) -> str | None:
        """The next (step=1) or previous (step=-1) document, or None at either end."""
        op, order = (">", "ASC") if step > 0 else ("<", "DESC")
        row = self.conn.execute(
            f"SELECT id FROM documents WHERE seq {op} (SELECT seq FROM documents WHERE id = ?) ORDER BY seq {order} LIMIT 1",
            [document_id],
        ).fetchone()
        return row[0] if row else None

    def first_document(self) -> str | None:
        row = self.conn.execute("SELECT id FROM documents ORDER BY seq LIMIT 1").fetchone()
        return row[0] if row else None

    def next_unfinished_document(self, annotator: str, after: str | None) -> str | None:
        """The next document (wrapping round) that ``annotator`` has not marked done or skipped."""
        seq = -1
        if after is not None:
            row = self.conn.execute("SELECT seq FROM documents WHERE id = ?", [after]).fetchone()
            seq = row[0] if row else -1
        query = (
            "SELECT d.id FROM documents d LEFT JOIN statuses s ON s.document_id = d.id AND s.annotator = ? "
            "WHERE (s.status IS NULL OR s.status NOT IN ('done', 'skipped')) AND d.seq {op} ? ORDER BY d.seq LIMIT 1"
        )
        for op in (">", "<="):
            row = self.conn.execute(query.format(op=op), [annotator, seq]).fetchone()
            if row:
                return row[0]
        return None

    def document_length(self, document_id: str) -> int:
        if document_id not in self._doc_lengths:
            row = self.conn.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
            if row is None:
                raise AnnotatorError(f"no document {document_id} in {self.path}")
            self._doc_lengths[document_id] = len(row[0])
        return self._doc_lengths[document_id]

    # reading spans and relations

    def spans_for(self, document_id: str, annotator: str | None = None) -> list[Span]:
        """Spans of a document in reading order (start, then longest first)."""
        sql = "SELECT * FROM spans WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        sql += " ORDER BY start, end DESC, label, annotator, id"
        return [Span(**row) for row in self.db.query(sql, args)]

    def get_span(self, span_id: str) -> Span | None:
        rows = list(self.db.query("SELECT * FROM spans WHERE id = ?", [span_id]))
        return Span(**rows[0]) if rows else None

    def relations_for(self, document_id: str, annotator: str | None = None) -> list[Relation]:
        sql = "SELECT * FROM relations WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [Relation(**row) for row in self.db.query(sql + " ORDER BY created, id", args)]

    def annotators(self, document_id: str | None = None) -> list[str]:
        """Everyone with spans (in one document, or anywhere), sorted."""
        if document_id is None:
            rows = self.conn.execute("SELECT DISTINCT annotator FROM spans ORDER BY annotator")
        else:
            rows = self.conn.execute(
                "SELECT DISTINCT annotator FROM spans WHERE document_id = ? ORDER BY annotator", [document_id]
            )
        return [r[0] for r in rows]

    def status(self, document_id: str, annotator: str) -> Status:
        row = self.conn.execute(
            "SELECT status FROM statuses WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()
        return Status(row[0]) if row else Status.todo

    def statuses_for(self, document_id: str) -> dict[str, Status]:
        rows = self.conn.execute("SELECT annotator, status FROM statuses WHERE document_id = ?", [document_id])
        return {a: Status(s) for a, s in rows}

    def documents_with_status(self, status: Status, annotators: Iterable[str] | None = None) -> set[str]:
        sql = "SELECT document_id FROM statuses WHERE status = ?"
        args: list[Any] = [status.value]
        names = list(annotators or [])
        if names:
            sql += f" AND annotator IN ({','.join('?' * len(names))})"
            args += names
        return {r[0] for r in self.conn.execute(sql, args)}

    # writing: one action per call

    def _next_action(self) -> int:
        return self.conn.execute("SELECT coalesce(max(action), 0) + 1 FROM events").fetchone()[0]

    def _log(
        self, action: int, actor: str, kind: str, table: str, before: dict | None, after: dict | None,
        what: str, target: int | None = None, time: str | None = None,
    ) -> None:
        row = after if after is not None else before
        assert row is not None
        self.conn.execute(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action, time or now(), actor, kind, target, row.get("document_id"), table, _row_key(table, row),
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                what,
            ],
        )

    def _put(self, table: str, row: dict[str, Any]) -> None:
        cols = list(row)
        self.conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )

    def _delete(self, table: str, row: dict[str, Any]) -> None:
        keys = TRACKED_TABLES[table]
        self.conn.execute(
            f"DELETE FROM {table} WHERE {' AND '.join(f'{_q(k)} = ?' for k in keys)}", [row[k] for k in keys]
        )

    def _current(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        keys = TRACKED_TABLES[table]
        rows = list(
            self.db.query(
                f"SELECT * FROM {table} WHERE {' AND '.join(f'{_q(k)} = ?' for k in keys)}", [row[k] for k in keys]
            )
        )
        return rows[0] if rows else None

    def _check_span(self, span: Span) -> None:
        length = self.document_length(span.document_id)
        if span.end > length:
            raise AnnotatorError(
                f"span {span.start}-{span.end} is out of range: document {span.document_id} has {length} characters"
            )
        if span.label not in self.schema.label_names:
            raise AnnotatorError(
                f"unknown label {span.label!r}: the schema has {', '.join(self.schema.label_names)}"
            )

    def add_span(self, span: Span) -> Span:
        """Tag: store ``span`` as its annotator's action."""
        self._check_span(span)
        row = span.model_dump()
        with self._write():
            action = self._next_action()
            self._put("spans", row)
            self._log(action, span.annotator, "do", "spans", None, row, f"tag {span.label} {span.start}-{span.end}")
        return span

    def update_span(
        self, span_id: str, actor: str, *, start: int | None = None, end: int | None = None,
        label: str | None = None, note: str | None = None,
    ) -> Span:
        """Change a span's boundaries, label or note (only its own annotator may)."""
        current = self._owned_span(span_id, actor)
        changes = {k: v for k, v in {"start": start, "end": end, "label": label, "note": note}.items() if v is not None}
        try:
            updated = Span(**{**current.model_dump(), **changes, "updated": now()})
        except ValueError as exc:
            raise AnnotatorError(f"cannot change span {span_id}: {exc}") from None
        self._check_span(updated)
        what = ", ".join(f"{k} {getattr(current, k)!r} -> {v!r}" for k, v in changes.items()) or "touch"
        with self._write():
            action = self._next_action()
            self._put("spans", updated.model_dump())
            self._log(action, actor, "do", "spans", current.model_dump(), updated.model_dump(), f"change {what}")
        return updated

    def delete_span(self, span_id: str, actor: str) -> None:
        """Delete a span and the relations that use it, as one action."""
        current = self._owned_span(span_id, actor)
        with self._write():
            action = self._next_action()
            for rel in self.db.query(
                "SELECT * FROM relations WHERE head = ? OR child = ? ORDER BY id", [span_id, span_id]
            ):
                self._delete("relations", rel)
                self._log(action, actor, "do", "relations", rel, None, f"unlink {rel['label']}")
            self._delete("spans", current.model_dump())
            self._log(
                action, actor, "do", "spans", current.model_dump(), None,
                f"delete {current.label} {current.start}-{current.end}",
            )

    def _owned_span(self, span_id: str, actor: str) -> Span:
        span = self.get_span(span_id)
        if span is None:
            raise AnnotatorError(f"no span {span_id}: it may have been deleted")
        if span.annotator != actor:
            raise AnnotatorError(f"span {span_id} belongs to {span.annotator}; only they can change it")
        return span

    def add_relation(self, relation: Relation) -> Relation:
        head, child = self.get_span(relation.head), self.get_span(relation.child)
        if head is None or child is None:
            raise AnnotatorError(f"relation {relation.label} links a span that does not exist")
        if not self.schema.relation_allowed(relation.label, head.label, child.label):
            raise AnnotatorError(
                f"relation {relation.label} is not allowed from {head.label} to {child.label} by the schema"
            )
        row = relation.model_dump()
        with self._write():
            action = self._next_action()
            self._put("relations", row)
            self._log(action, relation.annotator, "do", "relations", None, row, f"link {relation.label}")
        return relation

    def delete_relation(self, relation_id: str, actor: str) -> None:
        rows = list(self.db.query("SELECT * FROM relations WHERE id = ?", [relation_id]))
        if not rows:
            raise AnnotatorError(f"no relation {relation_id}")
        if rows[0]["annotator"] != actor:
            raise AnnotatorError(f"relation {relation_id} belongs to {rows[0]['annotator']}; only they can change it")
        with self._write():
            action = self._next_action()
            self._delete("relations", rows[0])
            self._log(action, actor, "do", "relations", rows[0], None, f"unlink {rows[0]['label']}")

    def set_status(self, document_id: str, annotator: str, status: Status) -> None:
        before = self._current("statuses", {"document_id": document_id, "annotator": annotator})
        after = {"document_id": document_id, "annotator": annotator, "status": Status(status).value, "updated": now()}
        if before and before["status"] == after["status"]:
            return
        with self._write():
            action = self._next_action()
            self._put("statuses", after)
            self._log(action, annotator, "do", "statuses", before, after, f"mark {after['status']}")

    # undo and redo

    def _stacks(self, actor: str) -> tuple[list[int], list[int]]:
        """Replay the actor's recent do/undo/redo actions into undo and redo stacks."""
        undo: list[int] = []
        redo: list[int] = []
        rows = self.conn.execute(
            "SELECT action, kind, target FROM ("
            "  SELECT action, min(kind) AS kind, min(target) AS target FROM events"
            "  WHERE actor = ? AND kind IN ('do', 'undo', 'redo') GROUP BY action ORDER BY action DESC LIMIT ?"
            ") ORDER BY action",
            [actor, UNDO_DEPTH],
        )
        for action, kind, target in rows:
            if kind == "do":
                undo.append(action)
                redo.clear()
            elif kind == "undo":
                if target in undo:
                    undo.remove(target)
                redo.append(action)
            elif kind == "redo":
                if target in redo:
                    redo.remove(target)
                undo.append(action)
        return undo, redo

    def can_undo(self, actor: str) -> bool:
        return bool(self._stacks(actor)[0])

    def can_redo(self, actor: str) -> bool:
        return bool(self._stacks(actor)[1])

    def undo(self, actor: str) -> ActionResult | None:
        """Invert the actor's most recent action; None when there is nothing to undo."""
        return self._invert(actor, "undo")

    def redo(self, actor: str) -> ActionResult | None:
        """Invert the actor's most recent undo; None when there is nothing to redo."""
        return self._invert(actor, "redo")

    def _invert(self, actor: str, kind: str) -> ActionResult | None:
        if self.readonly:
            raise AnnotatorError(f"database {self.path} is read-only: nothing to {kind}")
        with self._write():
            undo_stack, redo_stack = self._stacks(actor)
            stack = undo_stack if kind == "undo" else redo_stack
            if not stack:
                return None
            target = stack[-1]
            events = list(
                self.db.query("SELECT * FROM events WHERE action = ? ORDER BY id DESC", [target])
            )
            action = self._next_action()
            offset: int | None = None
            for event in events:
                table = event["table_name"]
                before = json.loads(event["before"]) if event["before"] else None
                after = json.loads(event["after"]) if event["after"] else None
                key_row = after if after is not None else before
                current = self._current(table, key_row)
                if current != after:
                    raise AnnotatorError(
                        f"cannot {kind} {event['what']!r}: that row has changed since (by another session?)"
                    )
                if before is None:
                    self._delete(table, after)
                else:
                    self._put(table, before)
                self._log(action, actor, kind, table, current, before, f"{kind}: {_plain(event['what'])}", target=target)
                if table in ("spans", "gold"):
                    offset = (before or after)["start"]
                elif table == "gold_relations":
                    offset = (before or after)["head_start"]
            description = f"{kind}: " + "; ".join(_plain(e["what"]) for e in reversed(events))
            return ActionResult(action, description, events[0]["document_id"], offset)

    def history(self, actor: str | None = None, document_id: str | None = None, limit: int = 100) -> list[dict]:
        """The newest events, optionally for one actor or document."""
        sql, args = "SELECT * FROM events WHERE 1=1", []
        if actor:
            sql += " AND actor = ?"
            args.append(actor)
        if document_id:
            sql += " AND document_id = ?"
            args.append(document_id)
        return list(self.db.query(sql + " ORDER BY id DESC LIMIT ?", [*args, limit]))

    def replay(self) -> dict[str, dict[str, dict]]:
        """Rebuild every tracked table from the event log alone (an audit check)."""
        state: dict[str, dict[str, dict]] = {t: {} for t in TRACKED_TABLES}
        for table, row_id, after in self.conn.execute("SELECT table_name, row_id, after FROM events ORDER BY id"):
            if after is None:
                state[table].pop(row_id, None)
            else:
                state[table][row_id] = json.loads(after)
        return state

    def table_state(self) -> dict[str, dict[str, dict]]:
        """The tracked tables as they are, keyed like :meth:`replay`."""
        return {
            table: {_row_key(table, row): row for row in self.db.query(f"SELECT * FROM {table}")}
            for table in TRACKED_TABLES
        }

    # positions (where each annotator was; not part of the annotation log)

    def save_position(self, annotator: str, document_id: str, offset: int) -> None:
        if self.readonly:
            return
        with self._write():
            self.conn.execute(
                "INSERT OR REPLACE INTO positions (annotator, document_id, offset, updated) VALUES (?, ?, ?, ?)",
                [annotator, document_id, offset, now()],
            )

    def last_position(self, annotator: str) -> tuple[str, int] | None:
        row = self.conn.execute(
            "SELECT p.document_id, p.offset FROM positions p JOIN documents d ON d.id = p.document_id "
            "WHERE p.annotator = ? ORDER BY p.updated DESC LIMIT 1",
            [annotator],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def position_in(self, annotator: str, document_id: str) -> int:
        row = self.conn.execute(
            "SELECT offset FROM positions WHERE annotator = ? AND document_id = ?", [annotator, document_id]
        ).fetchone()
        return row[0] if row else 0

    # import

    def import_records(self, records: Iterable[ImportRecord], actor: str) -> ImportSummary:
        """Add documents, spans and relations in one transaction: all or nothing.

        Documents already present (same text) are kept; spans already present
        (same document, annotator, start, end and label) are not duplicated.
        """
        summary = ImportSummary()
        schema = self.schema
        with self._write():
            action = self._next_action()
            time = now()
            seq = self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0]
            for record in records:
                doc = record.document
                if doc.id != document_id_for(doc.text):
                    raise AnnotatorError(f"document {doc.name}: its id does not match its text")
                if self.has_document(doc.id):
                    summary.documents_present += 1
                else:
                    seq += 1
                    self.conn.execute(
                        "INSERT INTO documents (seq, id, name, text, meta, added) VALUES (?, ?, ?, ?, ?, ?)",
                        [seq, doc.id, doc.name, doc.text, json.dumps(doc.meta, ensure_ascii=False), time],
                    )
                    summary.documents_added += 1
                self._doc_lengths[doc.id] = len(doc.text)
                existing = {
                    (r[0], r[1], r[2], r[3])
                    for r in self.conn.execute(
                        "SELECT annotator, start, end, label FROM spans WHERE document_id = ?", [doc.id]
                    )
                }
                new_spans: list[dict[str, Any]] = []
                for span in record.spans:
                    try:
                        span.check(doc.text, schema)
                    except ValueError as exc:
                        raise AnnotatorError(f"document {doc.name}: {exc}") from None
                    key = (span.annotator, span.start, span.end, span.label)
                    if key in existing:
                        summary.spans_present += 1
                        continue
                    existing.add(key)
                    new_spans.append(span.model_dump())
                taken = self._existing_ids("spans", [row["id"] for row in new_spans])
                if taken:
                    raise AnnotatorError(f"document {doc.name}: span id {sorted(taken)[0]} is already used by another span")
                self._insert_logged("spans", new_spans, action, actor, time, lambda row: f"import {row['label']}")
                summary.spans_added += len(new_spans)
                added_ids = {row["id"] for row in new_spans}
                spans_by_id = {s.id: s for s in record.spans}
                new_relations: list[dict[str, Any]] = []
                for rel in record.relations:
                    head, child = spans_by_id.get(rel.head), spans_by_id.get(rel.child)
                    if head is None or child is None:
                        raise AnnotatorError(f"document {doc.name}: relation {rel.label} links a span that is not in it")
                    if not schema.relation_allowed(rel.label, head.label, child.label):
                        raise AnnotatorError(
                            f"document {doc.name}: relation {rel.label} is not allowed from {head.label} to {child.label}"
                        )
                    if rel.head in added_ids and rel.child in added_ids:  # else its spans, and it, were present
                        new_relations.append(rel.model_dump())
                self._insert_logged("relations", new_relations, action, actor, time, lambda row: f"import {row['label']}")
                summary.relations_added += len(new_relations)
        return summary

    def _existing_ids(self, table: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` are already in ``table`` (queried in chunks, not one by one)."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            found.update(
                r[0] for r in self.conn.execute(f"SELECT id FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            )
        return found

    def _insert_logged(
        self, table: str, rows: list[dict[str, Any]], action: int, actor: str, time: str, what: Callable[[dict], str]
    ) -> None:
        """Insert new rows and their 'import' events in two batched statements (the import's hot path)."""
        if not rows:
            return
        cols = list(rows[0])
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
            [[row[c] for c in cols] for row in rows],
        )
        self.conn.executemany(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, ?, 'import', NULL, ?, ?, ?, NULL, ?, ?)",
            [
                [action, time, actor, row["document_id"], table, _row_key(table, row),
                 json.dumps(row, ensure_ascii=False), what(row)]
                for row in rows
            ],
        )

    # overviews for the command line

    def overview(self) -> list[dict[str, Any]]:
        """Per document: name, length, per-annotator span counts and statuses."""
        counts: dict[str, dict[str, int]] = {}
        for doc_id, annotator, n in self.conn.execute(
            "SELECT document_id, annotator, count(*) FROM spans GROUP BY document_id, annotator"
        ):
            counts.setdefault(doc_id, {})[annotator] = n
        statuses: dict[str, dict[str, str]] = {}
        for doc_id, annotator, status in self.conn.execute("SELECT document_id, annotator, status FROM statuses"):
            statuses.setdefault(doc_id, {})[annotator] = status
        rows = []
        for seq, doc_id, name, length in self.conn.execute(
            "SELECT seq, id, name, length(text) FROM documents ORDER BY seq"
        ):
            rows.append(
                {"position": seq, "id": doc_id, "name": name, "characters": length,
                 "spans": counts.get(doc_id, {}), "status": statuses.get(doc_id, {})}
            )
        return rows

    def label_counts(self) -> dict[str, dict[str, int]]:
        """Span counts: {annotator: {label: n}}."""
        out: dict[str, dict[str, int]] = {}
        for annotator, label, n in self.conn.execute(
            "SELECT annotator, label, count(*) FROM spans GROUP BY annotator, label ORDER BY annotator, label"
        ):
            out.setdefault(annotator, {})[label] = n
        return out

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- review: gold layer, reviewers, merge ----------------------------------------------------
    # (owned by the review work: src/annotator/review/; everything below up to the end of the class)

    def gold_spans(self, document_id: str) -> list[Span]:
        """The reviewed (gold) spans of a document: the accepted decisions, in reading order.

        Each is a :class:`Span` whose ``annotator`` is the reviewer who accepted it and
        whose ``note`` is empty; rejected candidates are not included.
        """
        return [
            Span(
                id=row["id"], document_id=row["document_id"], start=row["start"], end=row["end"],
                label=row["label"], annotator=row["reviewer"], note="", created=row["created"], updated=row["updated"],
            )
            for row in self.db.query(
                "SELECT * FROM gold WHERE document_id = ? AND decision = 'accept' ORDER BY start, end DESC, label, id",
                [document_id],
            )
        ]

    def gold_decisions(self, document_id: str) -> list[GoldDecision]:
        """Every review decision (accepted and rejected) of a document, in reading order."""
        return [
            GoldDecision.from_row(row)
            for row in self.db.query(
                "SELECT * FROM gold WHERE document_id = ? ORDER BY start, end DESC, label, id", [document_id]
            )
        ]

    def gold_counts(self) -> dict[str, dict[str, int]]:
        """Per document id: how many candidates were accepted and rejected."""
        out: dict[str, dict[str, int]] = {}
        for doc_id, decision, n in self.conn.execute(
            "SELECT document_id, decision, count(*) FROM gold GROUP BY document_id, decision"
        ):
            out.setdefault(doc_id, {"accept": 0, "reject": 0})[decision] = n
        return out

    def reviewers(self) -> list[str]:
        """The project's named reviewers (the settings key 'reviewers'); empty means anyone may review."""
        return list(self.setting("reviewers", []) or [])

    def may_review(self, name: str) -> bool:
        names = self.reviewers()
        return not names or name in names

    def check_reviewer(self, name: str) -> None:
        """Raise AnnotatorError unless ``name`` may write the gold layer."""
        if not self.may_review(name):
            raise AnnotatorError(
                f"{name} is not a reviewer of this project (reviewers: {', '.join(self.reviewers())}); "
                "ask one of them to add you (annotator reviewers add NAME)"
            )

    def set_reviewers(self, names: Iterable[str], actor: str) -> list[str]:
        """Replace the reviewer list. Once reviewers are named, only a reviewer may change it."""
        clean: list[str] = []
        for name in names:
            name = name.strip()
            if not name or any(not ch.isprintable() for ch in name):
                raise AnnotatorError(f"reviewer name {name!r} is empty or unprintable")
            if name not in clean:
                clean.append(name)
        current = self.reviewers()
        if current and actor not in current:
            raise AnnotatorError(
                f"only a reviewer ({', '.join(current)}) may change the reviewers; you are {actor} (--annotator)"
            )
        self.set_setting("reviewers", sorted(clean))
        return sorted(clean)

    def decide(
        self, document_id: str, start: int, end: int, label: str, decision: str, reviewer: str,
        sources: Iterable[str] = (),
    ) -> GoldDecision:
        """Accept or reject one candidate into the gold layer: one undoable action of ``reviewer``."""
        rows = self.decide_many(document_id, [GoldChange(start, end, label, decision, tuple(sources))], reviewer)
        return rows[0]

    def decide_many(
        self, document_id: str | None, changes: Iterable[GoldChange | RelationChange], reviewer: str,
        what: str | None = None,
    ) -> list[GoldDecision | GoldRelationDecision]:
        """Several gold decisions as ONE action (accept all agreed, edit = reject old + accept new).

        A change with ``decision=None`` removes the decision (the candidate is open again). A change
        naming its own ``document_id`` goes there (so one action can span documents). Accepting a
        relation accepts its head and child spans too when gold does not have them yet (a gold
        relation between spans that are not gold would be exported as nothing).
        Changes that would leave a row as it is are skipped; nothing is logged when none remain.
        """
        self.check_reviewer(reviewer)
        changes = [c if c.document_id else replace(c, document_id=document_id) for c in changes]
        for change in changes:
            self._check_change(change)
        out: list[GoldDecision | GoldRelationDecision] = []
        with self._write():
            action: int | None = None
            time = now()
            descriptions: list[str] = []
            for change in self._with_linked_spans(changes):
                table = change.TABLE
                before, after = self._decision_rows(table, change, reviewer, time)
                if before is None and after is None:
                    continue
                if before is not None and after is not None and all(
                    before[k] == after[k] for k in ("decision", "reviewer", "sources")
                ):
                    out.append(_decision_from_row(table, before))
                    continue
                if action is None:
                    action = self._next_action()
                description = change.describe()
                descriptions.append(description)
                if after is None:
                    self._delete(table, before)
                else:
                    self._put(table, after)
                    out.append(_decision_from_row(table, after))
                first = len(descriptions) == 1
                self._log(action, reviewer, "do", table, before, after, (what if first and what else description), time=time)
        return out

    def decide_relation(
        self, document_id: str, head: tuple[int, int, str], child: tuple[int, int, str], label: str,
        decision: str, reviewer: str, sources: Iterable[str] = (),
    ) -> GoldRelationDecision:
        """Accept or reject one relation candidate (head and child by their spans' keys): one action.

        Accepting it also accepts its two spans when gold lacks them (in the same action).
        """
        rows = self.decide_many(
            document_id, [RelationChange(tuple(head), tuple(child), label, decision, tuple(sources))], reviewer
        )
        return [r for r in rows if isinstance(r, GoldRelationDecision)][-1]

    def gold_relation_decisions(self, document_id: str) -> list[GoldRelationDecision]:
        """Every relation review decision (accepted and rejected) of a document, in reading order of the head."""
        return [
            GoldRelationDecision.from_row(row)
            for row in self.db.query(
                "SELECT * FROM gold_relations WHERE document_id = ? ORDER BY head_start, head_end DESC, head_label, "
                "child_start, child_end DESC, child_label, label, id",
                [document_id],
            )
        ]

    def gold_relations(self, document_id: str) -> list[Relation]:
        """The accepted gold relations of a document, linking the ids of its gold spans.

        Each is a :class:`Relation` whose ``annotator`` is its reviewer. One whose head or child
        is not an accepted gold span (rejected or reopened since) is left out: it links nothing gold.
        """
        span_ids = {s.key(): s.id for s in self.gold_spans(document_id)}
        out = []
        for d in self.gold_relation_decisions(document_id):
            head, child = span_ids.get(d.head), span_ids.get(d.child)
            if d.decision != "accept" or head is None or child is None:
                continue
            out.append(
                Relation(id=d.id, document_id=d.document_id, head=head, child=child, label=d.label,
                         annotator=d.reviewer, created=d.created)
            )
        return out

    def _check_change(self, change: GoldChange | RelationChange) -> None:
        """Refuse a decision on something that cannot be gold: bad decision, range, label or relation type."""
        if change.decision not in ("accept", "reject", None):
            raise AnnotatorError(f"decision {change.decision!r} must be accept or reject")
        if isinstance(change, GoldChange):
            self._check_gold_key(change.document_id, change.start, change.end, change.label)
            return
        for start, end, label in (change.head, change.child):
            self._check_gold_key(change.document_id, start, end, label)
        if not self.schema.relation_allowed(change.label, change.head[2], change.child[2]):
            raise AnnotatorError(
                f"relation {change.label} is not allowed from {change.head[2]} to {change.child[2]} by the schema"
            )

    def _check_gold_key(self, document_id: str, start: int, end: int, label: str) -> None:
        length = self.document_length(document_id)
        if not 0 <= start < end <= length:
            raise AnnotatorError(f"gold span {start}-{end} is out of range: the document has {length} characters")
        labels = self.schema.label_names
        if label not in labels:
            raise AnnotatorError(f"unknown label {label!r}: the schema has {', '.join(labels)}")

    def _with_linked_spans(self, changes: list[GoldChange | RelationChange]) -> list[GoldChange | RelationChange]:
        """``changes`` with an accept, just before each accepted relation, of its spans gold does not hold.

        A span the batch itself decides on is left to that decision. The added accepts name the
        annotators who made the span as sources, like accepting the span's candidate would.
        """
        decided = {(c.document_id, c.key) for c in changes if isinstance(c, GoldChange)}
        out: list[GoldChange | RelationChange] = []
        for change in changes:
            if isinstance(change, RelationChange) and change.decision == "accept":
                for key in (change.head, change.child):
                    if (change.document_id, key) in decided:
                        continue
                    decided.add((change.document_id, key))
                    current = self._natural("gold", {"document_id": change.document_id, **_span_key_row(key)})
                    if current is None or current["decision"] != "accept":
                        sources = tuple(self._span_makers(change.document_id, key))
                        out.append(GoldChange(*key, "accept", sources, document_id=change.document_id))
            out.append(change)
        return out

    def _span_makers(self, document_id: str, key: tuple[int, int, str]) -> list[str]:
        """The annotators who made a span with this (start, end, label) in a document."""
        rows = self.conn.execute(
            'SELECT DISTINCT annotator FROM spans WHERE document_id = ? AND start = ? AND "end" = ? AND label = ? '
            "ORDER BY annotator",
            [document_id, *key],
        )
        return [r[0] for r in rows]

    def _decision_rows(
        self, table: str, change: GoldChange | RelationChange, reviewer: str, time: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The row as it is (or None) and as ``change`` leaves it (None: no decision)."""
        key = change.row_key()
        before = self._natural(table, key)
        if change.decision is None:
            return before, None
        after = {
            "id": before["id"] if before else new_id(),
            **key,
            "decision": change.decision,
            "reviewer": reviewer,
            "sources": json.dumps(sorted(set(change.sources)), ensure_ascii=False),
            "created": before["created"] if before else time,
            "updated": time,
        }
        return before, after

    def _natural(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The gold or gold_relations row with the natural key (not the id) of ``row``, if any."""
        cols = NATURAL_KEYS[table]
        rows = list(
            self.db.query(
                f"SELECT * FROM {table} WHERE {' AND '.join(f'{_q(c)} = ?' for c in cols)}", [row[c] for c in cols]
            )
        )
        return rows[0] if rows else None

    def edit_gold(
        self, document_id: str, old: tuple[int, int, str] | None, start: int, end: int, label: str,
        reviewer: str, sources: Iterable[str] = (),
    ) -> GoldDecision:
        """Accept an edited candidate: ``old`` (start, end, label) is rejected, the new span accepted. One action."""
        changes = []
        if old is not None and tuple(old) != (start, end, label):
            changes.append(GoldChange(old[0], old[1], old[2], "reject", tuple(sources)))
        changes.append(GoldChange(start, end, label, "accept", tuple(sources)))
        rows = self.decide_many(document_id, changes, reviewer)
        return rows[-1]

    def merge_from(self, other_path: str | Path, progress: Callable[[int, int], None] | None = None) -> MergeReport:
        """Copy another annotator database into this one, in one transaction.

        Documents are matched by id (the hash of their text). Spans, relations, statuses and gold
        rows are copied with their ids and annotators; a row whose key already exists with the same
        content is skipped (so merging twice adds nothing), one with different content is a
        *conflict*: reported, left as it is here. The other database's events are appended with new
        local ids and action numbers, ``kind`` 'merge' (so nobody's undo reaches into them) and their
        time, actor, row and before/after kept; events already present (same time, actor, table,
        row and after) and events of conflicting rows are not copied. ``progress(done, total)``
        is called as rows are copied. A missing or invalid file raises AnnotatorError, nothing changed.
        """
        other = Path(other_path)
        if not other.is_file():
            raise AnnotatorError(f"cannot merge {other}: no such file")
        with open(other, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise AnnotatorError(f"cannot merge {other}: not an annotator database (not a SQLite file)")
        if self.path != ":memory:" and Path(self.path).resolve() == other.resolve():
            raise AnnotatorError(f"cannot merge {other} into itself")
        try:
            src = sqlite3.connect(f"file:{other.resolve()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
            src.row_factory = sqlite3.Row
            version = src.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot merge {other}: {exc}") from None
        try:
            if version < 1 or not {"documents", "spans", "events"} <= tables:
                raise AnnotatorError(f"cannot merge {other}: it is a SQLite file but not an annotator database")
            if version > SCHEMA_VERSION:
                raise AnnotatorError(
                    f"cannot merge {other}: it was written by a newer annotator (layout v{version}); upgrade annotator"
                )
            return self._merge(src, other, tables, progress)
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot merge {other}: {exc}") from None
        finally:
            src.close()

    def _merge(
        self, src: sqlite3.Connection, other: Path, tables: set[str], progress: Callable[[int, int], None] | None
    ) -> MergeReport:
        report = MergeReport(source=str(other))
        copy_tables = [t for t in ("spans", "relations", "statuses", "gold", "gold_relations") if t in tables]
        labels = set(self.schema.label_names)
        label_columns = {"spans": ("label",), "gold": ("label",), "gold_relations": ("head_label", "child_label")}
        unknown = sorted(
            {
                r[0]
                for t, cols in label_columns.items() if t in tables
                for col in cols
                for r in src.execute(f"SELECT DISTINCT {_q(col)} FROM {t}")
            }
            - labels
        )
        if unknown:
            raise AnnotatorError(
                f"cannot merge {other}: it uses labels this project's schema lacks ({', '.join(unknown)}); "
                "add them to the schema first (--schema FILE)"
            )
        total = src.execute("SELECT count(*) FROM documents").fetchone()[0]
        total += sum(src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in copy_tables)
        total += src.execute("SELECT count(*) FROM events").fetchone()[0]
        done = 0

        def tick(n: int = 1) -> None:
            nonlocal done
            done += n
            if progress is not None and (done % 500 == 0 or done == total):
                progress(done, total)

        skip_events: set[tuple[str, str]] = set()  # rows whose history is not copied (conflicts, duplicates)
        span_ids: dict[str, str] = {}  # the other's span id -> the id of the same span here
        with self._write():
            seq = self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0]
            for row in src.execute("SELECT id, name, text, meta, added FROM documents ORDER BY seq"):
                tick()
                if self.has_document(row["id"]):
                    report.documents_present += 1
                    continue
                if document_id_for(row["text"]) != row["id"]:
                    raise AnnotatorError(f"cannot merge {other}: document {row['name']} has an id that does not match its text")
                seq += 1
                self.conn.execute(
                    "INSERT INTO documents (seq, id, name, text, meta, added) VALUES (?, ?, ?, ?, ?, ?)",
                    [seq, row["id"], row["name"], row["text"], row["meta"], row["added"]],
                )
                self._doc_lengths.pop(row["id"], None)
                report.documents_added += 1
            for table in copy_tables:
                counts = report.tables.setdefault(table, [0, 0, 0])  # added, present, conflicts
                for row in src.execute(f"SELECT * FROM {table}"):
                    tick()
                    row = dict(row)
                    if table == "relations":
                        row["head"] = span_ids.get(row["head"], row["head"])
                        row["child"] = span_ids.get(row["child"], row["child"])
                    current = self._current(table, row)
                    if current is None:
                        twin = self._merge_twin(table, row)
                        if twin is not None:
                            # the same annotation made (or imported) separately on both sides: keep ours
                            counts[1] += 1
                            skip_events.add((table, _row_key(table, row)))
                            if table == "spans":
                                span_ids[row["id"]] = twin["id"]
                            continue
                        if table in NATURAL_KEYS:
                            current = self._natural(table, row)  # decided differently there: a conflict
                    if current is None:
                        self._put(table, row)
                        counts[0] += 1
                    elif current == row:
                        counts[1] += 1
                    elif table == "statuses" and current["status"] == row["status"]:
                        counts[1] += 1  # the same status set at another time: keep ours
                        skip_events.add((table, _row_key(table, row)))
                    else:
                        counts[2] += 1
                        skip_events.add((table, _row_key(table, row)))
                        report.conflicts.append(
                            f"{table} {_row_key(table, row)} in document {row.get('document_id')}: "
                            f"here {_brief(current)}, there {_brief(row)}"
                        )
            existing = {
                tuple(r) for r in self.conn.execute("SELECT time, actor, table_name, row_id, after FROM events")
            }
            action_map: dict[int, int] = {}
            next_action = self._next_action()
            for row in src.execute("SELECT * FROM events ORDER BY id"):
                tick()
                key = (row["time"], row["actor"], row["table_name"], row["row_id"], row["after"])
                if key in existing or (row["table_name"], row["row_id"]) in skip_events:
                    report.events_present += 1
                    continue
                if row["table_name"] not in TRACKED_TABLES:
                    continue
                existing.add(key)
                if row["action"] not in action_map:
                    action_map[row["action"]] = next_action
                    next_action += 1
                self.conn.execute(
                    "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, "
                    "before, after, what) VALUES (?, ?, ?, 'merge', NULL, ?, ?, ?, ?, ?, ?)",
                    [
                        action_map[row["action"]], row["time"], row["actor"], row["document_id"], row["table_name"],
                        row["row_id"], row["before"], row["after"], f"{_plain(row['what'])} (merged from {other.name})",
                    ],
                )
                report.events_added += 1
        if progress is not None:
            progress(total, total)
        return report

    def _merge_twin(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """A row here with another id that is the same annotation as ``row`` (None if there is none)."""
        if table == "spans":
            sql = 'SELECT * FROM spans WHERE document_id = ? AND annotator = ? AND start = ? AND "end" = ? AND label = ?'
            args = [row["document_id"], row["annotator"], row["start"], row["end"], row["label"]]
        elif table == "relations":
            sql = "SELECT * FROM relations WHERE document_id = ? AND annotator = ? AND head = ? AND child = ? AND label = ?"
            args = [row["document_id"], row["annotator"], row["head"], row["child"], row["label"]]
        elif table in NATURAL_KEYS:
            twin = self._natural(table, row)
            same = twin is not None and twin["decision"] == row["decision"]
            return twin if same else None
        else:
            return None
        rows = list(self.db.query(sql, args))
        return rows[0] if rows else None



# -- review: gold layer, reviewers, merge (module-level helpers) ------------------------------


@dataclass(frozen=True)
class GoldChange:
    """One decision to write: ``decision`` is 'accept', 'reject' or None (reopen the candidate)."""

    start: int
    end: int
    label: str
    decision: str | None
    sources: tuple[str, ...] = ()
    document_id: str | None = None  # None: the document_id given to decide_many

    TABLE = "gold"

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def row_key(self) -> dict[str, Any]:
        return {"document_id": self.document_id, **_span_key_row(self.key)}

    def describe(self) -> str:
        return f"{self.decision or 'reopen'} {self.label} {self.start}-{self.end}"


@dataclass(frozen=True)
class RelationChange:
    """One relation decision: ``head`` and ``child`` are the (start, end, label) of the spans it links."""

    head: tuple[int, int, str]
    child: tuple[int, int, str]
    label: str
    decision: str | None
    sources: tuple[str, ...] = ()
    document_id: str | None = None  # None: the document_id given to decide_many

    TABLE = "gold_relations"

    @property
    def key(self) -> tuple[tuple[int, int, str], tuple[int, int, str], str]:
        return (self.head, self.child, self.label)

    def row_key(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            **{f"head_{k}": v for k, v in _span_key_row(self.head).items()},
            **{f"child_{k}": v for k, v in _span_key_row(self.child).items()},
            "label": self.label,
        }

    def describe(self) -> str:
        (hs, he, hl), (cs, ce, cl) = self.head, self.child
        return f"{self.decision or 'reopen'} {self.label} {hl} {hs}-{he} -> {cl} {cs}-{ce}"


def _span_key_row(key: tuple[int, int, str]) -> dict[str, Any]:
    return {"start": key[0], "end": key[1], "label": key[2]}


@dataclass(frozen=True)
class GoldDecision:
    """A row of the gold table: a reviewer's decision on one (start, end, label)."""

    id: str
    document_id: str
    start: int
    end: int
    label: str
    decision: str
    reviewer: str
    sources: tuple[str, ...]
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GoldDecision:
        return cls(
            id=row["id"], document_id=row["document_id"], start=row["start"], end=row["end"], label=row["label"],
            decision=row["decision"], reviewer=row["reviewer"], sources=tuple(json.loads(row["sources"] or "[]")),
            created=row["created"], updated=row["updated"],
        )

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True)
class GoldRelationDecision:
    """A row of the gold_relations table: a reviewer's decision on one (head, child, label)."""

    id: str
    document_id: str
    head: tuple[int, int, str]
    child: tuple[int, int, str]
    label: str
    decision: str
    reviewer: str
    sources: tuple[str, ...]
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GoldRelationDecision:
        return cls(
            id=row["id"], document_id=row["document_id"],
            head=(row["head_start"], row["head_end"], row["head_label"]),
            child=(row["child_start"], row["child_end"], row["child_label"]),
            label=row["label"], decision=row["decision"], reviewer=row["reviewer"],
            sources=tuple(json.loads(row["sources"] or "[]")), created=row["created"], updated=row["updated"],
        )

    def key(self) -> tuple[tuple[int, int, str], tuple[int, int, str], str]:
        return (self.head, self.child, self.label)


def _decision_from_row(table: str, row: dict[str, Any]) -> GoldDecision | GoldRelationDecision:
    return GoldRelationDecision.from_row(row) if table == "gold_relations" else GoldDecision.from_row(row)


@dataclass
class MergeReport:
    """What :meth:`Store.merge_from` did; ``tables`` maps a table to [added, present, conflicts]."""

    source: str
    documents_added: int = 0
    documents_present: int = 0
    tables: dict[str, list[int]] = field(default_factory=dict)
    events_added: int = 0
    events_present: int = 0
    conflicts: list[str] = field(default_factory=list)

    def added(self, table: str) -> int:
        return self.tables.get(table, [0, 0, 0])[0]

    def line(self) -> str:
        parts = [f"{self.documents_added} documents added ({self.documents_present} already here)"]
        for table in ("spans", "relations", "statuses", "gold", "gold_relations"):
            added, present, _ = self.tables.get(table, [0, 0, 0])
            if added or present:
                parts.append(f"{added} {table} added ({present} already here)")
        parts.append(f"{self.events_added} events added")
        if self.conflicts:
            n = len(self.conflicts)
            parts.append(f"{n} conflict{'s' if n != 1 else ''} kept as {'they are' if n != 1 else 'it is'} here")
        return f"merged {Path(self.source).name}: " + ", ".join(parts)


def _brief(row: dict[str, Any]) -> str:
    keep = ("label", "start", "end", "annotator", "status", "decision", "reviewer", "note", "head", "child")
    return ", ".join(f"{k}={row[k]!r}" for k in keep if k in row)


def _plain(what: str) -> str:
    """An event's description without the undo/redo prefixes it gathered."""
    while what.startswith(("undo: ", "redo: ")):
        what = what[6:]
    return what


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_not_truncated(path: Path, head: bytes) -> None:
    """Refuse a file shorter than its header says (a cut-off copy or download).

    SQLite reads the missing pages as zeros without complaint, and the next
    write would make the loss permanent. Skipped while a WAL or rollback journal
    holds pages the main file does not have yet.
    """
    if head and len(head) < 100:
        raise AnnotatorError(f"database {path} is truncated ({len(head)} bytes, less than a SQLite header): restore it from a copy")
    if len(head) < 100:
        return
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if pages == 0 or head[24:28] != head[92:96]:
        return  # the in-header size is not valid (an old writer): SQLite uses the file size
    for suffix in ("-wal", "-journal"):
        extra = Path(f"{path}{suffix}")
        if extra.exists() and extra.stat().st_size > 0:
            return
    size = path.stat().st_size
    if size < pages * page_size:
        raise AnnotatorError(
            f"database {path} is truncated ({size} of {pages * page_size} bytes): restore it from a copy"
        )


def _friendly(exc: sqlite3.Error, path: str) -> AnnotatorError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return AnnotatorError(
            f"database {path} is locked by another process for over {busy_timeout():g} s: "
            "nothing was changed; try again"
        )
    if "readonly" in text or "read-only" in text:
        return AnnotatorError(f"database {path} is read-only: nothing was changed (ask for write permission)")
    if "full" in text:
        return AnnotatorError(f"database {path} is full (disk or size limit): the last action was not saved; free space and retry")
    if "malformed" in text or "not a database" in text:
        return AnnotatorError(f"database {path} is damaged ({text}): restore it from a copy")
    return AnnotatorError(f"database {path}: {text}")
