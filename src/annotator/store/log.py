"""The action log: every change to a tracked table goes through here.

One user action is one :class:`Action`: one transaction (nested calls join the open action
as savepoints, so "tag" and the store rule "tagging moves the document to in progress" are one
undo step), an ``actions`` row saying who did what, and one ``events`` row per changed row with
the row before and after (JSON; null for "no row").

Undo writes an action's ``before`` rows back as a new ``undo`` action; redo inverts that undo.
So both survive restarts, and replaying ``events`` in order rebuilds the tables
(:meth:`ActionLog.replay`). Undo and redo return :class:`Change` objects: what a screen
applies to its view without reading the log.

An entry that can no longer be inverted, because someone changed its rows since (another
reviewer decided the same candidate, another annotator deleted the span a relation used, a
relation now points at the span), is *skipped*: a ``skip`` action takes it off the stack, the
result says what changed and who changed it, and the next undo goes on to the older entry.
Nothing another person made is ever removed by an undo or redo. Nor does an undo or redo ever
put back a second copy of a span or link its annotator made again since (in another window, say):
that entry is skipped the same way (see :mod:`.duplicates`).

The result's ``description`` says what was undone in plain words (``undid: relabel FIGURE back to
ENTITY 'Ebrahim'``; see :mod:`.describe`), display-safe.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import AnnotatorError
from ..ids import now
from .connection import Database, quote_name
from .describe import Texts, describe, relation_ends, span_words
from .duplicates import NATURAL, changes_key, check_write, twin
from .migrations import NATURAL_KEYS, TRACKED_TABLES


def row_key(table: str, row: dict[str, Any]) -> str:
    """The log's id of a row: its primary key values as JSON (a plain id without json.dumps: the import's hot path)."""
    cols = TRACKED_TABLES[table]
    if len(cols) == 1:
        value = row[cols[0]]
        if isinstance(value, str) and value.isascii() and value.isalnum():
            return f'["{value}"]'
    return json.dumps([row[col] for col in cols])


def plain(what: str) -> str:
    """An event's description without the undo/redo prefixes it gathered."""
    while what.startswith(("undo: ", "redo: ")):
        what = what[6:]
    return what


@dataclass(frozen=True)
class Change:
    """One row changed by an action: ``before`` None is an insert, ``after`` None a delete."""

    table: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def row(self) -> dict[str, Any]:
        return self.after if self.after is not None else self.before  # type: ignore[return-value]

    @property
    def document_id(self) -> str | None:
        return self.row.get("document_id")


@dataclass
class ActionResult:
    """What an undo or redo did, so a screen can show it, apply it and go there.

    ``skipped`` is True when nothing was changed because the entry conflicted with a later
    change by someone else; ``description`` then says what and who.
    """

    action: int
    description: str
    document_id: str | None
    offset: int | None = None
    changes: list[Change] = field(default_factory=list)
    skipped: bool = False


class Action:
    """The rows one user action changes. Get one from :meth:`ActionLog.action`."""

    def __init__(self, log: ActionLog, actor: str, kind: str, target: int | None, what: str | None) -> None:
        self.log = log
        self.actor = actor
        self.kind = kind
        self.target = target
        self.what = what
        self.time = now()
        self.id: int | None = None
        self.changes: list[Change] = []

    @property
    def db(self) -> Database:
        return self.log.db

    def insert(self, table: str, row: dict[str, Any], what: str) -> None:
        """Add ``row``; a second copy of an annotator's span or relation raises AlreadyExists (see :mod:`.duplicates`)."""
        if table in NATURAL:
            check_write(self.db, table, None, row)
        cols = list(row)
        try:
            self.db.conn.execute(
                f"INSERT INTO {table} ({', '.join(quote_name(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row[c] for c in cols],
            )
        except sqlite3.IntegrityError:
            raise AnnotatorError(f"cannot {what}: another row already holds it (changed by another session?)") from None
        self._record(table, None, row, what)

    def update(self, table: str, before: dict[str, Any], after: dict[str, Any], what: str) -> None:
        if table in NATURAL:
            check_write(self.db, table, before, after)
        keys = TRACKED_TABLES[table]
        cols = [c for c in after if c not in keys]
        try:
            self.db.conn.execute(
                f"UPDATE {table} SET {', '.join(f'{quote_name(c)} = ?' for c in cols)} "
                f"WHERE {' AND '.join(f'{quote_name(k)} = ?' for k in keys)}",
                [after[c] for c in cols] + [before[k] for k in keys],
            )
        except sqlite3.IntegrityError:
            raise AnnotatorError(f"cannot {what}: another row already holds it (changed by another session?)") from None
        self._record(table, before, after, what)

    def delete(self, table: str, row: dict[str, Any], what: str) -> None:
        keys = TRACKED_TABLES[table]
        self.db.conn.execute(
            f"DELETE FROM {table} WHERE {' AND '.join(f'{quote_name(k)} = ?' for k in keys)}", [row[k] for k in keys]
        )
        self._record(table, row, None, what)

    def write(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None, what: str) -> None:
        """Make the row ``after`` (None: no row), knowing it is ``before`` now."""
        if after is None:
            if before is not None:
                self.delete(table, before, what)
        elif before is None:
            self.insert(table, after, what)
        else:
            self.update(table, before, after, what)

    def _record(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None, what: str) -> None:
        if self.id is None:
            self.id = self.log.new_action(self.actor, self.kind, self.target, self.time, self.what or what,
                                          (after or before or {}).get("document_id"))
        row = after if after is not None else before
        assert row is not None
        self.db.conn.execute(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.id, self.time, self.actor, self.kind, self.target, row.get("document_id"), table,
                row_key(table, row),
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                what,
            ],
        )
        self.changes.append(Change(table, before, after))


