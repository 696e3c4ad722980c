"""One annotator never holds the same span or relation twice.

A span is the same as another when both are one annotator's, in one document, with the same
start, end and label; a relation when both link the same head to the same child with the same
label for the same annotator. The store refuses a second copy inside the write's transaction
(``BEGIN IMMEDIATE``: two windows of one annotator pressing the same key store one span, the
second gets :class:`~annotator.errors.AlreadyExists`); undo and redo skip an entry that would
put one back (see :mod:`.log`); imports and merges keep one and count the rest.

A database written before version 5 may already hold duplicates: it opens as it is (the
indexes are not UNIQUE), and :func:`find_duplicates` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import AlreadyExists
from .connection import Database, quote_name

#: The columns that make a span or a relation the same annotation (their indexes, layout v5).
NATURAL: dict[str, tuple[str, ...]] = {
    "spans": ("document_id", "annotator", "start", "end", "label"),
    "relations": ("head", "child", "label", "annotator", "document_id"),
}


def natural_key(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in NATURAL[table])


def twin(db: Database, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
    """Another row of ``table`` (another id) that is the same annotation as ``row``, if any: one indexed look-up."""
    cols = NATURAL[table]
    return db.one(
        f"SELECT * FROM {table} WHERE {' AND '.join(f'{quote_name(c)} = ?' for c in cols)} AND id != ? LIMIT 1",
        [row[c] for c in cols] + [row["id"]],
    )


def changes_key(table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """Whether writing ``after`` over ``before`` makes it another annotation (a note alone does not)."""
    return before is None or natural_key(table, before) != natural_key(table, after)


def check_write(db: Database, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """Raise :class:`AlreadyExists` if writing ``after`` (over ``before``) would make a duplicate."""
    if table in NATURAL and changes_key(table, before, after):
        found = twin(db, table, after)
        if found is not None:
            raise already(db, table, after, found)


def already(db: Database, table: str, row: dict[str, Any], existing: dict[str, Any] | None = None) -> AlreadyExists:
    """The error for a second copy of ``row``: ``already tagged: FIGURE 'Ebrahim' (480-487)``."""
    from .describe import Texts, relation_ends, span_words

    texts = Texts(db)
    if table == "spans":
        message = f"already tagged: {span_words(texts, row)} ({row['start']}-{row['end']})"
    else:
        message = f"already linked: {relation_ends(db, row)}"
    return AlreadyExists(message, existing["id"] if existing else None)


@dataclass
class DuplicateReport:
    """Spans and relations one annotator holds more than once (left by versions before layout 5).

    ``spans``: (document_id, annotator, start, end, label, copies); ``relations``: (document_id,
    annotator, head, child, label, copies).
    """

    spans: list[tuple[str, str, int, int, str, int]] = field(default_factory=list)
    relations: list[tuple[str, str, str, str, str, int]] = field(default_factory=list)

    @property
    def extra_spans(self) -> int:
        """Rows beyond the first of each span: what removing the duplicates would remove."""
        return sum(n - 1 for *_, n in self.spans)

    @property
    def extra_relations(self) -> int:
        return sum(n - 1 for *_, n in self.relations)

    def __bool__(self) -> bool:
        return bool(self.spans or self.relations)

    def line(self) -> str:
        """``2 duplicate spans (of 1 span) and 1 duplicate relation (of 1 relation)``, or ``no duplicates``."""
        if not self:
            return "no duplicates"

        def part(extra: int, kind: str, places: int) -> str:
            return (f"{extra} duplicate {kind}{'s' if extra != 1 else ''} "
                    f"(copies of {places} {kind}{'s' if places != 1 else ''})")

        parts = []
        if self.spans:
            parts.append(part(self.extra_spans, "span", len(self.spans)))
        if self.relations:
            parts.append(part(self.extra_relations, "relation", len(self.relations)))
        return " and ".join(parts) + ", each held more than once by one annotator"


def find_duplicates(db: Database) -> DuplicateReport:
    """What each annotator holds more than once (a scan of the natural indexes)."""
    spans = [
        tuple(r) for r in db.conn.execute(
            'SELECT document_id, annotator, start, "end", label, count(*) FROM spans '
            'GROUP BY document_id, annotator, start, "end", label HAVING count(*) > 1 '
            'ORDER BY document_id, annotator, start, "end", label'
        )
    ]
    relations = [
        tuple(r) for r in db.conn.execute(
            "SELECT document_id, annotator, head, child, label, count(*) FROM relations "
            "GROUP BY head, child, label, annotator, document_id HAVING count(*) > 1 "
            "ORDER BY document_id, annotator, head, child, label"
        )
    ]
    return DuplicateReport(spans, relations)  # type: ignore[arg-type]
