"""Bringing in a database annotated elsewhere (``annotator merge OTHER.db``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AnnotatorError
from ..ids import document_id_for
from .connection import SQLITE_HEADER, Database, busy_timeout, file_uri, quote_name
from .documents import Documents
from .duplicates import NATURAL
from .duplicates import twin as same_annotation
from .gold import Gold
from .log import ActionLog, plain, row_key
from .migrations import NATURAL_KEYS, SCHEMA_VERSION, TRACKED_TABLES
from .settings import Settings

#: The tables a merge copies rows of, in order (relations after the spans they link).
COPIED_TABLES = ("spans", "relations", "statuses", "gold", "gold_relations")


@dataclass
class MergeReport:
    """What a merge did; ``tables`` maps a table to [added, present, conflicts]."""

    source: str
    documents_added: int = 0
    documents_present: int = 0
    tables: dict[str, list[int]] = field(default_factory=dict)
    events_added: int = 0
    events_present: int = 0
    conflicts: list[str] = field(default_factory=list)
    #: gold decisions left out because their reviewer is not a reviewer here: {reviewer: count}
    not_reviewers: dict[str, int] = field(default_factory=dict)

    def added(self, table: str) -> int:
        return self.tables.get(table, [0, 0, 0])[0]

    def line(self) -> str:
        parts = [f"{self.documents_added} documents added ({self.documents_present} already here)"]
        for table in COPIED_TABLES:
            added, present, _ = self.tables.get(table, [0, 0, 0])
            if added or present:
                parts.append(f"{added} {table} added ({present} already here)")
        parts.append(f"{self.events_added} events added")
        if self.conflicts:
            n = len(self.conflicts)
            parts.append(f"{n} conflict{'s' if n != 1 else ''} kept as {'they are' if n != 1 else 'it is'} here")
        if self.not_reviewers:
            n = sum(self.not_reviewers.values())
            who = ", ".join(sorted(self.not_reviewers))
            parts.append(
                f"{n} gold decision{'s' if n != 1 else ''} by {who} left out (not a reviewer of this project)"
            )
        return f"merged {Path(self.source).name}: " + ", ".join(parts)


def _brief(row: dict[str, Any]) -> str:
    keep = ("label", "start", "end", "annotator", "status", "decision", "reviewer", "note", "head", "child")
    return ", ".join(f"{k}={row[k]!r}" for k in keep if k in row)


class Merger:
    def __init__(self, db: Database, log: ActionLog, settings: Settings, documents: Documents, gold: Gold) -> None:
        self.db = db
        self.log = log
        self.settings = settings
        self.documents = documents
        self.gold = gold

    def merge_from(self, other_path: str | Path, progress: Callable[[int, int], None] | None = None) -> MergeReport:
        """Copy another annotator database into this one, in one transaction.

        Documents are matched by id (the hash of their text). Spans, relations, statuses and gold
        rows are copied with their ids and annotators; a row whose key already exists with the same
        content is skipped (so merging twice adds nothing), one with different content is a
        *conflict*: reported, left as it is here. Once this project names reviewers, gold decisions
        by anyone else are left out and counted (a name is not a login: a copied database could
        claim any reviewer). The other database's events are appended with new local action
        numbers, ``kind`` 'merge' (so nobody's undo reaches into them), their time, actor, row and
        before/after kept; events already present and events of rows not copied are not copied.
        ``progress(done, total)`` is called as rows are copied. A missing or invalid file raises
        AnnotatorError, nothing changed.
        """
        other = Path(other_path)
        if not other.is_file():
            raise AnnotatorError(f"cannot merge {other}: no such file")
        with open(other, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                raise AnnotatorError(f"cannot merge {other}: not an annotator database (not a SQLite file)")
        if self.db.path != ":memory:" and Path(self.db.path).resolve() == other.resolve():
            raise AnnotatorError(f"cannot merge {other} into itself")
        try:
            src = sqlite3.connect(file_uri(other, mode="ro"), uri=True, timeout=busy_timeout())
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
        copy_tables = [t for t in COPIED_TABLES if t in tables]
        labels = set(self.settings.schema.label_names)
        label_columns = {"spans": ("label",), "gold": ("label",), "gold_relations": ("head_label", "child_label")}
        unknown = sorted(
            {
                r[0]
                for t, cols in label_columns.items() if t in tables
                for col in cols
                for r in src.execute(f"SELECT DISTINCT {quote_name(col)} FROM {t}")
            }
            - labels
        )
        if unknown:
            raise AnnotatorError(
                f"cannot merge {other}: it uses labels this project's schema lacks ({', '.join(unknown)}); "
                "add them to the schema first (--schema FILE)"
            )
        names_columns = {"spans": "annotator", "relations": "annotator", "statuses": "annotator",
                         "gold": "reviewer", "gold_relations": "reviewer", "events": "actor"}
        for t, col in names_columns.items():
            if t not in tables:
                continue
            for (name,) in src.execute(f"SELECT DISTINCT {quote_name(col)} FROM {t}"):
                if not isinstance(name, str) or not name.strip() or not name.isprintable():
                    from ..text.display import display_text

                    shown = display_text(name) if isinstance(name, str) else repr(name)
                    raise AnnotatorError(
                        f"cannot merge {other}: it holds the name '{shown}' (in {t}), which is empty or has control "
                        "characters (shown as placeholders): nothing was merged; rename it there first"
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

        conn = self.db.conn
        skip_events: set[tuple[str, str]] = set()  # rows whose history is not copied (conflicts, duplicates)
        span_ids: dict[str, str] = {}  # the other's span id -> the id of the same span here
        with self.db.transaction():
            reviewers = set(self.gold.reviewers())
            seq = self.db.scalar("SELECT coalesce(max(seq), 0) FROM documents")
            for row in src.execute("SELECT id, name, text, meta, added FROM documents ORDER BY seq"):
                tick()
                if self.documents.has(row["id"]):
                    report.documents_present += 1
                    continue
                if document_id_for(row["text"]) != row["id"]:
                    raise AnnotatorError(f"cannot merge {other}: document {row['name']} has an id that does not match its text")
                seq += 1
                conn.execute(
                    "INSERT INTO documents (seq, id, name, text, meta, added) VALUES (?, ?, ?, ?, ?, ?)",
                    [seq, row["id"], row["name"], row["text"], row["meta"], row["added"]],
                )
                report.documents_added += 1
            for table in copy_tables:
                counts = report.tables.setdefault(table, [0, 0, 0])  # added, present, conflicts
                for row in src.execute(f"SELECT * FROM {table}"):
                    tick()
                    row = dict(row)
                    if table in NATURAL_KEYS and reviewers and row["reviewer"] not in reviewers:
                        report.not_reviewers[row["reviewer"]] = report.not_reviewers.get(row["reviewer"], 0) + 1
                        skip_events.add((table, row_key(table, row)))
                        continue
                    if table == "relations":
                        row["head"] = span_ids.get(row["head"], row["head"])
                        row["child"] = span_ids.get(row["child"], row["child"])
                    current = self.log.current(table, row)
                    if current is None:
                        twin = self._twin(table, row)
                        if twin is not None:
                            # the same annotation made (or imported) separately on both sides: keep ours
                            counts[1] += 1
                            skip_events.add((table, row_key(table, row)))
                            if table == "spans":
                                span_ids[row["id"]] = twin["id"]
                            continue
                        if table in NATURAL_KEYS:
                            current = self.log.natural(table, row)  # decided differently there: a conflict
                    if current is None:
                        cols = list(row)
                        conn.execute(
                            f"INSERT INTO {table} ({', '.join(quote_name(c) for c in cols)}) "
                            f"VALUES ({', '.join('?' * len(cols))})",
                            [row[c] for c in cols],
                        )
                        counts[0] += 1
                    elif current == row:
                        counts[1] += 1
                    elif table == "statuses" and current["status"] == row["status"]:
                        counts[1] += 1  # the same status set at another time: keep ours
                        skip_events.add((table, row_key(table, row)))
                    else:
                        counts[2] += 1
                        skip_events.add((table, row_key(table, row)))
                        report.conflicts.append(
                            f"{table} {row_key(table, row)} in document {row.get('document_id')}: "
                            f"here {_brief(current)}, there {_brief(row)}"
                        )
            self._copy_events(src, other, skip_events, report, tick)
        if progress is not None:
            progress(total, total)
        return report

    def _copy_events(self, src: sqlite3.Connection, other: Path, skip_events: set[tuple[str, str]],
                     report: MergeReport, tick: Callable[[], None]) -> None:
        conn = self.db.conn
        existing = {tuple(r) for r in conn.execute("SELECT time, actor, table_name, row_id, after FROM events")}
        action_map: dict[int, int] = {}
        for row in src.execute("SELECT * FROM events ORDER BY id"):
            tick()
            key = (row["time"], row["actor"], row["table_name"], row["row_id"], row["after"])
            if key in existing or (row["table_name"], row["row_id"]) in skip_events:
                report.events_present += 1
                continue
            if row["table_name"] not in TRACKED_TABLES or row["table_name"] == "settings":
                continue  # settings are this project's own: not copied, nor their history
            existing.add(key)
            what = f"{plain(row['what'])} (merged from {other.name})"
            if row["action"] not in action_map:
                action_map[row["action"]] = self.log.new_action(
                    row["actor"], "merge", None, row["time"], what, row["document_id"]
                )
            conn.execute(
                "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, "
                "before, after, what) VALUES (?, ?, ?, 'merge', NULL, ?, ?, ?, ?, ?, ?)",
                [
                    action_map[row["action"]], row["time"], row["actor"], row["document_id"], row["table_name"],
                    row["row_id"], row["before"], row["after"], what,
                ],
            )
            report.events_added += 1

    def _twin(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """A row here with another id that is the same annotation as ``row`` (None if there is none)."""
        if table in NATURAL:  # the same span or link of one annotator (see .duplicates): stored once
            return same_annotation(self.db, table, row)
        if table in NATURAL_KEYS:
            found = self.log.natural(table, row)
            same = found is not None and found["decision"] == row["decision"]
            return found if same else None
        return None
