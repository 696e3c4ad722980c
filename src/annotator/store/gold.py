"""The reviewed (gold) layer: reviewers' decisions on span and relation candidates, and who may review.

A decision is keyed by what it decides (document, start, end, label; for a relation the keys of
its two spans), not by any annotator's span id: several annotators' identical spans are one
candidate. One decision per key, enforced by a unique index.
"""

from __future__ import annotations

import json
import re
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

        Each is a :class:`Span` whose ``annotator`` is the reviewer who accepted it and whose
        ``note`` is the notes of the annotators it came from (:func:`gold_note` of
        :meth:`source_notes`); rejected candidates are not included.
        """
        from ..models import Span

        rows = self.db.query(
            "SELECT * FROM gold WHERE document_id = ? AND decision = 'accept' ORDER BY start, \"end\" DESC, label, id",
            [document_id],
        )
        notes = self._notes_by_annotator(document_id) if rows else {}
        return [
            Span.model_construct(
                id=row["id"], document_id=row["document_id"], start=row["start"], end=row["end"],
                label=row["label"], annotator=row["reviewer"],
                note=gold_note(source_notes(notes, (row["start"], row["end"], row["label"]),
                                            json.loads(row["sources"] or "[]"))),
                created=row["created"], updated=row["updated"],
            )
            for row in rows
        ]

    def _notes_by_annotator(self, document_id: str) -> dict[str, list[tuple[int, int, str, str]]]:
        """The annotators' spans of a document that hold a note: {annotator: [(start, end, label, note)]}."""
        out: dict[str, list[tuple[int, int, str, str]]] = {}
        for annotator, start, end, label, note in self.db.conn.execute(
            'SELECT annotator, start, "end", label, note FROM spans WHERE document_id = ? AND note != \'\' '
            'ORDER BY start, "end", label, id',
            [document_id],
        ):
            out.setdefault(annotator, []).append((start, end, label, note))
        return out

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
        is not an accepted gold span is left out (:meth:`unlinked_relations` lists them): it links
        nothing gold. Rejecting or reopening a span rejects or reopens its accepted links in the
        same action, so only a database written before that rule holds such links.
        """
        return self.relations_and_unlinked(document_id)[0]

    def unlinked_relations(self, document_id: str) -> list[GoldRelationDecision]:
        """The accepted relation decisions whose head or child is not an accepted gold span."""
        return self.relations_and_unlinked(document_id)[1]

    def relations_and_unlinked(self, document_id: str) -> tuple[list[Relation], list[GoldRelationDecision]]:
        """:meth:`relations` and :meth:`unlinked_relations` at once."""
        from ..models import Relation

        span_ids = {
            (row["start"], row["end"], row["label"]): row["id"]
            for row in self.db.query(
                "SELECT id, start, \"end\", label FROM gold WHERE document_id = ? AND decision = 'accept'", [document_id]
            )
        }
        out, unlinked = [], []
        for d in self.relation_decisions(document_id):
            if d.decision != "accept":
                continue
            head, child = span_ids.get(d.head), span_ids.get(d.child)
            if head is None or child is None:
                unlinked.append(d)
                continue
            out.append(
                Relation.model_construct(id=d.id, document_id=d.document_id, head=head, child=child, label=d.label,
                                         annotator=d.reviewer, created=d.created)
            )
        return out, unlinked

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
        relation between spans that are not gold would be exported as nothing). Rejecting a span
        rejects its accepted relations, and reopening it reopens them, in the same action (an
        accepted link to a span that is not gold cannot stay accepted): undo restores both.
        Changes that would leave a row as it is are skipped; nothing is logged when none remain.
        """
        changes = [c if c.document_id else replace(c, document_id=document_id) for c in changes]
        for change in changes:
            self._check_change(change)
        out: list[GoldDecision | GoldRelationDecision] = []
        with self.log.action(reviewer, what) as act:
            self.check_reviewer(reviewer)
            for change in self._with_links_of_unaccepted(self._with_linked_spans(changes)):
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

    def _with_links_of_unaccepted(
        self, changes: list[GoldChange | RelationChange]
    ) -> list[GoldChange | RelationChange]:
        """``changes`` with, just after each span rejected or reopened, the same decision on its
        accepted relations (those the batch does not decide itself).

        A link whose span is rejected is rejected (it cannot be gold, and the document stays
        settled); a link whose span is reopened is reopened (decided again with its span).
        """
        decided = {(c.document_id, c.key) for c in changes if isinstance(c, RelationChange)}
        out: list[GoldChange | RelationChange] = []
        for change in changes:
            out.append(change)
            if not isinstance(change, GoldChange) or change.decision == "accept":
                continue
            start, end, label = change.key
            for row in self.db.query(
                "SELECT * FROM gold_relations WHERE document_id = ? AND decision = 'accept' AND ("
                "(head_start = ? AND head_end = ? AND head_label = ?) OR "
                "(child_start = ? AND child_end = ? AND child_label = ?)) "
                "ORDER BY head_start, head_end DESC, head_label, child_start, child_end DESC, child_label, label, id",
                [change.document_id, start, end, label, start, end, label],
            ):
                link = GoldRelationDecision.from_row(row)
                if (change.document_id, link.key()) in decided:
                    continue
                decided.add((change.document_id, link.key()))
                out.append(RelationChange(link.head, link.child, link.label, change.decision, link.sources,
                                          document_id=change.document_id))
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


#: Where a note keeps a brat attribute (``attribute NAME`` or ``attribute NAME=VALUE``; see the brat importer).
ATTRIBUTE_LINE = re.compile(r"attribute [A-Za-z0-9_-]+(?:=[A-Za-z0-9_-]+)?")


def source_notes(
    notes: dict[str, list[tuple[int, int, str, str]]], key: tuple[int, int, str], sources: Iterable[str]
) -> list[tuple[str, str]]:
    """The notes a gold span ``key`` carries: (annotator, note) for each of its ``sources`` (the
    annotators it came from), from their span with the same start, end and label; for a span the
    reviewer edited (no source made it exactly), from their spans that are another reading of the same
    words (overlapping, with the same label or the same boundaries). ``notes`` is
    :meth:`Gold._notes_by_annotator`."""
    start, end, label = key
    out: list[tuple[str, str]] = []
    for name in sorted(set(sources)):
        theirs = notes.get(name, [])
        exact = [n for s, e, lab, n in theirs if (s, e, lab) == key]
        found = exact or [
            n for s, e, lab, n in theirs if s < end and start < e and (lab == label or (s, e) == (start, end))
        ]
        out += [(name, n) for n in dict.fromkeys(found)]
    return out


def gold_note(notes: Iterable[tuple[str, str]]) -> str:
    """One note from the annotators' (annotator, note) pairs: each distinct note on a line after the names
    of who wrote it (``alice, bob: check the date``), then the brat attribute lines (``attribute NAME``)
    once each, without names, so an attribute stays an attribute."""
    by_text: dict[str, list[str]] = {}
    attributes: dict[str, None] = {}
    for name, note in notes:
        lines = note.split("\n")
        kept = "\n".join(line for line in lines if not ATTRIBUTE_LINE.fullmatch(line)).strip("\n")
        attributes.update(dict.fromkeys(line for line in lines if ATTRIBUTE_LINE.fullmatch(line)))
        if kept:
            names = by_text.setdefault(kept, [])
            if name not in names:
                names.append(name)
    return "\n".join([f"{', '.join(names)}: {text}" for text, names in by_text.items()] + list(attributes))