class ActionLog:
    """Actions, undo, redo and replay over one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._open: Action | None = None

    # writing

    @contextmanager
    def action(self, actor: str, what: str | None = None, *, kind: str = "do",
               target: int | None = None) -> Iterator[Action]:
        """One user action: a transaction whose row changes are logged together.

        Inside an open action this joins it (a savepoint: a failing inner step undoes only
        itself), so store rules compose into one undo step.
        """
        if self._open is not None:
            outer = self._open
            mark = len(outer.changes)
            try:
                with self.db.transaction():
                    yield outer
            except BaseException:
                del outer.changes[mark:]
                raise
            return
        with self.db.transaction():
            self._open = Action(self, actor, kind, target, what)
            try:
                yield self._open
            finally:
                self._open = None

    def new_action(self, actor: str, kind: str, target: int | None, time: str, what: str,
                   document_id: str | None) -> int:
        """Add an action row, keeping each actor's undo and redo stacks in its ``state`` column.

        ``live``: on the undo stack (a do or a redo); ``redoable``: on the redo stack (an undo);
        ``undone``, ``redone``, ``dead`` (a redo stack cleared by a new action), ``skipped``: on
        neither. The top of a stack is then one indexed look-up, whatever the history's size.
        """
        conn = self.db.conn
        state: str | None = None
        if kind == "do":
            conn.execute("UPDATE actions SET state = 'dead' WHERE actor = ? AND state = 'redoable'", [actor])
            state = "live"
        elif kind == "undo":
            conn.execute("UPDATE actions SET state = 'undone' WHERE id = ?", [target])
            state = "redoable"
        elif kind == "redo":
            conn.execute("UPDATE actions SET state = 'redone' WHERE id = ?", [target])
            state = "live"
        elif kind == "skip":
            conn.execute("UPDATE actions SET state = 'skipped' WHERE id = ?", [target])
        cursor = conn.execute(
            "INSERT INTO actions (actor, kind, target, document_id, time, what, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [actor, kind, target, document_id, time, what, state],
        )
        return int(cursor.lastrowid)

    def current(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row as it is now, found by the primary key of ``row``."""
        keys = TRACKED_TABLES[table]
        return self.db.one(
            f"SELECT * FROM {table} WHERE {' AND '.join(f'{quote_name(k)} = ?' for k in keys)}", [row[k] for k in keys]
        )

    def natural(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The gold or gold_relations row with the natural key (not the id) of ``row``, if any."""
        cols = NATURAL_KEYS[table]
        return self.db.one(
            f"SELECT * FROM {table} WHERE {' AND '.join(f'{quote_name(c)} = ?' for c in cols)}", [row[c] for c in cols]
        )

    def last_change(self, table: str, row: dict[str, Any]) -> tuple[str, str] | None:
        """(actor, what) of the newest logged change of a row."""
        found = self.db.conn.execute(
            "SELECT actor, what FROM events WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
            [table, row_key(table, row)],
        ).fetchone()
        return (found[0], plain(found[1])) if found else None

    # undo and redo

    def top(self, actor: str, kind: str) -> int | None:
        """The action the actor's next undo (or redo) inverts: one indexed look-up."""
        state = "live" if kind == "undo" else "redoable"
        return self.db.scalar(
            "SELECT id FROM actions WHERE actor = ? AND state = ? ORDER BY id DESC LIMIT 1", [actor, state]
        )

    def can_undo(self, actor: str) -> bool:
        return self.top(actor, "undo") is not None

    def can_redo(self, actor: str) -> bool:
        return self.top(actor, "redo") is not None

    def undo(self, actor: str) -> ActionResult | None:
        """Invert the actor's most recent action; None when there is nothing to undo."""
        return self._invert(actor, "undo")

    def redo(self, actor: str) -> ActionResult | None:
        """Invert the actor's most recent undo; None when there is nothing to redo."""
        return self._invert(actor, "redo")

    def _invert(self, actor: str, kind: str) -> ActionResult | None:
        if self.db.readonly:
            raise AnnotatorError(f"database {self.db.path} is read-only: nothing to {kind}")
        with self.db.transaction():
            target = self.top(actor, kind)
            if target is None:
                return None
            events = self.db.query("SELECT * FROM events WHERE action = ? ORDER BY id DESC", [target])
            logged = "; ".join(plain(e["what"]) for e in reversed(events))  # the log's own words
            words = self._words(events, kind)  # what a person reads
            document_id = events[0]["document_id"] if events else None
            conflict = self._conflict(events, actor)
            if conflict is not None:
                skip = self.new_action(actor, "skip", target, now(), "skip", document_id)
                message = f"cannot {kind} {words}: {conflict}; skipped it" + (
                    f" ({kind} again goes on to the one before)" if self.top(actor, kind) is not None else ""
                )
                return ActionResult(skip, message, document_id, None, [], skipped=True)
            offset: int | None = None
            with self.action(actor, f"{kind}: {logged}", kind=kind, target=target) as act:
                for event in events:
                    table = event["table_name"]
                    before = json.loads(event["before"]) if event["before"] else None
                    after = json.loads(event["after"]) if event["after"] else None
                    current = self.current(table, after if after is not None else before)
                    if before is None and table == "spans":
                        self._drop_own_relations(act, current)
                    act.write(table, current, before, f"{kind}: {plain(event['what'])}")
                    offset = _offset(table, before or after, offset)
            done = "undid" if kind == "undo" else "redid"
            return ActionResult(act.id or 0, f"{done}: {words}", document_id, offset, act.changes)

    def _words(self, events: list[dict[str, Any]], kind: str) -> str:
        """The action an undo (or redo) inverts, in plain words (``events`` newest first).

        An undo inverts the user's action: its events, oldest first. A redo inverts an undo, whose
        events are the user's action backwards: swapped, newest first, they are the action again.
        """
        def load(value: str | None) -> dict[str, Any] | None:
            return json.loads(value) if value else None

        if kind == "undo":
            changes = [(e["table_name"], load(e["before"]), load(e["after"]), e["what"]) for e in reversed(events)]
        else:
            changes = [(e["table_name"], load(e["after"]), load(e["before"]), e["what"]) for e in events]
        return describe(self.db, [(t, b, a, plain(w)) for t, b, a, w in changes], undone=kind == "undo")

    def _conflict(self, events: list[dict[str, Any]], actor: str) -> str | None:
        """Why the rows of ``events`` can no longer be put back (None: they can)."""
        own = {(e["table_name"], e["row_id"]) for e in events}
        for event in events:
            table = event["table_name"]
            if table not in TRACKED_TABLES:
                continue
            before = json.loads(event["before"]) if event["before"] else None
            after = json.loads(event["after"]) if event["after"] else None
            row = after if after is not None else before
            if self.current(table, row) != after:
                return f"{self._who(table, row)} changed {_thing(table, row)} since"
            if before is not None and table in NATURAL_KEYS:
                holder = self.natural(table, before)
                if holder is not None and holder["id"] != before["id"] and (table, row_key(table, holder)) not in own:
                    return f"{self._who(table, holder)} decided {_thing(table, holder)} since"
            if before is not None and table == "relations":
                for end in ("head", "child"):
                    restored = ("spans", row_key("spans", {"id": before[end]})) in own
                    if not restored and self.current("spans", {"id": before[end]}) is None:
                        return f"{self._who('spans', {'id': before[end]})} deleted the span it links since"
            if before is not None and table in NATURAL and (after is None or changes_key(table, after, before)):
                holder = twin(self.db, table, before)  # the same span or link, made again since
                if holder is not None and (table, row_key(table, holder)) not in own:
                    return self._again(table, holder)
            if before is None and table == "spans":
                for rel in self.db.query("SELECT * FROM relations WHERE head = ? OR child = ?", [row["id"], row["id"]]):
                    if rel["annotator"] != actor and ("relations", row_key("relations", rel)) not in own:
                        return f"{rel['annotator']} linked {_thing(table, row)} since"
        return None

    def _again(self, table: str, holder: dict[str, Any]) -> str:
        """Why a row cannot come back: its annotator holds the same one again (putting it back would make two)."""
        who = self._who(table, holder)
        if table == "spans":
            return f"{who} tagged {span_words(Texts(self.db), holder)} ({holder['start']}-{holder['end']}) again since"
        return f"{who} linked {relation_ends(self.db, holder)} again since"

    def _who(self, table: str, row: dict[str, Any]) -> str:
        last = self.last_change(table, row)
        return last[0] if last else "another session"

    def _drop_own_relations(self, act: Action, span: dict[str, Any] | None) -> None:
        """Before an undo removes a span, remove the actor's own relations that use it (never leave them dangling)."""
        if span is None:
            return
        for rel in self.db.query(
            "SELECT * FROM relations WHERE head = ? OR child = ? ORDER BY id", [span["id"], span["id"]]
        ):
            act.delete("relations", rel, f"unlink {rel['label']}")

    # reading the log

    def history(self, actor: str | None = None, document_id: str | None = None, limit: int = 100) -> list[dict]:
        """The newest events, optionally for one actor or document."""
        sql, args = "SELECT * FROM events WHERE 1=1", []
        if actor:
            sql += " AND actor = ?"
            args.append(actor)
        if document_id:
            sql += " AND document_id = ?"
            args.append(document_id)
        return self.db.query(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])

    def replay(self) -> dict[str, dict[str, dict]]:
        """Rebuild every tracked table from the event log alone (an audit check)."""
        state: dict[str, dict[str, dict]] = {t: {} for t in TRACKED_TABLES}
        for table, rid, after in self.db.conn.execute("SELECT table_name, row_id, after FROM events ORDER BY id"):
            if table not in state:
                continue
            if after is None:
                state[table].pop(rid, None)
            else:
                state[table][rid] = json.loads(after)
        return state

    def table_state(self) -> dict[str, dict[str, dict]]:
        """The tracked tables as they are, keyed like :meth:`replay`."""
        return {
            table: {row_key(table, row): row for row in self.db.query(f"SELECT * FROM {table}")}
            for table in TRACKED_TABLES
        }


