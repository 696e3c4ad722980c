"""The reviewed (gold) layer: reviewers' decisions on span and relation candidates, and who may review.

A decision is keyed by what it decides (document, start, end, label; for a relation the keys of
its two spans), not by any annotator's span id: several annotators' identical spans are one
candidate. One decision per key, enforced by a unique index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from ..ids import new_id, now
from .connection import Database
from .documents import Documents
from .log import ActionLog
from .settings import Settings

if TYPE_CHECKING:
    from ..models import Relation, Span


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
        return {"document_id": self.document_id, **span_key_row(self.key)}

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
            **{f"head_{k}": v for k, v in span_key_row(self.head).items()},
            **{f"child_{k}": v for k, v in span_key_row(self.child).items()},
            "label": self.label,
        }

    def describe(self) -> str:
        (hs, he, hl), (cs, ce, cl) = self.head, self.child
        return f"{self.decision or 'reopen'} {self.label} {hl} {hs}-{he} -> {cl} {cs}-{ce}"


def span_key_row(key: tuple[int, int, str]) -> dict[str, Any]:
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


def decision_from_row(table: str, row: dict[str, Any]) -> GoldDecision | GoldRelationDecision:
    return GoldRelationDecision.from_row(row) if table == "gold_relations" else GoldDecision.from_row(row)


class Gold:
    def __init__(self, db: Database, log: ActionLog, settings: Settings, documents: Documents) -> None:
        self.db = db
        self.log = log
        self.settings = settings
        self.documents = documents

    # reading

    def spans(self, document_id: str) -> list[Span]:
        """The reviewed (gold) spans of a document: the accepted decisions, in reading order.

        Each is a :class:`Span` whose ``annotator`` is the reviewer who accepted it and
        whose ``note`` is empty; rejected candidates are not included.
        """
        from ..models import Span

        return [
            Span.model_construct(
                id=row["id"], document_id=row["document_id"], start=row["start"], end=row["end"],
                label=row["label"], annotator=row["reviewer"], note="", created=row["created"], updated=row["updated"],
            )
            for row in self.db.query(
                "SELECT * FROM gold WHERE document_id = ? AND decision = 'accept' ORDER BY start, \"end\" DESC, label, id",
                [document_id],
            )
        ]

    def decisions(self, document_id: str) -> list[GoldDecision]:
        """Every review decision (accepted and rejected) of a document, in reading order."""
        return [
            GoldDecision.from_row(row)
            for row in self.db.query(
                "SELECT * FROM gold WHERE document_id = ? ORDER BY start, \"end\" DESC, label, id", [document_id]
            )
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per document id: how many candidates were accepted and rejected."""
        out: dict[str, dict[str, int]] = {}
        for doc_id, decision, n in self.db.conn.execute(
            "SELECT document_id, decision, count(*) FROM gold GROUP BY document_id, decision"
        ):
            out.setdefault(doc_id, {"accept": 0, "reject": 0})[decision] = n
        return out

    def relation_decisions(self, document_id: str) -> list[GoldRelationDecision]:
        """Every relation review decision (accepted and rejected) of a document, in reading order of the head."""
        return [
            GoldRelationDecision.from_row(row)
            for row in self.db.query(
                "SELECT * FROM gold_relations WHERE document_id = ? ORDER BY head_start, head_end DESC, head_label, "
                "child_start, child_end DESC, child_label, label, id",
                [document_id],
            )
        ]

    def relations(self, document_id: str) -> list[Relation]:
        """The accepted gold relations of a document, linking the ids of its gold spans.

        Each is a :class:`Relation` whose ``annotator`` is its reviewer. One whose head or child
        is not an accepted gold span (rejected or reopened since) is left out: it links nothing gold.
        """
        from ..models import Relation

        span_ids = {s.key(): s.id for s in self.spans(document_id)}
        out = []
        for d in self.relation_decisions(document_id):
            head, child = span_ids.get(d.head), span_ids.get(d.child)
            if d.decision != "accept" or head is None or child is None:
                continue
            out.append(
                Relation.model_construct(id=d.id, document_id=d.document_id, head=head, child=child, label=d.label,
                                         annotator=d.reviewer, created=d.created)
            )
        return out

    # reviewers

    def reviewers(self) -> list[str]:
        """The project's named reviewers (the settings key 'reviewers'); empty means anyone may review."""
        return list(self.settings.get("reviewers", []) or [])

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
        """Replace the reviewer list (one logged action). Once reviewers are named, only a reviewer may change it."""
        clean: list[str] = []
        for name in names:
            name = name.strip()
            if not name or any(not ch.isprintable() for ch in name):
                raise AnnotatorError(f"reviewer name {name!r} is empty or unprintable")
            if name not in clean:
                clean.append(name)
        with self.log.action(actor, "set reviewers"):
            current = self.reviewers()
            if current and actor not in current:
                raise AnnotatorError(
                    f"only a reviewer ({', '.join(current)}) may change the reviewers; you are {actor} (--annotator)"
                )
            self.settings.set("reviewers", sorted(clean), actor, "set reviewers " + ", ".join(sorted(clean)))
        return sorted(clean)

    # deciding

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
        changes = [c if c.document_id else replace(c, document_id=document_id) for c in changes]
        for change in changes:
            self._check_change(change)
        out: list[GoldDecision | GoldRelationDecision] = []
        with self.log.action(reviewer, what) as act:
            self.check_reviewer(reviewer)
            for change in self._with_linked_spans(changes):
                table = change.TABLE
                before, after = self._decision_rows(table, change, reviewer, act.time)
                if before is None and after is None:
                    continue
                if before is not None and after is not None and all(
                    before[k] == after[k] for k in ("decision", "reviewer", "sources")
                ):
                    out.append(decision_from_row(table, before))
                    continue
                first = not act.changes
                act.write(table, before, after, what if first and what else change.describe())
                if after is not None:
                    out.append(decision_from_row(table, after))
        return out

    def _check_change(self, change: GoldChange | RelationChange) -> None:
        """Refuse a decision on something that cannot be gold: bad decision, range, label or relation type."""
        if change.decision not in ("accept", "reject", None):
            raise AnnotatorError(f"decision {change.decision!r} must be accept or reject")
        if isinstance(change, GoldChange):
            self._check_key(change.document_id, change.start, change.end, change.label)
            return
        for start, end, label in (change.head, change.child):
            self._check_key(change.document_id, start, end, label)
        if not self.settings.schema.relation_allowed(change.label, change.head[2], change.child[2]):
            raise AnnotatorError(
                f"relation {change.label} is not allowed from {change.head[2]} to {change.child[2]} by the schema"
            )

    def _check_key(self, document_id: str, start: int, end: int, label: str) -> None:
        length = self.documents.length(document_id)
        if not 0 <= start < end <= length:
            raise AnnotatorError(f"gold span {start}-{end} is out of range: the document has {length} characters")
        labels = self.settings.schema.label_names
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
                    current = self.log.natural("gold", {"document_id": change.document_id, **span_key_row(key)})
                    if current is None or current["decision"] != "accept":
                        sources = tuple(self._span_makers(change.document_id, key))
                        out.append(GoldChange(*key, "accept", sources, document_id=change.document_id))
            out.append(change)
        return out

    def _span_makers(self, document_id: str, key: tuple[int, int, str]) -> list[str]:
        """The annotators who made a span with this (start, end, label) in a document."""
        rows = self.db.conn.execute(
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
        before = self.log.natural(table, key)
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
