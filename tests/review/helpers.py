"""A small two-annotator project for the review tests."""

from __future__ import annotations

from pathlib import Path

from annotator.models import Document, Span, Status
from annotator.store import Store

SAMPLE = Path(__file__).resolve().parents[2] / "sample_docs" / "evin-prison-leak.txt"
SECOND = "Reuters said profits rose 5% in Tokyo on Monday, according to Sony."


def find(text: str, sub: str) -> tuple[int, int]:
    i = text.index(sub)
    return i, i + len(sub)


BOTH = [("National Council of Resistance of Iran", "ENTITY"), ("Associated Press", "SOURCE"),
        ("Evin Prison", "ENTITY"), ("Monday, August 23", "FIGURE")]
ALICE = [("NCRI", "SOURCE"), ("Ebrahim Raisi", "ENTITY")]
BOB = [("NCRI", "ENTITY"), ("Ebrahim Raisi’s", "ENTITY"), ("hundreds of gigabytes", "FIGURE")]


def build(store: Store) -> tuple[Document, Document]:
    """The article (4 agreed candidates, 5 disagreements) and a short second document."""
    text = SAMPLE.read_text(encoding="utf-8")
    doc = store.add_document(Document.from_text("evin-prison-leak.txt", text))
    doc2 = store.add_document(Document.from_text("second.txt", SECOND))
    for who, extra in (("alice", ALICE), ("bob", BOB)):
        for sub, label in BOTH + extra:
            start, end = find(text, sub)
            store.add_span(Span(document_id=doc.id, start=start, end=end, label=label, annotator=who))
        store.set_status(doc.id, who, Status.done)
    for who, items in (("alice", [("Reuters", "SOURCE"), ("5%", "FIGURE")]),
                       ("bob", [("Reuters", "SOURCE"), ("Sony", "SOURCE")])):
        for sub, label in items:
            start, end = find(SECOND, sub)
            store.add_span(Span(document_id=doc2.id, start=start, end=end, label=label, annotator=who))
    return doc, doc2
