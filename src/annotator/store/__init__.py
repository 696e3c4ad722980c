"""The store: the only place that talks to the database.

One small :class:`Store` facade over collaborators with one job each:

- :mod:`.connection` opens the file safely and is the one way to write (nested transactions);
- :mod:`.migrations` the layout and its versions;
- :mod:`.log` the action log: every change is an action, with undo, redo and replay;
- :mod:`.settings` the label schema and reviewer list (logged too);
- :mod:`.documents` documents, import and positions;
- :mod:`.annotations` annotators' spans, relations and statuses;
- :mod:`.gold` the reviewed layer and the reviewers;
- :mod:`.merge` bringing in another database.

Every user action is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction that changes rows
*and* appends to the log, so there is no save step and a killed process loses nothing it
already reported as done. WAL mode and a busy timeout let several annotators (one process per
SSH session) write to one file.

Example::

    >>> from annotator.models import Document, Span
    >>> store = Store(":memory:")
    >>> doc = store.add_document(Document.from_text("a.txt", "Sony said revenue rose 5%."))
    >>> span = store.add_span(Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="ann"))
    >>> [s.label for s in store.spans_for(doc.id)]
    ['ENTITY']
    >>> store.undo("ann").description
    "undid: tag ENTITY 'Sony'"
    >>> store.spans_for(doc.id)
    []

Importing this package loads neither pydantic nor sqlite-utils: commands that only count
rows start fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from .annotations import Annotations
from .connection import BUSY_TIMEOUT_SECONDS, Database, busy_timeout, friendly, max_pages
from .documents import Documents, ImportRecord, ImportSummary
from .duplicates import DuplicateReport
from .log import ActionLog, ActionResult, Change, changes_since
from .migrations import NATURAL_KEYS, SCHEMA_VERSION, TRACKED_TABLES, migrate
from .settings import Settings

if TYPE_CHECKING:
    from ..models import Document, LabelSchema, Relation, Span, Status
    from .gold import Gold, GoldChange, GoldDecision, GoldRelationDecision, RelationChange
    from .merge import MergeReport
    from .rows import StoredSpan

#: Names loaded on first use (PEP 562): the review layer and merge cost start-up time that
#: commands like ``docs`` never need.
_LAZY = {
    "GoldChange": "gold", "GoldDecision": "gold", "GoldRelationDecision": "gold", "RelationChange": "gold",
    "MergeReport": "merge",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)

__all__ = [
    "BUSY_TIMEOUT_SECONDS", "NATURAL_KEYS", "SCHEMA_VERSION", "TRACKED_TABLES",
    "ActionResult", "Change", "DuplicateReport", "GoldChange", "GoldDecision", "GoldRelationDecision", "ImportRecord",
    "ImportSummary", "MergeReport", "RelationChange", "Store", "busy_timeout", "friendly", "max_pages",
]


class Store:
    """An annotation database. Open one per process and thread; a thread that writes opens its own.

    The methods below are the whole public surface; each hands over to the collaborator that
    owns the behaviour (``store.docs``, ``store.annotations``, ``store.gold``, ``store.log``,
    ``store.settings``).
    """

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.db = Database(path)
        self.path = self.db.path
        self.conn = self.db.conn
        self._check_version(migrate)
        self.db.use_wal()
        self.log = ActionLog(self.db)
        self.settings = Settings(self.db, self.log)
        self.docs = Documents(self.db, self.log, self.settings)
        self.annotations = Annotations(self.db, self.log, self.settings, self.docs)
        self._gold: Gold | None = None

    @property
    def gold(self) -> Gold:
        """The reviewed layer (its module is loaded on first use)."""
        if self._gold is None:
            from .gold import Gold

            self._gold = Gold(self.db, self.log, self.settings, self.docs)
        return self._gold

    # the file

    @property
    def readonly(self) -> bool:
        return self.db.readonly

    @property
    def busy_timeout(self) -> float:
        return self.db.busy_timeout

    @property
    def max_pages(self) -> int | None:
        return self.db.max_pages

    def _check_version(self, migrate_now: bool) -> None:
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
        if version < SCHEMA_VERSION and migrate_now:
            if self.readonly:
                if version == 0:
                    raise AnnotatorError(f"database {self.path} is read-only and empty: pass a writable --db")
                raise AnnotatorError(
                    f"database {self.path} is read-only and needs an upgrade (v{version} to v{SCHEMA_VERSION}): "
                    "open it once with write permission"
                )
            self.migrate()

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the layout up to ``target`` in one transaction."""
        with self.db.transaction():
            migrate(self.conn, self.conn.execute("PRAGMA user_version").fetchone()[0], target)

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def data_version(self) -> int:
        """Changes whenever another connection commits: poll it to notice other sessions' work."""
        return self.db.data_version

    def check_same_file(self) -> None:
        self.db.check_same_file()

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # settings and schema

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def set_setting(self, key: str, value: Any, actor: str = "settings") -> None:
        self.settings.set(key, value, actor)

    @property
    def schema(self) -> LabelSchema:
        return self.settings.schema

    def set_schema(self, schema: LabelSchema, actor: str = "settings") -> None:
        self.settings.set_schema(schema, actor)

    # documents

    def add_document(self, document: Document) -> Document:
        """Add a document (no-op when the same text is already there); returns the stored one."""
        self.docs.import_records([ImportRecord(document)], actor="import")
        return self.docs.get(document.id)

    def get_document(self, document_id: str) -> Document:
        return self.docs.get(document_id)

    def has_document(self, document_id: str) -> bool:
        return self.docs.has(document_id)

    def document_count(self) -> int:
        return self.docs.count()

    def document_ids(self) -> list[str]:
        return self.docs.ids()

    def documents(self) -> Iterator[Document]:
        """Every document in import order, streamed."""
        return self.docs.all()

    def document_names(self) -> list[tuple[str, str]]:
        return self.docs.names()

    def document_position(self, document_id: str) -> int:
        return self.docs.position(document_id)

    def neighbour_document(self, document_id: str, step: int) -> str | None:
        return self.docs.neighbour(document_id, step)

    def first_document(self) -> str | None:
        return self.docs.first()

    def next_unfinished_document(self, annotator: str, after: str | None) -> str | None:
        return self.docs.next_unfinished(annotator, after)

    def document_length(self, document_id: str) -> int:
        return self.docs.length(document_id)

    def import_records(self, records: Iterable[ImportRecord], actor: str,
                       skip: Callable[[str, str], None] | None = None) -> ImportSummary:
        """Import in one action; spans and relations held twice go to ``skip(reason, where)`` (see Documents)."""
        return self.docs.import_records(records, actor, skip)

    def overview(self) -> list[dict[str, Any]]:
        return self.docs.overview()

    def save_position(self, annotator: str, document_id: str, offset: int) -> None:
        self.docs.save_position(annotator, document_id, offset)

    def last_position(self, annotator: str) -> tuple[str, int] | None:
        return self.docs.last_position(annotator)

    def position_in(self, annotator: str, document_id: str) -> int:
        return self.docs.position_in(annotator, document_id)

    # annotations

    def spans_for(self, document_id: str, annotator: str | None = None) -> list[Span]:
        return self.annotations.spans_for(document_id, annotator)

    def get_span(self, span_id: str) -> Span | None:
        return self.annotations.get_span(span_id)

    def relations_for(self, document_id: str, annotator: str | None = None) -> list[Relation]:
        return self.annotations.relations_for(document_id, annotator)

    def spans_of(self, document_ids: list[str]) -> dict[str, list[Span]]:
        """:meth:`spans_for` of many documents in a few queries (an export reads them in batches)."""
        return self.annotations.spans_of(document_ids)

    def stored_spans_of(self, document_ids: list[str]) -> dict[str, list[StoredSpan]]:
        """:meth:`spans_of` as read-only tuples with the same field names (what an export reads)."""
        return self.annotations.stored_spans_of(document_ids)

    def relations_of(self, document_ids: list[str]) -> dict[str, list[Relation]]:
        return self.annotations.relations_of(document_ids)

    def statuses_of(self, document_ids: list[str]) -> dict[str, dict[str, Status]]:
        return self.annotations.statuses_of(document_ids)

    def annotators(self, document_id: str | None = None) -> list[str]:
        return self.annotations.annotators(document_id)

    def status(self, document_id: str, annotator: str) -> Status:
        return self.annotations.status(document_id, annotator)

    def statuses_for(self, document_id: str) -> dict[str, Status]:
        return self.annotations.statuses_for(document_id)

    def documents_with_status(self, status: Status | str, annotators: Iterable[str] | None = None) -> set[str]:
        return self.annotations.documents_with_status(status, annotators)

    def label_counts(self) -> dict[str, dict[str, int]]:
        return self.annotations.label_counts()

    def add_span(self, span: Span) -> Span:
        """Tag; a span its annotator already holds raises :class:`~annotator.errors.AlreadyExists`."""
        return self.annotations.add_span(span)

    def duplicates(self) -> DuplicateReport:
        """What an annotator holds more than once (a database from before layout 5 may): see :mod:`.duplicates`."""
        return self.annotations.duplicates()

    def update_span(self, span_id: str, actor: str, **changes: Any) -> Span:
        return self.annotations.update_span(span_id, actor, **changes)

    def delete_span(self, span_id: str, actor: str) -> None:
        self.annotations.delete_span(span_id, actor)

    def add_relation(self, relation: Relation) -> Relation:
        return self.annotations.add_relation(relation)

    def delete_relation(self, relation_id: str, actor: str) -> None:
        self.annotations.delete_relation(relation_id, actor)

    def set_status(self, document_id: str, annotator: str, status: Status | str) -> None:
        self.annotations.set_status(document_id, annotator, status)

    # the log

    def can_undo(self, actor: str) -> bool:
        return self.log.can_undo(actor)

    def can_redo(self, actor: str) -> bool:
        return self.log.can_redo(actor)

    def undo(self, actor: str) -> ActionResult | None:
        return self.log.undo(actor)

    def redo(self, actor: str) -> ActionResult | None:
        return self.log.redo(actor)

    def history(self, actor: str | None = None, document_id: str | None = None, limit: int = 100) -> list[dict]:
        return self.log.history(actor, document_id, limit)

    def last_event_id(self) -> int:
        return self.db.scalar("SELECT coalesce(max(id), 0) FROM events")

    def changes_since(self, event_id: int, document_id: str | None = None) -> tuple[int, list[Change]]:
        """(newest event id, the rows changed after ``event_id``): see :func:`.log.changes_since`."""
        return changes_since(self.db, event_id, document_id)

    def replay(self) -> dict[str, dict[str, dict]]:
        return self.log.replay()

    def table_state(self) -> dict[str, dict[str, dict]]:
        return self.log.table_state()

    # gold

    def gold_spans(self, document_id: str) -> list[Span]:
        return self.gold.spans(document_id)

    def gold_decisions(self, document_id: str) -> list[GoldDecision]:
        return self.gold.decisions(document_id)

    def gold_counts(self) -> dict[str, dict[str, int]]:
        return self.gold.counts()

    def gold_relation_decisions(self, document_id: str) -> list[GoldRelationDecision]:
        return self.gold.relation_decisions(document_id)

    def gold_relations(self, document_id: str) -> list[Relation]:
        return self.gold.relations(document_id)

    def reviewers(self) -> list[str]:
        return self.gold.reviewers()

    def may_review(self, name: str) -> bool:
        return self.gold.may_review(name)

    def check_reviewer(self, name: str) -> None:
        self.gold.check_reviewer(name)

    def set_reviewers(self, names: Iterable[str], actor: str) -> list[str]:
        return self.gold.set_reviewers(names, actor)

    def decide(
        self, document_id: str, start: int, end: int, label: str, decision: str, reviewer: str,
        sources: Iterable[str] = (),
    ) -> GoldDecision:
        """Accept or reject one candidate into the gold layer: one undoable action of ``reviewer``."""
        from .gold import GoldChange

        rows = self.gold.decide_many(document_id, [GoldChange(start, end, label, decision, tuple(sources))], reviewer)
        return rows[0]  # type: ignore[return-value]

    def decide_many(
        self, document_id: str | None, changes: Iterable[GoldChange | RelationChange], reviewer: str,
        what: str | None = None,
    ) -> list[GoldDecision | GoldRelationDecision]:
        return self.gold.decide_many(document_id, changes, reviewer, what)

    def decide_relation(
        self, document_id: str, head: tuple[int, int, str], child: tuple[int, int, str], label: str,
        decision: str, reviewer: str, sources: Iterable[str] = (),
    ) -> GoldRelationDecision:
        """Accept or reject one relation candidate (head and child by their spans' keys): one action.

        Accepting it also accepts its two spans when gold lacks them (in the same action).
        """
        from .gold import GoldRelationDecision, RelationChange

        rows = self.gold.decide_many(
            document_id, [RelationChange(tuple(head), tuple(child), label, decision, tuple(sources))], reviewer
        )
        return [r for r in rows if isinstance(r, GoldRelationDecision)][-1]

    def edit_gold(
        self, document_id: str, old: tuple[int, int, str] | None, start: int, end: int, label: str,
        reviewer: str, sources: Iterable[str] = (),
    ) -> GoldDecision:
        """Accept an edited candidate: ``old`` (start, end, label) is rejected, the new span accepted. One action."""
        from .gold import GoldChange

        changes = []
        if old is not None and tuple(old) != (start, end, label):
            changes.append(GoldChange(old[0], old[1], old[2], "reject", tuple(sources)))
        changes.append(GoldChange(start, end, label, "accept", tuple(sources)))
        rows = self.gold.decide_many(document_id, changes, reviewer)
        return rows[-1]  # type: ignore[return-value]

    # merge

    def merge_from(self, other_path: str | Path, progress: Callable[[int, int], None] | None = None) -> MergeReport:
        from .merge import Merger

        return Merger(self.db, self.log, self.settings, self.docs, self.gold).merge_from(other_path, progress)
