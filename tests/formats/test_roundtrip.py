"""Round trips: export, import into a new database, export again gives the same output.

Over random documents (ASCII, accents, combining marks, CJK, emoji with skin
tones and ZWJ sequences, RTL text, newlines, tabs) with random overlapping spans
(any code point offsets) and relations. jsonl, doccano and Label Studio carry
everything they write, so their second export is byte-identical; brat carries
the annotator in the folder name, so each folder is imported with
``--annotator`` set to it, and the folder trees must then be identical.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.exporters import Selection
from annotator.models import Document, Relation, Span
from annotator.store import ImportRecord, Store

from .conftest import export_to, import_from

PIECES = [
    "Sony", "said", "revenue", "rose", "5%", ".", ",", "!", "?", " ", " ", "  ", "\n", "\n\n", "\t", "-", "=", "'",
    "café", "cafe\u0301", "naïve", "Ünïcödé", "e\u0301\u0301", "東京", "北京市", "😀", "👍🏽", "👩\u200d👩\u200d👧",
    "👩🏽\u200d💻", "\U0001f1eb\U0001f1f7", "שלום", "مرحبا", "\u200f", "𝔘𝔫𝔦", "1\ufe0f\u20e3", "ß", "İ",
]
NAMES = ["doc", "doc", "Doc", "a.txt", "../up", "CON", "we:ird*name?", "日本語", "x" * 150, ".hidden", "doc-1"]
NOTES = ["", "", "checked", "=SUM(A1)", "tab\there", "ünï 😀"]
LABELS = ["CLAIM", "FIGURE", "SOURCE", "ENTITY"]
ANNOTATORS = ["alice", "bob", "Zoë"]

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map("".join).filter(lambda t: t.strip())


@st.composite
def documents(draw, notes=NOTES):
    """ImportRecords of one to three documents, each with spans and relations of up to three annotators."""
    doc_texts = draw(st.lists(texts, min_size=1, max_size=3, unique=True))
    records = []
    for text in doc_texts:
        doc = Document.from_text(draw(st.sampled_from(NAMES)), text, draw(st.sampled_from([{}, {"k": "v"}])))
        spans: dict[tuple, Span] = {}
        for annotator in draw(st.lists(st.sampled_from(ANNOTATORS), max_size=3, unique=True)):
            for _ in range(draw(st.integers(0, 6))):
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, len(text)))
                label = draw(st.sampled_from(LABELS))
                spans.setdefault((annotator, start, end, label), Span(
                    document_id=doc.id, start=start, end=end, label=label, annotator=annotator,
                    note=draw(st.sampled_from(notes)),
                ))
        span_list = list(spans.values())
        relations = []
        if span_list:
            for head_i, child_i in draw(st.lists(st.tuples(st.integers(0, len(span_list) - 1),
                                                           st.integers(0, len(span_list) - 1)), max_size=4)):
                head, child = span_list[head_i], span_list[child_i]
                if head.annotator == child.annotator and head.label in ("CLAIM", "FIGURE") and child.label == "SOURCE":
                    relations.append(Relation(document_id=doc.id, head=head.id, child=child.id,
                                              label="ATTRIBUTED_TO", annotator=head.annotator))
        records.append(ImportRecord(doc, span_list, relations))
    return records


def store_with(records) -> Store:
    store = Store(":memory:")
    store.import_records(records, actor="test")
    return store


ROUND_TRIP = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(documents(notes=NOTES + ["two\nlines", "cr\r"]))
def test_jsonl_round_trip_is_byte_identical(records):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "1.jsonl", Path(tmp) / "2.jsonl"
        export_to(store_with(records), "jsonl", first)
        again = Store(":memory:")
        import_from(again, first, "jsonl")
        export_to(again, "jsonl", second)
        assert second.read_bytes() == first.read_bytes()
        assert_everything_exported(records, first)


def assert_everything_exported(records, path: Path) -> None:
    """Every document and span of the records is in the JSONL, at its offsets with its text."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {r["text"] for r in rows} == {rec.document.text for rec in records}
    written = {(r["text"], s["annotator"], s["start"], s["end"], s["label"], s["text"], s["note"])
               for r in rows for s in r["spans"]}
    expected = {(rec.document.text, s.annotator, s.start, s.end, s.label, rec.document.text[s.start : s.end], s.note)
                for rec in records for s in rec.spans}
    assert written == expected


@ROUND_TRIP
@given(documents(), st.sampled_from(["utf16", "codepoints"]), st.booleans())
def test_doccano_round_trip_is_byte_identical(records, offsets, relations):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "1.jsonl", Path(tmp) / "2.jsonl"
        export_to(store_with(records), "doccano", first, offsets=offsets, relations=relations)
        again = Store(":memory:")
        import_from(again, first, "doccano", offsets=offsets)
        export_to(again, "doccano", second, offsets=offsets, relations=relations)
        assert second.read_bytes() == first.read_bytes()


@ROUND_TRIP
@given(documents(notes=NOTES + ["two\nlines"]), st.sampled_from(["utf16", "codepoints"]))
def test_label_studio_round_trip_is_byte_identical(records, offsets):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "1.json", Path(tmp) / "2.json"
        export_to(store_with(records), "label-studio", first, offsets=offsets)
        again = Store(":memory:")
        import_from(again, first, None, offsets=offsets)  # format guessed from the file
        export_to(again, "label-studio", second, offsets=offsets)
        assert second.read_bytes() == first.read_bytes()


@ROUND_TRIP
@given(documents(notes=NOTES + ["two\nlines", "attribute Checked", "x\nattribute Confidence=High", "cr\r"]),
       st.sampled_from(["codepoints", "utf16"]))
def test_brat_round_trip_gives_the_same_files(records, offsets):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "one", Path(tmp) / "two"
        export_to(store_with(records), "brat", first, offsets=offsets)
        again = Store(":memory:")
        for folder in sorted(p for p in first.iterdir() if p.is_dir()):
            import_from(again, folder, "brat", annotator=folder.name, offsets=offsets)
        export_to(again, "brat", second, offsets=offsets)
        assert tree(second) == tree(first)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=30, deadline=None)
@given(documents())
def test_gold_free_selection_filters_agree_with_the_store(records):
    """--annotator and --labels select exactly the spans the store holds for them."""
    store = store_with(records)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "o.jsonl"
        export_to(store, "jsonl", out, Selection(annotators=["bob"], labels=["SOURCE", "CLAIM"]))
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        got = sorted((r["text"], s["start"], s["end"], s["label"]) for r in rows for s in r["spans"])
        want = sorted((rec.document.text, s.start, s.end, s.label) for rec in records for s in rec.spans
                      if s.annotator == "bob" and s.label in ("SOURCE", "CLAIM"))
        assert got == want
