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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Span, Status
from ..store import GoldDecision, Store

Key = tuple[int, int, str]


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    annotators: tuple[str, ...]
    span_ids: tuple[str, ...]
    agreed: bool
    decision: str | None = None
    reviewer: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return (self.start, self.end, self.label)

    @property
    def reviewer_made(self) -> bool:
        """A gold span no annotator made (an edited boundary or label)."""
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

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


def build_candidates(
    spans: Iterable[Span], annotators: Iterable[str], decisions: Iterable[GoldDecision] = ()
) -> list[Candidate]:
    """Merge spans into candidates (reading order), with the decisions taken on them."""
    everyone = set(annotators)
    makers: dict[Key, list[str]] = {}
    ids: dict[Key, list[str]] = {}
    for span in spans:
        everyone.add(span.annotator)
        names = makers.setdefault(span.key(), [])
        if span.annotator not in names:
            names.append(span.annotator)
        ids.setdefault(span.key(), []).append(span.id)
    by_key = {d.key(): d for d in decisions}
    out: list[Candidate] = []
    for key, names in makers.items():
        d = by_key.pop(key, None)
        out.append(
            Candidate(
                *key, annotators=tuple(sorted(names)), span_ids=tuple(ids[key]),
                agreed=len(everyone) >= 2 and set(names) == everyone,
                decision=d.decision if d else None, reviewer=d.reviewer if d else None,
                sources=d.sources if d else (),
            )
        )
    for key, d in by_key.items():
        if d.decision == "accept":  # a reviewer's own gold span; rejected orphans need no showing
            out.append(Candidate(*key, annotators=(), span_ids=(), agreed=False, decision=d.decision,
                                 reviewer=d.reviewer, sources=d.sources))
    out.sort(key=lambda c: (c.start, -c.end, c.label))
    return out


def document_annotators(store: Store, document_id: str) -> list[str]:
    """Who annotated a document: anyone with spans in it, or who marked it done."""
    names = set(store.annotators(document_id))
    names |= {name for name, status in store.statuses_for(document_id).items() if status == Status.done}
    return sorted(names)


@dataclass
class ReviewDocument:
    """One document's candidates, ready for the review screen."""

    document_id: str
    annotators: list[str]
    candidates: list[Candidate] = field(default_factory=list)

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
    def reviewed(self) -> bool:
        """Every candidate has a decision (a document without candidates is not 'reviewed')."""
        return bool(self.candidates) and all(c.settled for c in self.candidates)

    def at(self, offset: int) -> list[Candidate]:
        return [c for c in self.candidates if c.covers(offset)]


def review_document(store: Store, document_id: str) -> ReviewDocument:
    annotators = document_annotators(store, document_id)
    candidates = build_candidates(store.spans_for(document_id), annotators, store.gold_decisions(document_id))
    return ReviewDocument(document_id, annotators, candidates)
