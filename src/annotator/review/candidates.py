"""Merging annotators' spans into review candidates.

A *candidate* is one distinct ``(start, end, label)`` in a document, with the
annotators who made it. It is *agreed* when every annotator of the document
made it identically and there are at least two of them; otherwise it is a
*disagreement* (a document only one person annotated has only disagreements:
nobody confirmed them). The annotators of a document are those with spans in it
plus those who marked it done with none (finding nothing is an opinion too).

A reviewer's decisions (the store's gold table) are joined on the same key: a
candidate is then *accepted* or *rejected*. Accepted gold spans that match no
candidate (a reviewer's edit) are candidates too, with no annotators.

*Relation candidates* work the same way one level up: each annotator's relation
becomes (head key, child key, label), the keys of the two spans it links, so
the same link made on two annotators' own spans is one candidate. It is agreed
when every annotator of the document made it, and is joined to the store's
gold_relations decisions on that key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Relation, Span, Status
from ..store import GoldChange, GoldDecision, GoldRelationDecision, RelationChange, Store

Key = tuple[int, int, str]
RelationKey = tuple[Key, Key, str]


class Decidable:
    """What span and link candidates share: who made them and the reviewer's decision on them."""

    annotators: tuple[str, ...]
    agreed: bool
    decision: str | None

    @property
    def reviewer_made(self) -> bool:
        """Made by the reviewer alone (an edited boundary or label), by no annotator."""
        return not self.annotators

    @property
    def settled(self) -> bool:
        return self.decision is not None

    @property
    def state(self) -> str:
        """'accepted', 'rejected', 'agreed' or 'disagreed'."""
        if self.decision == "accept":
            return "accepted"
        if self.decision == "reject":
            return "rejected"
        return "agreed" if self.agreed else "disagreed"


@dataclass(frozen=True)
class Candidate(Decidable):
    start: int
    end: int
    label: str
    annotators: tuple[str, ...]
    span_ids: tuple[str, ...]
    agreed: bool
    decision: str | None = None
    reviewer: str | None = None
    sources: tuple[str, ...] = ()
    #: The annotators' notes on it: (annotator, note), in the annotators' order, empty notes left out.
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> Key:
        return (self.start, self.end, self.label)

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class RelationCandidate(Decidable):
    """One distinct link (head span key, child span key, relation label) and who made it."""

    head: Key
    child: Key
    label: str
    annotators: tuple[str, ...]
    agreed: bool
    decision: str | None = None
    reviewer: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def key(self) -> RelationKey:
        return (self.head, self.child, self.label)

    def touches(self, key: Key) -> bool:
        """The span candidate ``key`` is this link's head or child."""
        return key in (self.head, self.child)


def build_candidates(
    spans: Iterable[Span], annotators: Iterable[str], decisions: Iterable[GoldDecision] = ()
) -> list[Candidate]:
    """Merge spans into candidates (reading order), with the decisions taken on them."""
    everyone = set(annotators)
    makers: dict[Key, list[str]] = {}
    ids: dict[Key, list[str]] = {}
    notes: dict[Key, list[tuple[str, str]]] = {}
    for span in spans:
        everyone.add(span.annotator)
        names = makers.setdefault(span.key(), [])
        if span.annotator not in names:
            names.append(span.annotator)
        ids.setdefault(span.key(), []).append(span.id)
        if span.note and (span.annotator, span.note) not in notes.get(span.key(), ()):
            notes.setdefault(span.key(), []).append((span.annotator, span.note))
    by_key = {d.key(): d for d in decisions}
    out: list[Candidate] = []
    for key, names in makers.items():
        d = by_key.pop(key, None)
        out.append(
            Candidate(
                *key, annotators=tuple(sorted(names)), span_ids=tuple(ids[key]),
                agreed=len(everyone) >= 2 and set(names) == everyone,
                decision=d.decision if d else None, reviewer=d.reviewer if d else None,
                sources=d.sources if d else (), notes=tuple(sorted(notes.get(key, ()), key=lambda n: n[0])),
            )
        )
    for key, d in by_key.items():
        if d.decision == "accept":  # a reviewer's own gold span; rejected orphans need no showing
            out.append(Candidate(*key, annotators=(), span_ids=(), agreed=False, decision=d.decision,
                                 reviewer=d.reviewer, sources=d.sources))
    out.sort(key=lambda c: (c.start, -c.end, c.label))
    return out


