"""The reviewer's rules: what accepting a span rejects, accepting everything agreed, where disagreements are.

The review screen and the ``review --auto-accept`` command decide through these
functions; they turn a reviewer's intent into the store's decision objects
(:class:`~annotator.store.GoldChange`, :class:`~annotator.store.RelationChange`)
and never touch the screen.

* **Rivals.** Accepting ``(start, end, label)`` rejects the open candidates
  that are another reading of the same words: the same words with another label,
  the same label with other boundaries, or boundaries that cross. A span of
  another label nested inside it (a FIGURE within a CLAIM), or around it, is no
  rival: both can be gold. Agreed candidates, decided ones and the reviewer's
  own are never rejected as rivals.
* **Rejecting a span** rejects its links (accepted or open) in the same action: a
  link to a span that is not gold cannot be gold. Undo restores both.
* **Accepting agreed candidates** everywhere is one action (one undo step): every
  undecided agreed candidate, then every undecided agreed link whose two spans
  are then accepted.
"""

from __future__ import annotations

from ..store import GoldChange, RelationChange, Store
from .candidates import Candidate, Key, RelationCandidate, ReviewDocument, review_document

Change = GoldChange | RelationChange


def is_rival(c: Candidate, start: int, end: int, label: str) -> bool:
    """``c`` is another reading of the span ``(start, end, label)`` (see the module docstring)."""
    if not (c.start < end and start < c.end):
        return False
    if c.label == label or (c.start, c.end) == (start, end):
        return True
    nested = (start <= c.start and c.end <= end) or (c.start <= start and end <= c.end)
    return not nested


def accept_changes(
    review: ReviewDocument, start: int, end: int, label: str, sources: tuple[str, ...],
    replacing: Key | None = None,
) -> list[GoldChange]:
    """The decisions that accept ``(start, end, label)`` in ``review``.

    ``replacing`` is the candidate it was edited from (a boundary edit or a
    relabel): that one is rejected. A span that lands exactly on what annotators
    made takes their names as its sources, not those of the span it was edited
    from. Open rivals (:func:`is_rival`) are rejected.
    """
    changes: list[GoldChange] = []
    key = (start, end, label)
    if replacing is not None and replacing != key:
        changes.append(GoldChange(*replacing, "reject", sources))
    made = next((c.annotators for c in review.candidates if c.key == key and c.annotators), None)
    changes.append(GoldChange(start, end, label, "accept", made or sources))
    for c in review.candidates:
        if c.key in (key, replacing) or c.settled or c.agreed or c.reviewer_made:
            continue
        if is_rival(c, start, end, label):
            changes.append(GoldChange(*c.key, "reject", c.annotators))
    return changes


def reject_changes(review: ReviewDocument, key: Key) -> list[Change]:
    """The decisions that reject the candidate ``key`` in ``review``: it, and each of its links not
    rejected yet (accepted or open), since a link to a span that is not gold cannot be gold. The
    store rejects a rejected span's accepted links itself too (:meth:`~annotator.store.Gold.decide_many`);
    here the open ones are settled as well, so the reviewer is not sent back to them."""
    candidate = next((c for c in review.candidates if c.key == key), None)
    changes: list[Change] = [GoldChange(*key, "reject", candidate.annotators if candidate else ())]
    changes += [RelationChange(*r.key, "reject", r.annotators) for r in review.links_of(key) if r.decision != "reject"]
    return changes


def agreed_changes_everywhere(store: Store) -> list[Change]:
    """Accepting every undecided agreed candidate and link of every document (nothing written)."""
    changes: list[Change] = []
    for doc_id in store.document_ids():
        changes += review_document(store, doc_id).agreed_changes()
    return changes


def accept_agreed_everywhere(store: Store, reviewer: str) -> list[Change]:
    """Accept every undecided agreed candidate (and agreed link) of every document as ONE action;
    returns the decisions taken."""
    changes = agreed_changes_everywhere(store)
    if changes:
        store.decide_many(None, changes, reviewer)
    return changes


def describe_agreed(changes: list[Change]) -> str:
    """'4 agreed candidates' or '4 agreed candidates and 1 link' (singular for one)."""
    links = sum(1 for c in changes if isinstance(c, RelationChange))
    spans = len(changes) - links
    text = f"{spans} agreed candidate{'s' if spans != 1 else ''}"
    return text + (f" and {links} link{'s' if links != 1 else ''}" if links else "")


def open_disagreements(review: ReviewDocument) -> list[tuple[Candidate, RelationCandidate | None]]:
    """Where the reviewer still has to decide, in reading order: each open span disagreement, and the
    head of each open link disagreement (with that link)."""
    targets: list[tuple[Candidate, RelationCandidate | None]] = [
        (c, None) for c in review.disagreements if not c.settled
    ]
    by_key = {c.key: c for c in review.candidates}
    for link in review.relation_disagreements:
        if not link.settled and link.head in by_key:
            targets.append((by_key[link.head], link))
    targets.sort(key=lambda t: (t[0].start, -t[0].end, t[0].label, t[1] is not None))
    return targets
