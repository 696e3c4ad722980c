"""The database layout and its versions (``PRAGMA user_version``), in plain SQL.

Each step brings the layout up by one version inside the caller's transaction. A database
written by a newer version is refused before anything is changed (see :mod:`.connection`).
Plain SQL, not sqlite-utils: the same statements will serve PostgreSQL, and importing
sqlite-utils pulls in pandas and numpy wherever they are installed (a second of start-up).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

#: The newest database layout this code knows. Bump it with a step below.
SCHEMA_VERSION = 5

#: Primary key columns of the tables whose rows the event log tracks.
TRACKED_TABLES: dict[str, tuple[str, ...]] = {
    "spans": ("id",),
    "relations": ("id",),
    "statuses": ("document_id", "annotator"),
    "gold": ("id",),
    "gold_relations": ("id",),
    "settings": ("key",),
}

#: The natural key of a gold relation (its unique index).
GOLD_RELATION_KEY = (
    "document_id", "head_start", "head_end", "head_label", "child_start", "child_end", "child_label", "label",
)

#: The review tables' natural keys: one decision per key, whatever its id (merge twins, decide, undo).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "gold": ("document_id", "start", "end", "label"),
    "gold_relations": GOLD_RELATION_KEY,
}


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements inside the open transaction (``executescript`` would COMMIT it first)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_1(conn: sqlite3.Connection) -> None:
    _run(conn, 
        """
        CREATE TABLE documents (seq INTEGER PRIMARY KEY, id TEXT, name TEXT, text TEXT, meta TEXT, added TEXT);
        CREATE UNIQUE INDEX idx_documents_id ON documents (id);
        CREATE INDEX idx_documents_name ON documents (name);
        CREATE TABLE spans (
            id TEXT PRIMARY KEY, document_id TEXT, start INTEGER, "end" INTEGER, label TEXT,
            annotator TEXT, note TEXT, created TEXT, updated TEXT
        );
        CREATE INDEX idx_spans_document_id_start ON spans (document_id, start);
        CREATE INDEX idx_spans_annotator_document_id ON spans (annotator, document_id);
        CREATE TABLE relations (
            id TEXT PRIMARY KEY, document_id TEXT, head TEXT, child TEXT, label TEXT, annotator TEXT, created TEXT
        );
        CREATE INDEX idx_relations_document_id ON relations (document_id);
        CREATE INDEX idx_relations_head ON relations (head);
        CREATE INDEX idx_relations_child ON relations (child);
        CREATE TABLE statuses (
            document_id TEXT, annotator TEXT, status TEXT, updated TEXT, PRIMARY KEY (document_id, annotator)
        );
        CREATE INDEX idx_statuses_annotator_status ON statuses (annotator, status);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY, action INTEGER, time TEXT, actor TEXT, kind TEXT, target INTEGER,
            document_id TEXT, table_name TEXT, row_id TEXT, before TEXT, after TEXT, what TEXT
        );
        CREATE INDEX idx_events_actor_action ON events (actor, action);
        CREATE INDEX idx_events_action ON events (action);
        CREATE INDEX idx_events_document_id ON events (document_id);
        CREATE TABLE positions (
            annotator TEXT, document_id TEXT, "offset" INTEGER, updated TEXT, PRIMARY KEY (annotator, document_id)
        );
        CREATE INDEX idx_positions_annotator_updated ON positions (annotator, updated);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
        """
    )


def _to_2(conn: sqlite3.Connection) -> None:
    """Version 2 adds the review layer: gold spans and rejected candidates."""
    _run(conn, 
        """
        CREATE TABLE gold (
            id TEXT PRIMARY KEY, document_id TEXT, start INTEGER, "end" INTEGER, label TEXT,
            decision TEXT, reviewer TEXT, sources TEXT, created TEXT, updated TEXT
        );
        CREATE UNIQUE INDEX idx_gold_document_id_start_end_label ON gold (document_id, start, "end", label);
        """
    )


def _to_3(conn: sqlite3.Connection) -> None:
    """Version 3 adds reviewed relations, keyed like gold spans by what they link, not by span ids.

    A relation candidate is the same link made by several annotators on their own spans (different
    ids), so its head and child are stored as (start, end, label): the keys of the gold spans.
    """
    _run(conn, 
        """
        CREATE TABLE gold_relations (
            id TEXT PRIMARY KEY, document_id TEXT,
            head_start INTEGER, head_end INTEGER, head_label TEXT,
            child_start INTEGER, child_end INTEGER, child_label TEXT,
            label TEXT, decision TEXT, reviewer TEXT, sources TEXT, created TEXT, updated TEXT
        );
        CREATE UNIQUE INDEX idx_gold_relations_natural ON gold_relations
            (document_id, head_start, head_end, head_label, child_start, child_end, child_label, label);
        """
    )


def _to_4(conn: sqlite3.Connection) -> None:
    """Version 4 indexes the log by action, so undo and redo cost the same at any history size.

    ``actions`` holds one row per action (who, what kind, which action it inverts); undo reads
    the actor's newest rows of it instead of grouping all of the actor's events. The settings
    (schema, reviewers) become a tracked table: their rows are logged here as they are now, so
    the log still replays to the tables. ``events (table_name, row_id)`` finds who last changed a
    row (the message of a refused undo).
    """
    _run(conn, 
        """
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY, actor TEXT NOT NULL, kind TEXT NOT NULL, target INTEGER,
            document_id TEXT, time TEXT, what TEXT, state TEXT
        );
        CREATE INDEX idx_actions_actor_state_id ON actions (actor, state, id);
        INSERT INTO actions (id, actor, kind, target, document_id, time, what)
            SELECT action, actor, kind, target, document_id, time, what FROM events
            WHERE id IN (SELECT min(id) FROM events GROUP BY action);
        CREATE INDEX idx_events_row ON events (table_name, row_id);
        """
    )
    _set_undo_states(conn)
    rows = conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    if rows:
        action = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM actions").fetchone()[0]
        time = conn.execute("SELECT coalesce(max(time), '') FROM events").fetchone()[0] or None
        conn.execute(
            "INSERT INTO actions (id, actor, kind, target, document_id, time, what) VALUES (?, 'migration', 'import', NULL, NULL, ?, ?)",
            [action, time, "settings as of layout v4"],
        )
        conn.executemany(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, 'migration', 'import', NULL, NULL, 'settings', ?, NULL, ?, ?)",
            [
                [action, time, json.dumps([key]), json.dumps({"key": key, "value": value}, ensure_ascii=False), f"setting {key}"]
                for key, value in rows
            ],
        )


def _set_undo_states(conn: sqlite3.Connection) -> None:
    """Give each existing action its place in its actor's undo and redo stacks (see :mod:`.log`),
    by replaying every actor's do/undo/redo actions once."""
    states: dict[int, str] = {}
    redoable: dict[str, list[int]] = {}
    for action, actor, kind, target in conn.execute("SELECT id, actor, kind, target FROM actions ORDER BY id"):
        if kind == "do":
            for undo in redoable.pop(actor, []):
                states[undo] = "dead"
            states[action] = "live"
        elif kind == "undo":
            states[target] = "undone"
            states[action] = "redoable"
            redoable.setdefault(actor, []).append(action)
        elif kind == "redo":
            states[target] = "redone"
            if target in redoable.get(actor, []):
                redoable[actor].remove(target)
            states[action] = "live"
    conn.executemany("UPDATE actions SET state = ? WHERE id = ?", [(state, a) for a, state in states.items()])


def _to_5(conn: sqlite3.Connection) -> None:
    """Version 5 indexes spans and relations by what they are, so the store finds an annotator's
    identical span or relation (refused as a duplicate) in one look-up.

    Not UNIQUE: a database written before may hold duplicates and must still open (they are
    reported by :func:`.duplicates.find_duplicates`). The relations' index starts with ``head``,
    so it serves the look-ups of ``idx_relations_head``, which goes.
    """
    _run(conn,
        """
        CREATE INDEX idx_spans_natural ON spans (document_id, annotator, start, "end", label);
        CREATE INDEX idx_relations_natural ON relations (head, child, label, annotator);
        DROP INDEX IF EXISTS idx_relations_head;
        """
    )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _to_1, 2: _to_2, 3: _to_3, 4: _to_4, 5: _to_5}


def migrate(conn: sqlite3.Connection, version: int, target: int = SCHEMA_VERSION) -> None:
    """Run the steps from ``version`` to ``target`` on ``conn`` (the caller holds the transaction)."""
    for step in range(version + 1, target + 1):
        MIGRATIONS[step](conn)
    if target > version:
        conn.execute(f"PRAGMA user_version = {int(target)}")