def build_relation_candidates(
    spans: Iterable[Span], relations: Iterable[Relation], annotators: Iterable[str],
    decisions: Iterable[GoldRelationDecision] = (),
) -> list[RelationCandidate]:
    """Merge relations into candidates by the keys of the spans they link, with their decisions.

    ``annotators`` are the document's annotators (as for spans: agreement needs all of them).
    A relation whose span is missing (a damaged import) is skipped.
    """
    spans = list(spans)
    everyone = set(annotators) | {s.annotator for s in spans}
    span_keys = {s.id: s.key() for s in spans}
    makers: dict[RelationKey, list[str]] = {}
    for rel in relations:
        head, child = span_keys.get(rel.head), span_keys.get(rel.child)
        if head is None or child is None:
            continue
        names = makers.setdefault((head, child, rel.label), [])
        if rel.annotator not in names:
            names.append(rel.annotator)
    by_key = {d.key(): d for d in decisions}
    out: list[RelationCandidate] = []
    for key, names in makers.items():
        d = by_key.pop(key, None)
        out.append(
            RelationCandidate(
                *key, annotators=tuple(sorted(names)), agreed=len(everyone) >= 2 and set(names) == everyone,
                decision=d.decision if d else None, reviewer=d.reviewer if d else None,
                sources=d.sources if d else (),
            )
        )
    for key, d in by_key.items():
        if d.decision == "accept":  # accepted here, its annotators' relations since deleted (or merged in)
            out.append(RelationCandidate(*key, annotators=(), agreed=False, decision=d.decision,
                                         reviewer=d.reviewer, sources=d.sources))
    out.sort(key=lambda r: (r.head[0], -r.head[1], r.head[2], r.child[0], -r.child[1], r.child[2], r.label))
    return out


def is_prediction(annotator: str) -> bool:
    """A model's suggestions imported as their own annotator (``prediction`` or ``prediction:<model>``):
    never a person whose work is reviewed or measured for agreement unless asked for by name."""
    return annotator == "prediction" or annotator.startswith("prediction:")


def document_annotators(store: Store, document_id: str) -> list[str]:
    """Who annotated a document: anyone with spans in it, or who marked it done (people, not predictions)."""
    names = set(store.annotators(document_id))
    names |= {name for name, status in store.statuses_for(document_id).items() if status == Status.done}
    return sorted(name for name in names if not is_prediction(name))


@dataclass
class ReviewDocument:
    """One document's candidates, ready for the review screen."""

    document_id: str
    annotators: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    relations: list[RelationCandidate] = field(default_factory=list)

    @property
    def disagreements(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.agreed and not c.reviewer_made]

    @property
    def agreed(self) -> list[Candidate]:
        return [c for c in self.candidates if c.agreed]

    @property
    def settled_disagreements(self) -> int:
        return sum(1 for c in self.disagreements if c.settled)

    @property
    def open_disagreements(self) -> int:
        return sum(1 for c in self.disagreements if not c.settled)

    @property
    def relation_disagreements(self) -> list[RelationCandidate]:
        return [r for r in self.relations if not r.agreed and not r.reviewer_made]

    @property
    def settled_relation_disagreements(self) -> int:
        return sum(1 for r in self.relation_disagreements if r.settled)

    @property
    def reviewed(self) -> bool:
        """Every candidate and link has a decision (a document without candidates is not 'reviewed')."""
        return (
            bool(self.candidates)
            and all(c.settled for c in self.candidates)
            and all(r.settled for r in self.relations)
        )

    def at(self, offset: int) -> list[Candidate]:
        return [c for c in self.candidates if c.covers(offset)]

    def links_of(self, key: Key) -> list[RelationCandidate]:
        """The relation candidates whose head or child is the span candidate ``key``."""
        return [r for r in self.relations if r.touches(key)]

    def agreed_changes(self) -> list[GoldChange | RelationChange]:
        """Accept every undecided agreed candidate, then every undecided agreed link whose two spans
        are then accepted (a link to a span the reviewer rejected stays open)."""
        spans = [c for c in self.agreed if not c.settled]
        accepted = {c.key for c in spans} | {c.key for c in self.candidates if c.decision == "accept"}
        links = [
            r for r in self.relations
            if r.agreed and not r.settled and r.head in accepted and r.child in accepted
        ]
        return [GoldChange(*c.key, "accept", c.annotators, document_id=self.document_id) for c in spans] + [
            RelationChange(*r.key, "accept", r.annotators, document_id=self.document_id) for r in links
        ]


def review_document(store: Store, document_id: str) -> ReviewDocument:
    annotators = document_annotators(store, document_id)
    people = set(annotators)
    spans = [s for s in store.spans_for(document_id) if s.annotator in people]
    candidates = build_candidates(spans, annotators, store.gold_decisions(document_id))
    relations = build_relation_candidates(
        spans, store.relations_for(document_id), annotators, store.gold_relation_decisions(document_id)
    )
    return ReviewDocument(document_id, annotators, candidates, relations)
