"""Texts and helpers shared by the TUI tests (conftest holds the fixtures)."""

from __future__ import annotations

from pathlib import Path

from annotator.models import Document, Span
from annotator.store import Store

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE = REPO / "sample_docs" / "evin-prison-leak.txt"

#: Offsets used by the tests: "Acme" 0-4, "Corp" 5-9, "revenue" 15-22, "5%" 28-30, "2023" 34-38,
#: second paragraph starts at 41 ("The"), "Jane Doe" 50-58, "Reuters" 65-72.
TEXT = "Acme Corp said revenue rose 5% in 2023.\n\nThe CEO, Jane Doe, told Reuters on Monday. Profits fell.\n"
SECOND = "Second document about Globex.\n"
THIRD = "Third document, quite short.\n"


def spans(store: Store, document: Document, annotator: str | None = "alice") -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans_for(document.id, annotator=annotator)]


def add_span(store: Store, document: Document, start: int, end: int, label: str, annotator: str = "alice") -> Span:
    return store.add_span(Span(document_id=document.id, start=start, end=end, label=label, annotator=annotator))
