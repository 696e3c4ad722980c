"""Documents: adding them (the import path), finding them, moving between them, and where each
annotator was. Documents are never deleted, so ``seq`` runs 1..N without gaps: a document's
position is its ``seq`` and the count is ``max(seq)``, both O(1) at any corpus size."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from ..ids import document_id_for, now
from .connection import Database, quote_name
from .log import ActionLog, row_key
from .rows import document_from_row, relation_row, span_row
from .settings import Settings

if TYPE_CHECKING:
    from ..models import Document, Relation, Span
    from .rows import StoredSpan


@dataclass
class ImportRecord:
    """One document to import, with any spans and relations that come with it, and the status
    (``done``, ``skipped``, ``rejected``...) a file gives an annotator for it (a Prodigy answer)."""

    document: Document
    spans: list[Span | StoredSpan] = field(default_factory=list)  # models, or rows (the JSONL import's)
    relations: list[Relation] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportSummary:
    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    spans_present: int = 0
    relations_added: int = 0
    statuses_set: int = 0
    #: relations already in the database (the same head, child, label and annotator)
    relations_present: int = 0
    #: spans and relations the import held twice for one annotator: one kept, these left out
    spans_duplicate: int = 0
    relations_duplicate: int = 0
    #: whether the duplicates went to the caller's ``skip`` (its summary counts them; this line does not)
    duplicates_reported: bool = False

    def line(self) -> str:
        duplicates = ""
        if not self.duplicates_reported and (self.spans_duplicate or self.relations_duplicate):
            duplicates = "; skipped: " + ", ".join(
                f"{n} {what}" for n, what in ((self.spans_duplicate, "duplicate span"),
                                              (self.relations_duplicate, "duplicate relation")) if n
            )
        return (
            f"{self.documents_added} documents added, {self.documents_present} already present, "
            f"{self.spans_added} spans added"
            + (f" ({self.spans_present} already present)" if self.spans_present else "")
            + (f", {self.relations_added} relations added" if self.relations_added or self.relations_present else "")
            + (f" ({self.relations_present} already present)" if self.relations_present else "")
            + (f", {self.statuses_set} statuses set" if self.statuses_set else "")
            + duplicates
        )


class Documents:
    def __init__(self, db: Database, log: ActionLog, settings: Settings) -> None:
        self.db = db
        self.log = log
        self.settings = settings
        self._lengths: dict[str, int] = {}

    # finding

    def get(self, document_id: str) -> Document:
        row = self.db.one("SELECT id, name, text, meta FROM documents WHERE id = ?", [document_id])
        if row is None:
            raise AnnotatorError(f"no document {document_id} in {self.db.path}")
        return document_from_row(row)

    def has(self, document_id: str) -> bool:
        return self.db.scalar("SELECT 1 FROM documents WHERE id = ?", [document_id]) is not None

    def count(self) -> int:
        return self.db.scalar("SELECT coalesce(max(seq), 0) FROM documents")

    def ids(self) -> list[str]:
        return [row[0] for row in self.db.conn.execute("SELECT id FROM documents ORDER BY seq")]

    def all(self) -> Iterator[Document]:
        """Every document in import order, streamed."""
        cursor = self.db.conn.execute("SELECT id, name, text, meta FROM documents ORDER BY seq")
        for doc_id, name, text, meta in cursor:
            yield document_from_row({"id": doc_id, "name": name, "text": text, "meta": meta})

    def names(self) -> list[tuple[str, str]]:
        """(id, name) of every document in order, without the texts."""
        return [(r[0], r[1]) for r in self.db.conn.execute("SELECT id, name FROM documents ORDER BY seq")]

    def position(self, document_id: str) -> int:
        """1-based position of a document in import order (0 if it is not here)."""
        return self.db.scalar("SELECT seq FROM documents WHERE id = ?", [document_id]) or 0

    def neighbour(self, document_id: str, step: int) -> str | None:
        """The next (step=1) or previous (step=-1) document, or None at either end."""
        op, order = (">", "ASC") if step > 0 else ("<", "DESC")
        return self.db.scalar(
            f"SELECT id FROM documents WHERE seq {op} (SELECT seq FROM documents WHERE id = ?) ORDER BY seq {order} LIMIT 1",
            [document_id],
        )

    def first(self) -> str | None:
        return self.db.scalar("SELECT id FROM documents ORDER BY seq LIMIT 1")

    def next_unfinished(self, annotator: str, after: str | None) -> str | None:
        """The next document (wrapping round) that ``annotator`` has not marked done, skipped or rejected."""
        seq = -1
        if after is not None:
            seq = self.db.scalar("SELECT seq FROM documents WHERE id = ?", [after]) or -1
        query = (
            "SELECT d.id FROM documents d LEFT JOIN statuses s ON s.document_id = d.id AND s.annotator = ? "
            "WHERE (s.status IS NULL OR s.status NOT IN ('done', 'skipped', 'rejected')) AND d.seq {op} ? ORDER BY d.seq LIMIT 1"
        )
        for op in (">", "<="):
            found = self.db.scalar(query.format(op=op), [annotator, seq])
            if found:
                return found
        return None

    def length(self, document_id: str) -> int:
        if document_id not in self._lengths:
            # len() in Python: SQLite's length() stops at the first NUL character of a text
            text = self.db.scalar("SELECT text FROM documents WHERE id = ?", [document_id])
            if text is None:
                raise AnnotatorError(f"no document {document_id} in {self.db.path}")
            self._lengths[document_id] = len(text)
        return self._lengths[document_id]

    # where each annotator was (not part of the annotation log)

    def save_position(self, annotator: str, document_id: str, offset: int) -> None:
        if self.db.readonly:
            return
        with self.db.transaction():
            self.db.conn.execute(
                'INSERT INTO positions (annotator, document_id, "offset", updated) VALUES (?, ?, ?, ?) '
                'ON CONFLICT (annotator, document_id) DO UPDATE SET "offset" = excluded."offset", updated = excluded.updated',
                [annotator, document_id, offset, now()],
            )

    def last_position(self, annotator: str) -> tuple[str, int] | None:
        row = self.db.conn.execute(
            'SELECT p.document_id, p."offset" FROM positions p JOIN documents d ON d.id = p.document_id '
            "WHERE p.annotator = ? ORDER BY p.updated DESC LIMIT 1",
            [annotator],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def position_in(self, annotator: str, document_id: str) -> int:
        found = self.db.scalar(
            'SELECT "offset" FROM positions WHERE annotator = ? AND document_id = ?', [annotator, document_id]
        )
        return found or 0

    # import

    def import_records(self, records: Iterable[ImportRecord], actor: str,
                       skip: Callable[[str, str], None] | None = None) -> ImportSummary:
        """Add documents, spans and relations in one transaction (one action of ``actor``): all or nothing.

        Documents already present (same text) are kept. A span already stored (same document,
        annotator, start, end and label) is not stored again: counted as already present. A span
        or relation the import itself holds twice for one annotator is kept once, and each other
        copy counted as a ``duplicate span`` / ``duplicate relation``: through ``skip(reason,
        where)`` when given (an importer's ``ImportContext.skip``), else on the summary's line.
        A relation whose span was already stored links that span (and, already stored too, is
        counted as already present).
        """
        summary = ImportSummary(duplicates_reported=skip is not None)

        def duplicate(kind: str, where: str) -> None:
            if kind == "span":
                summary.spans_duplicate += 1
            else:
                summary.relations_duplicate += 1
            if skip is not None:
                skip(f"duplicate {kind}", where)

        seen: set[str] = set()  # documents this import has had a record of
        schema = self.settings.schema
        label_names = set(schema.label_names)
        with (_import_cache(self.db.conn), self.log.action(actor, "import", kind="import") as act,
              _deferred_indexes(self.db), _ImportBatch(self, act) as batch):
            time = act.time
            seq = self.db.scalar("SELECT coalesce(max(seq), 0) FROM documents")
            for record in records:
                doc = record.document
                if doc.id != document_id_for(doc.text):
                    raise AnnotatorError(f"document {doc.name}: its id does not match its text")
                # what the document holds already: span keys -> id, and relation keys
                existing: dict[tuple[Any, ...], str] = {}
                linked: set[tuple[Any, ...]] = set()
                ours: set[str] = set()  # ids of the rows this import wrote (a document in it twice)
                # one statement a document: added, or found present (its id is UNIQUE: nothing inserted)
                added = self.db.conn.execute(
                    "INSERT INTO documents (seq, id, name, text, meta, added) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    [seq + 1, doc.id, doc.name, doc.text, _json(doc.meta), time],
                ).rowcount
                if not added:
                    summary.documents_present += 1
                    batch.flush()  # its spans may be waiting in the batch: the query below must see them
                    existing = {
                        (a, s, e, lab): i
                        for i, a, s, e, lab in self.db.conn.execute(
                            'SELECT id, annotator, start, "end", label FROM spans WHERE document_id = ?', [doc.id]
                        )
                    }
                    linked = {
                        tuple(r)
                        for r in self.db.conn.execute(
                            "SELECT head, child, label, annotator FROM relations WHERE document_id = ?", [doc.id]
                        )
                    }
                    if doc.id in seen and act.id is not None:
                        ours = {
                            json.loads(r[0])[0]
                            for r in self.db.conn.execute(
                                "SELECT row_id FROM events WHERE document_id = ? AND action = ?", [doc.id, act.id]
                            )
                        }
                else:
                    seq += 1
                    summary.documents_added += 1
                seen.add(doc.id)
                self._lengths[doc.id] = len(doc.text)
                new_spans: list[dict[str, Any]] = []
                fresh: set[str] = set()  # ids of the spans this record holds (kept, or found here already)
                same: dict[str, str] = {}  # a left-out span's id -> the id of the one kept
                length = len(doc.text)
                for span in record.spans:
                    if span.end > length or span.label not in label_names:
                        try:
                            span.check(doc.text, schema)  # raises, saying why
                        except ValueError as exc:
                            raise AnnotatorError(f"document {doc.name}: {exc}") from None
                    key = (span.annotator, span.start, span.end, span.label)
                    kept = existing.get(key)
                    if kept is not None:
                        if kept != span.id:
                            same[span.id] = kept
                        if kept in ours or kept in fresh:
                            duplicate("span", f"document {doc.name!r}: {span.label} {span.start}-{span.end}")
                        else:
                            summary.spans_present += 1
                            fresh.add(kept)  # a second copy in this record is a duplicate, here or not
                        continue
                    existing[key] = span.id
                    fresh.add(span.id)
                    new_spans.append(span_row(span))
                ids = [row["id"] for row in new_spans]
                taken = batch.ids_taken(ids)  # by an earlier document of this import; stored ones: batch.check_ids
                if taken:
                    raise AnnotatorError(f"document {doc.name}: span id {sorted(taken)[0]} is already used by another span")
                batch.add("spans", new_spans, doc.name)
                summary.spans_added += len(new_spans)
                spans_by_id = {s.id: s for s in record.spans}
                new_relations: list[dict[str, Any]] = []
                fresh_links: set[tuple[Any, ...]] = set()
                for rel in record.relations:
                    head, child = spans_by_id.get(rel.head), spans_by_id.get(rel.child)
                    if head is None or child is None:
                        raise AnnotatorError(f"document {doc.name}: relation {rel.label} links a span that is not in it")
                    if not schema.relation_allowed(rel.label, head.label, child.label):
                        raise AnnotatorError(
                            f"document {doc.name}: relation {rel.label} is not allowed from {head.label} to {child.label}"
                        )
                    # a span left out as already there (or twice here) is linked as the one kept
                    row = relation_row(rel)
                    row["head"], row["child"] = same.get(rel.head, rel.head), same.get(rel.child, rel.child)
                    key = (row["head"], row["child"], rel.label, rel.annotator)
                    if key in linked:
                        if key in fresh_links or _linked_here(self.db, key, ours):
                            duplicate("relation", f"document {doc.name!r}: {rel.label} {head.label} -> {child.label}")
                        else:
                            summary.relations_present += 1
                            fresh_links.add(key)
                        continue
                    linked.add(key)
                    fresh_links.add(key)
                    new_relations.append(row)
                batch.add("relations", new_relations)
                summary.relations_added += len(new_relations)
                for annotator, status in record.statuses.items():
                    summary.statuses_set += self._import_status(act, doc.id, annotator, status)
            batch.flush()
        return summary

    def _import_status(self, act: Any, document_id: str, annotator: str, status: str) -> int:
        """Give ``annotator`` ``status`` for the document, in the import's action (undone with it); 1 if it changed."""
        from ..models import Status

        value = Status(status).value
        after = {"document_id": document_id, "annotator": annotator, "status": value, "updated": act.time}
        before = self.log.current("statuses", after)
        if before and before["status"] == value:
            return 0
        act.write("statuses", before, after, f"mark {value}")
        return 1

    def _existing_ids(self, table: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` are already in ``table`` (queried in chunks, not one by one)."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            found.update(
                r[0] for r in self.db.conn.execute(f"SELECT id FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            )
        return found

    # overviews for the command line

    def overview(self) -> list[dict[str, Any]]:
        """Per document: name, length, per-annotator span counts and statuses."""
        counts: dict[str, dict[str, int]] = {}
        for doc_id, annotator, n in self.db.conn.execute(
            "SELECT document_id, annotator, count(*) FROM spans GROUP BY document_id, annotator"
        ):
            counts.setdefault(doc_id, {})[annotator] = n
        statuses: dict[str, dict[str, str]] = {}
        for doc_id, annotator, status in self.db.conn.execute("SELECT document_id, annotator, status FROM statuses"):
            statuses.setdefault(doc_id, {})[annotator] = status
        # SQLite's length() stops at a NUL character: such (rare) texts are measured in Python
        return [
            {"position": seq, "id": doc_id, "name": name,
             "characters": length if length is not None else self.length(doc_id),
             "spans": counts.get(doc_id, {}), "status": statuses.get(doc_id, {})}
            for seq, doc_id, name, length in self.db.conn.execute(
                "SELECT seq, id, name, CASE WHEN instr(CAST(text AS BLOB), x'00') THEN NULL ELSE length(text) END "
                "FROM documents ORDER BY seq"
            ).fetchall()
        ]


if c_make_encoder is not None:  # json.dumps(value, ensure_ascii=False) without a new C encoder a call
    _iterencode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ": ", ", ",
                                 False, False, True)

    def _json(value: Any) -> str:
        """``json.dumps(value, ensure_ascii=False)`` (rows and meta: never circular)."""
        return "".join(_iterencode(value, 0))
else:  # pragma: no cover - Python without the _json accelerator
    _json = json.JSONEncoder(ensure_ascii=False).encode


#: The columns :func:`_span_json` writes, in order (a span row of another layout goes to the encoder).
_SPAN_JSON_COLUMNS = ("id", "document_id", "start", "end", "label", "annotator", "note", "created", "updated")


def _span_json(row: dict[str, Any]) -> str:
    """``_json(row)`` of a span row (the :data:`_SPAN_JSON_COLUMNS`, in order) written as one string:
    twice as fast as the encoder, for the import's one event a span (tests/store checks both agree)."""
    start, end = row["start"], row["end"]
    if type(start) is not int or type(end) is not int:
        return _json(row)
    string = encode_basestring
    try:  # encode_basestring takes a str only: anything else (a None note...) is the encoder's
        return (f'{{"id": {string(row["id"])}, "document_id": {string(row["document_id"])}, "start": {start}, '
                f'"end": {end}, "label": {string(row["label"])}, "annotator": {string(row["annotator"])}, '
                f'"note": {string(row["note"])}, "created": {string(row["created"])}, '
                f'"updated": {string(row["updated"])}}}')
    except TypeError:
        return _json(row)


#: SQLite's page cache during an import, in KiB: the spans' and the log's indexes take a row at a random
#: place each, so a cache smaller than them reads pages back again and again (the default is 2 MB);
#: bounded, and only filled as far as the import needs.
IMPORT_CACHE_KIB = 64 * 1024


def _linked_here(db: Database, key: tuple[Any, ...], ours: set[str]) -> bool:
    """Whether the relation ``key`` (head, child, label, annotator) is one this import wrote (ids in ``ours``)."""
    if not ours:
        return False
    found = db.conn.execute(
        "SELECT id FROM relations WHERE head = ? AND child = ? AND label = ? AND annotator = ?", list(key)
    )
    return any(r[0] in ours for r in found)


#: Indexes of the spans and the log that an import into empty tables builds once, at the end, instead of
#: updating them row by row at random places (SQLite builds an index from the sorted rows several
#: times faster). Those on document_id stay: the import looks up a document it was given twice by them.
_KEPT_DURING_IMPORT = frozenset({"idx_spans_document_id_start", "idx_events_document_id"})


@contextmanager
def _deferred_indexes(db: Database) -> Iterator[None]:
    """Inside the import's transaction: when no span and no event is stored yet (a new project's first
    import), drop the span and log indexes the import does not read, and make them again, with the SQL
    they were made with, when it succeeds. Safe: the drop and the rebuild are part of the import's one
    transaction, so a failed or killed import rolls them back with everything else; other connections
    see the indexes throughout (WAL: they read the last commit) and the rebuilt ones after the commit."""
    conn = db.conn
    if conn.execute("SELECT EXISTS (SELECT 1 FROM spans) OR EXISTS (SELECT 1 FROM events)").fetchone()[0]:
        yield
        return
    dropped = [
        (name, sql) for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('spans', 'events') "
            "AND sql IS NOT NULL ORDER BY name"
        ).fetchall()
        if name not in _KEPT_DURING_IMPORT
    ]
    for name, _ in dropped:
        conn.execute(f"DROP INDEX {quote_name(name)}")
    yield  # an error: the transaction's rollback brings the indexes back
    for _, sql in dropped:
        conn.execute(sql)


@contextmanager
def _import_cache(conn: Any) -> Iterator[None]:
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")


class _ImportBatch:
    """Rows of an import waiting to be written: many documents' spans and relations (and their
    'import' events) go in one ``executemany`` each, instead of two statements per document.

    A span id already stored makes the batch's insert fail on the primary key (no look-up a span):
    :meth:`check_ids` then names the first document holding one; it also runs when the import stops
    on another error, so an earlier document's taken id is the error reported, as when each document
    was checked on its own."""

    LIMIT = 5000

    def __init__(self, documents: Documents, act: Any) -> None:
        self.documents = documents
        self.act = act
        self.rows: dict[str, list[dict[str, Any]]] = {"spans": [], "relations": []}
        self.pending_ids: set[str] = set()
        self.names: dict[str, str] = {}  # document id -> name, for the documents of the pending spans

    def __enter__(self) -> _ImportBatch:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if isinstance(error, AnnotatorError):
            self.check_ids()  # raises instead when an earlier document's span id was taken

    def ids_taken(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` an earlier document of this import already uses (not yet written)."""
        return self.pending_ids.intersection(ids)

    def add(self, table: str, rows: list[dict[str, Any]], name: str | None = None) -> None:
        self.rows[table].extend(rows)
        if table == "spans" and rows:
            self.pending_ids.update(row["id"] for row in rows)
            self.names[rows[0]["document_id"]] = name or rows[0]["document_id"]
        if sum(len(r) for r in self.rows.values()) >= self.LIMIT:
            self.flush()

    def check_ids(self) -> None:
        """Refuse (naming the first document holding one) span ids of the batch that are already stored."""
        rows = self.rows["spans"]
        taken = self.documents._existing_ids("spans", [row["id"] for row in rows]) if rows else set()
        if not taken:
            return
        first = next(row["document_id"] for row in rows if row["id"] in taken)
        ids = sorted(row["id"] for row in rows if row["document_id"] == first and row["id"] in taken)
        raise AnnotatorError(f"document {self.names.get(first, first)}: span id {ids[0]} is already used by another span")

    def flush(self) -> None:
        for table in ("spans", "relations"):  # relations after the spans they link
            rows = self.rows[table]
            if rows:
                self._write(table, rows)
            self.rows[table] = []
        self.pending_ids.clear()
        self.names.clear()

    def _write(self, table: str, rows: list[dict[str, Any]]) -> None:
        act, conn = self.act, self.documents.db.conn
        if act.id is None:
            act.id = self.documents.log.new_action(act.actor, act.kind, None, act.time, act.what or "import",
                                                   rows[0]["document_id"])
        cols = list(rows[0])
        dump = _span_json if table == "spans" and tuple(cols) == _SPAN_JSON_COLUMNS else _json
        try:
            with self.documents.db.transaction():  # a savepoint: a taken span id undoes only this batch's rows
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(quote_name(c) for c in cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    map(itemgetter(*cols), rows),
                )
        except sqlite3.IntegrityError:
            if table == "spans":
                self.check_ids()  # the id (its primary key) already stored: the document that holds it, in one line
            raise
        conn.executemany(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, ?, 'import', NULL, ?, ?, ?, NULL, ?, ?)",
            [
                (act.id, act.time, act.actor, row["document_id"], table, row_key(table, row), dump(row),
                 f"import {row['label']}")
                for row in rows
            ],
        )
