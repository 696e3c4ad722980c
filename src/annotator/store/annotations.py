"""Annotators' own work: spans, relations and document statuses.

Every write is one action (see :mod:`.log`), and every read it depends on (does the span
exist, who owns it, what it is now) happens inside that action's transaction, so two
sessions of one annotator cannot overwrite each other's changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from ..ids import now
from .connection import Database
from .documents import Documents
from .duplicates import DuplicateReport, find_duplicates
from .log import ActionLog
from .rows import (
    RELATION_SELECT, SPAN_SELECT, STORED_SPAN_SELECT, StoredSpan, relation_from_values, relation_row, span_from_row,
    span_from_values, span_row, stored_spans,
)
from .settings import Settings

if TYPE_CHECKING:
    from ..models import Relation, Span, Status

SPAN_ORDER = 'start, "end" DESC, label, annotator, id'

_document_of = itemgetter(1)  # a StoredSpan's document_id

#: Most documents named in one ``IN (...)`` (SQLite before 3.32 allows 999 parameters).
_IN_LIMIT = 500


def _chunks(ids: list[str]) -> Iterator[tuple[list[str], str]]:
    """``ids`` in pieces of at most :data:`_IN_LIMIT`, each with its ``?, ?, ...``."""
    for i in range(0, len(ids), _IN_LIMIT):
        chunk = ids[i : i + _IN_LIMIT]
        yield chunk, ",".join("?" * len(chunk))


class Annotations:
    def __init__(self, db: Database, log: ActionLog, settings: Settings, documents: Documents) -> None:
        self.db = db
        self.log = log
        self.settings = settings
        self.documents = documents

    # reading

    def spans_for(self, document_id: str, annotator: str | None = None) -> list[Span]:
        """Spans of a document in reading order (start, then longest first)."""
        sql = f"SELECT {SPAN_SELECT} FROM spans WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return list(map(span_from_values, self.db.conn.execute(f"{sql} ORDER BY {SPAN_ORDER}", args)))

    # reading many documents at once (an export reads them in batches: a few queries, not three a document)

    def spans_of(self, document_ids: list[str]) -> dict[str, list[Span]]:
        """The spans of each document, each list in :meth:`spans_for` order."""
        found: dict[str, list[Span]] = {d: [] for d in document_ids}
        for chunk, marks in _chunks(document_ids):
            sql = f"SELECT {SPAN_SELECT} FROM spans WHERE document_id IN ({marks}) ORDER BY document_id, {SPAN_ORDER}"
            for values in self.db.conn.execute(sql, chunk):
                found[values[1]].append(span_from_values(values))
        return found

    def stored_spans_of(self, document_ids: list[str]) -> dict[str, list[StoredSpan]]:
        """:meth:`spans_of` as read-only :class:`~.rows.StoredSpan` tuples (no model a span: an export
        reads every span, and only formats it)."""
        found: dict[str, list[StoredSpan]] = {d: [] for d in document_ids}
        for chunk, marks in _chunks(document_ids):
            sql = (f"SELECT {STORED_SPAN_SELECT} FROM spans WHERE document_id IN ({marks}) "
                   f"ORDER BY document_id, {SPAN_ORDER}")
            for document_id, rows in groupby(stored_spans(self.db.conn.execute(sql, chunk)), _document_of):
                found[document_id] = list(rows)
        return found

    def relations_of(self, document_ids: list[str]) -> dict[str, list[Relation]]:
        """The relations of each document, each list in :meth:`relations_for` order."""
        found: dict[str, list[Relation]] = {d: [] for d in document_ids}
        for chunk, marks in _chunks(document_ids):
            sql = f"SELECT {RELATION_SELECT} FROM relations WHERE document_id IN ({marks}) ORDER BY document_id, created, id"
            for values in self.db.conn.execute(sql, chunk):
                found[values[1]].append(relation_from_values(values))
        return found

    def statuses_of(self, document_ids: list[str]) -> dict[str, dict[str, Status]]:
        """Each document's :meth:`statuses_for`."""
        from ..models import Status

        found: dict[str, dict[str, Status]] = {d: {} for d in document_ids}
        for chunk, marks in _chunks(document_ids):
            sql = f"SELECT document_id, annotator, status FROM statuses WHERE document_id IN ({marks})"
            for document_id, annotator, status in self.db.conn.execute(sql, chunk):
                found[document_id][annotator] = Status(status)
        return found

    def get_span(self, span_id: str) -> Span | None:
        row = self.db.one("SELECT * FROM spans WHERE id = ?", [span_id])
        return span_from_row(row) if row else None

    def relations_for(self, document_id: str, annotator: str | None = None) -> list[Relation]:
        sql = f"SELECT {RELATION_SELECT} FROM relations WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return list(map(relation_from_values, self.db.conn.execute(sql + " ORDER BY created, id", args)))

    def annotators(self, document_id: str | None = None) -> list[str]:
        """Everyone with spans (in one document, or anywhere), sorted."""
        if document_id is None:
            rows = self.db.conn.execute("SELECT DISTINCT annotator FROM spans ORDER BY annotator")
        else:
            rows = self.db.conn.execute(
                "SELECT DISTINCT annotator FROM spans WHERE document_id = ? ORDER BY annotator", [document_id]
            )
        return [r[0] for r in rows]

    def status(self, document_id: str, annotator: str) -> Status:
        from ..models import Status

        found = self.db.scalar(
            "SELECT status FROM statuses WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        )
        return Status(found) if found else Status.todo

    def statuses_for(self, document_id: str) -> dict[str, Status]:
        from ..models import Status

        rows = self.db.conn.execute("SELECT annotator, status FROM statuses WHERE document_id = ?", [document_id])
        return {a: Status(s) for a, s in rows}

    def documents_with_status(self, status: Status | str, annotators: Iterable[str] | None = None) -> set[str]:
        sql = "SELECT document_id FROM statuses WHERE status = ?"
        args: list[Any] = [getattr(status, "value", status)]
        names = list(annotators or [])
        if names:
            sql += f" AND annotator IN ({','.join('?' * len(names))})"
            args += names
        return {r[0] for r in self.db.conn.execute(sql, args)}

    def label_counts(self) -> dict[str, dict[str, int]]:
        """Span counts: {annotator: {label: n}}."""
        out: dict[str, dict[str, int]] = {}
        for annotator, label, n in self.db.conn.execute(
            "SELECT annotator, label, count(*) FROM spans GROUP BY annotator, label ORDER BY annotator, label"
        ):
            out.setdefault(annotator, {})[label] = n
        return out

    def duplicates(self) -> DuplicateReport:
        """Spans and relations an annotator holds more than once (only a database from before layout 5 can)."""
        return find_duplicates(self.db)

    # writing

    def _check_span(self, span: Span) -> None:
        length = self.documents.length(span.document_id)
        if span.end > length:
            raise AnnotatorError(
                f"span {span.start}-{span.end} is out of range: document {span.document_id} has {length} characters"
            )
        names = self.settings.schema.label_names
        if span.label not in names:
            raise AnnotatorError(f"unknown label {span.label!r}: the schema has {', '.join(names)}")

    def add_span(self, span: Span) -> Span:
        """Tag: store ``span`` as its annotator's action.

        The first span an annotator makes on a document moves their status to in progress, in
        the same action (so one undo takes back both). A span the annotator already holds (same
        document, start, end and label) raises :class:`~annotator.errors.AlreadyExists`, checked
        inside the write's transaction, so two windows pressing the same key store one span.
        """
        from ..models import Status

        self._check_span(span)
        row = span_row(span)
        with self.log.action(span.annotator) as act:
            act.insert("spans", row, f"tag {span.label} {span.start}-{span.end}")
            if self.status(span.document_id, span.annotator) == Status.todo:
                self.set_status(span.document_id, span.annotator, Status.in_progress)
        return span

    def _owned(self, span_id: str, actor: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM spans WHERE id = ?", [span_id])
        if row is None:
            raise AnnotatorError("that span is no longer there: it was deleted (in another session or by undo)")
        if row["annotator"] != actor:
            raise AnnotatorError(
                f"the {row['label']} span {row['start']}-{row['end']} belongs to {row['annotator']}; only they can change it"
            )
        return row

    def update_span(
        self, span_id: str, actor: str, *, start: int | None = None, end: int | None = None,
        label: str | None = None, note: str | None = None,
    ) -> Span:
        """Change a span's boundaries, label or note (only its own annotator may).

        A relabel or move onto a span the annotator already holds raises AlreadyExists.
        """
        from ..models import Span

        changes = {k: v for k, v in {"start": start, "end": end, "label": label, "note": note}.items() if v is not None}
        with self.log.action(actor) as act:
            current = self._owned(span_id, actor)
            try:
                updated = Span(**{**current, "note": current["note"] or "", **changes, "updated": now()})
            except ValueError as exc:
                raise AnnotatorError(f"cannot change span {current['start']}-{current['end']}: {exc}") from None
            self._check_span(updated)
            what = ", ".join(f"{k} {current[k]!r} -> {v!r}" for k, v in changes.items()) or "touch"
            act.update("spans", current, span_row(updated), f"change {what}")
        return updated

    def delete_span(self, span_id: str, actor: str) -> None:
        """Delete a span and the relations that use it (anyone's: they would point at nothing), as one action."""
        with self.log.action(actor) as act:
            current = self._owned(span_id, actor)
            for rel in self.db.query("SELECT * FROM relations WHERE head = ? OR child = ? ORDER BY id", [span_id, span_id]):
                act.delete("relations", rel, f"unlink {rel['label']}")
            act.delete("spans", current, f"delete {current['label']} {current['start']}-{current['end']}")

    def add_relation(self, relation: Relation) -> Relation:
        """Link two spans; the same link (head, child, label) held by the annotator raises AlreadyExists."""
        with self.log.action(relation.annotator) as act:
            head, child = self.get_span(relation.head), self.get_span(relation.child)
            if head is None or child is None:
                raise AnnotatorError(f"cannot link {relation.label}: one of its spans is no longer there (deleted since)")
            if not self.settings.schema.relation_allowed(relation.label, head.label, child.label):
                raise AnnotatorError(
                    f"relation {relation.label} is not allowed from {head.label} to {child.label} by the schema"
                )
            act.insert("relations", relation_row(relation), f"link {relation.label}")
        return relation

    def delete_relation(self, relation_id: str, actor: str) -> None:
        with self.log.action(actor) as act:
            row = self.db.one("SELECT * FROM relations WHERE id = ?", [relation_id])
            if row is None:
                raise AnnotatorError("that link is no longer there: it was deleted (in another session or by undo)")
            if row["annotator"] != actor:
                raise AnnotatorError(f"that {row['label']} link belongs to {row['annotator']}; only they can change it")
            act.delete("relations", row, f"unlink {row['label']}")

    def set_status(self, document_id: str, annotator: str, status: Status | str) -> None:
        from ..models import Status

        value = Status(status).value
        after = {"document_id": document_id, "annotator": annotator, "status": value, "updated": now()}
        with self.log.action(annotator) as act:
            before = self.log.current("statuses", after)
            if before and before["status"] == value:
                return
            act.write("statuses", before, after, f"mark {value}")