def _offset(table: str, row: dict[str, Any], default: int | None) -> int | None:
    """Where in the document a changed row is (for the screen to go there), else ``default``."""
    if table in ("spans", "gold"):
        return row["start"]
    if table == "gold_relations":
        return row["head_start"]
    return default


def _thing(table: str, row: dict[str, Any]) -> str:
    """A row as a person names it: 'the SOURCE span 12-20', 'the decision on CLAIM 0-4'."""
    if table == "spans":
        return f"the {row.get('label', '')} span {row.get('start', '?')}-{row.get('end', '?')}".replace("the  ", "that ")
    if table == "relations":
        return f"the {row.get('label', '')} link".replace("the  ", "that ")
    if table == "gold":
        return f"the decision on {row.get('label', '')} {row.get('start', '?')}-{row.get('end', '?')}"
    if table == "gold_relations":
        return f"the decision on the {row.get('label', '')} link"
    if table == "statuses":
        return "the document's status"
    if table == "settings":
        return f"the {row.get('key')} setting"
    return "that row"


def changes_since(db: Database, event_id: int, document_id: str | None = None) -> tuple[int, list[Change]]:
    """The rows changed by events after ``event_id`` (of one document, if given), oldest first,
    and the newest event id: how a screen catches up with other sessions without reading JSON."""
    newest = db.scalar("SELECT coalesce(max(id), 0) FROM events") or 0
    if newest <= event_id:
        return newest, []
    sql = "SELECT table_name, before, after FROM events WHERE id > ? AND id <= ?"
    args: list[Any] = [event_id, newest]
    if document_id is not None:
        sql += " AND document_id = ?"
        args.append(document_id)
    changes = [
        Change(table, json.loads(before) if before else None, json.loads(after) if after else None)
        for table, before, after in db.conn.execute(sql + " ORDER BY id", args)
    ]
    return newest, changes
