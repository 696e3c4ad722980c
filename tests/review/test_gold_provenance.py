"""Gold spans carry the notes and the annotators they came from into ``export --gold``, and back in.

The formats' note places are the tools' own: brat's ``#`` AnnotatorNotes lines, Label Studio's
region ``meta.text`` (web/libs/editor/src/mixins/Normalization.ts in HumanSignal/label-studio keeps
other meta keys as they are, so the annotators go beside it), the native JSONL's span fields and
the CSV's columns.
"""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.models import Document, Span, Status
from annotator.review.candidates import review_document
from annotator.review.rules import accept_agreed_everywhere, accept_changes
from annotator.store import Store
from annotator.store.gold import gold_note

from .helpers import SECOND, find

#: (words, label, {annotator: note}) each made by both annotators; a note of None: no note.
AGREED = [
    ("Reuters", "SOURCE", {"alice": "the wire, not the paper", "bob": "the wire, not the paper"}),
    ("5%", "FIGURE", {"alice": "year on year?\nattribute Hedged", "bob": "quarterly"}),
    ("Tokyo", "ENTITY", {}),
]


@pytest.fixture
def project(tmp_path):
    with Store(tmp_path / "p.db") as store:
        doc = store.add_document(Document.from_text("second.txt", SECOND))
        for sub, label, notes in AGREED:
            for who in ("alice", "bob"):
                start, end = find(SECOND, sub)
                store.add_span(Span(document_id=doc.id, start=start, end=end, label=label, annotator=who,
                                    note=notes.get(who, "")))
        start, end = find(SECOND, "Sony.")  # bob's alone, its boundary fixed by the reviewer
        store.add_span(Span(document_id=doc.id, start=start, end=end, label="SOURCE", annotator="bob",
                            note="the maker"))
        for who in ("alice", "bob"):
            store.set_status(doc.id, who, Status.done)
        accept_agreed_everywhere(store, "lead")
        review = review_document(store, doc.id)
        store.decide_many(doc.id, accept_changes(review, *find(SECOND, "Sony"), "SOURCE", ("bob",),
                                                 replacing=(start, end, "SOURCE")), "lead")
        yield store, doc


EXPECTED = {  # words: (note, annotators)
    "Reuters": ("alice, bob: the wire, not the paper", ["alice", "bob"]),
    "5%": ("alice: year on year?\nbob: quarterly\nattribute Hedged", ["alice", "bob"]),
    "Tokyo": ("", ["alice", "bob"]),
    "Sony": ("bob: the maker", ["bob"]),  # edited: the note of the span it was edited from
}


def export(store: Store, fmt: str, out) -> str:
    result = CliRunner().invoke(cli, ["--db", str(store.path), "export", "--format", fmt, "--gold", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def import_back(tmp_path, fmt: str, path, *extra: str) -> dict[str, str]:
    """Import ``path`` into a new database: {words: note} of its spans."""
    db = tmp_path / f"back-{fmt}.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", "--format", fmt, str(path), *extra],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Store(db) as back:
        [doc_id] = back.document_ids()
        return {SECOND[s.start:s.end]: s.note for s in back.spans_for(doc_id)}


def test_gold_spans_carry_their_annotators_notes(project):
    store, doc = project
    spans = {SECOND[s.start:s.end]: s for s in store.gold_spans(doc.id)}
    assert {words: s.note for words, s in spans.items()} == {w: n for w, (n, _) in EXPECTED.items()}
    assert {s.annotator for s in spans.values()} == {"lead"}
    sources = {SECOND[d.start:d.end]: list(d.sources) for d in store.gold_decisions(doc.id) if d.decision == "accept"}
    assert sources == {w: a for w, (_, a) in EXPECTED.items()}


def test_gold_note_joins_names_and_keeps_attribute_lines_whole():
    assert gold_note([]) == ""
    assert gold_note([("alice", "x"), ("bob", "x"), ("carol", "y")]) == "alice, bob: x\ncarol: y"
    assert gold_note([("alice", "attribute Negation"), ("bob", "attribute Negation")]) == "attribute Negation"


def test_jsonl_gold_round_trips_notes_and_annotators(project, tmp_path):
    store, _ = project
    out = tmp_path / "gold.jsonl"
    export(store, "jsonl", out)
    [line] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert {s["text"]: (s["note"], s["annotators"]) for s in line["spans"]} == EXPECTED
    assert {s["annotator"] for s in line["spans"]} == {"lead"}
    assert import_back(tmp_path, "jsonl", out) == {w: n for w, (n, _) in EXPECTED.items()}


def test_brat_gold_round_trips_notes_and_annotators(project, tmp_path):
    store, _ = project
    out = tmp_path / "brat"
    export(store, "brat", out)
    ann = (out / "gold" / "second.ann").read_text(encoding="utf-8")
    t_ids = {line.split("\t")[2]: line.split("\t")[0] for line in ann.splitlines() if line.startswith("T")}
    notes = [tuple(line.split("\t")[1:]) for line in ann.splitlines() if line.startswith("#")]
    assert notes == [
        (f"AnnotatorNotes {t_ids['Reuters']}", "alice, bob: the wire, not the paper"),
        (f"AnnotatorNotes {t_ids['Reuters']}", "annotators: alice, bob"),
        (f"AnnotatorNotes {t_ids['5%']}", "alice: year on year?"),
        (f"AnnotatorNotes {t_ids['5%']}", "bob: quarterly"),
        (f"AnnotatorNotes {t_ids['5%']}", "annotators: alice, bob"),
        (f"AnnotatorNotes {t_ids['Tokyo']}", "annotators: alice, bob"),
        (f"AnnotatorNotes {t_ids['Sony']}", "bob: the maker"),
        (f"AnnotatorNotes {t_ids['Sony']}", "annotators: bob"),
    ]
    assert f"A1\tHedged {t_ids['5%']}\n" in ann  # the attribute line is brat's A line, as for any span
    back = import_back(tmp_path, "brat", out / "gold", "--annotator", "gold")
    expected = {}
    for words, (note, annotators) in EXPECTED.items():
        lines = [line for line in note.split("\n") if line] + [f"annotators: {', '.join(annotators)}"]
        attributes = [line for line in lines if line.startswith("attribute ")]
        expected[words] = "\n".join([line for line in lines if line not in attributes] + attributes)
    assert back == expected


def test_label_studio_gold_round_trips_notes_and_annotators(project, tmp_path):
    store, _ = project
    out = tmp_path / "gold.json"
    export(store, "label-studio", out)
    [task] = json.loads(out.read_text(encoding="utf-8"))
    [annotation] = task["annotations"]
    assert annotation["ground_truth"] is True
    meta = {r["value"]["text"]: r.get("meta") for r in annotation["result"] if r["type"] == "labels"}
    assert meta["Reuters"] == {"text": ["alice, bob: the wire, not the paper"], "annotators": ["alice", "bob"]}
    assert meta["Tokyo"] == {"annotators": ["alice", "bob"]}  # no note: no text key, as Label Studio leaves it
    assert meta["Sony"] == {"text": ["bob: the maker"], "annotators": ["bob"]}
    assert import_back(tmp_path, "label-studio", out) == {w: n for w, (n, _) in EXPECTED.items()}


def test_csv_gold_has_note_and_annotators_columns(project, tmp_path):
    store, _ = project
    out = tmp_path / "gold.csv"
    export(store, "csv", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert list(rows[0])[-2:] == ["note", "annotators"]
    assert {r["text"]: (r["note"], r["annotators"]) for r in rows} == {
        w: (n, ", ".join(a)) for w, (n, a) in EXPECTED.items()
    }
    # an annotators' export keeps its columns
    plain = tmp_path / "plain.csv"
    result = CliRunner().invoke(cli, ["--db", str(store.path), "export", "--format", "csv", "--out", str(plain)])
    assert result.exit_code == 0, result.output
    assert plain.read_text(encoding="utf-8").splitlines()[0] == "document,document_id,annotator,label,start,end,text,note"


# -- the review screen shows the candidates' notes ------------------------------------------------


async def test_the_review_panel_shows_the_annotators_notes_display_safe(tmp_path):
    from annotator.tui.screens.review import ReviewApp, ReviewScreen

    with Store(tmp_path / "n.db") as store:
        doc = store.add_document(Document.from_text("second.txt", SECOND))
        start, end = find(SECOND, "Reuters")
        notes = {"alice": "the wire,\nnot the \x1b[2Jpaper", "bob": ""}
        for who, note in notes.items():
            store.add_span(Span(document_id=doc.id, start=start, end=end, label="SOURCE", annotator=who, note=note))
        s0, e0 = find(SECOND, "Sony")
        store.add_span(Span(document_id=doc.id, start=s0, end=e0, label="SOURCE", annotator="bob", note="maker"))
        for blind, who in ((False, "alice"), (True, "#1")):
            app = ReviewApp(store, "lead", blind=blind)
            async with app.run_test(size=(120, 36)) as pilot:
                s = app.screen
                assert isinstance(s, ReviewScreen)
                s.view.move_cursor(start + 1)
                await pilot.pause()
                here = str(s.query_one("#review-here").render())
                assert f"✎ {who}: the wire, not the ␛[2J" in here  # one line, the escape inert
                assert "\x1b" not in here and "bob:" not in here  # bob wrote no note
                listed = str(s.query_one("#review-list").render())
                assert listed.count("✎") == 2 and "the wire" not in listed  # the list marks notes, the panel shows them
