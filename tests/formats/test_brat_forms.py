"""brat in brat's own forms: every annotation kind, what is kept and what is counted, and the way back.

The fixture (tests/formats/fixtures/brat/, see its README.md) was written for these
tests in the exact line forms of nlplab/brat (``server/src/annotation.py``, the
standoff format page, ``example-data/tutorials/news/*.ann`` and
``example-data/corpora/*``): T (one discontinuous), E, R (ending in a TAB as brat
writes them), A with and without a value, A on an event, M, N, ``*``, and ``#`` on
a span (twice), on a relation, on an event and of another type than
AnnotatorNotes, with an emoji before most spans.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from annotator.exporters import ExportRecord
from annotator.exporters.brat import annotation_conf, ann_text, type_names, visual_conf
from annotator.importers import ImportContext, read_path
from annotator.models import Document, Label, LabelSchema, Relation, RelationType, Span
from annotator.store import Store

from .conftest import assert_refused, run, table_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "brat"
SCHEMA = FIXTURES / "schema.json"
TEXT = (FIXTURES / "news" / "news.txt").read_text(encoding="utf-8")

#: What every import of the fixture keeps, whatever --discontinuous says: (text, label, note).
KEPT = {
    ("Sony", "Organization", "the company, not the brand\nchecked against the wire\nattribute Speculation"),
    ("joint venture", "MERGE-ORG", ""),  # the event's trigger is a T line: kept; the event is not
    ("Ericsson", "Organization", "attribute Confidence=High"),
    ("Sweden", "Country", ""),
    ("Sony", "Organization", "Lemma:  Sony\nattribute Individual"),
}
#: What every import counts as skipped, by reason (the discontinuous span's own line comes on top).
SKIPPED = {
    "brat event (E)": 1,
    "brat attribute (A) of an event (E)": 1,
    "brat normalisation (N)": 1,
    "brat equivalence (*)": 1,
    "brat note (#) of a relation (R)": 1,
    "brat note (#) of an event (E)": 1,
}


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """A copy of the fixture folder (tests may add files beside it)."""
    folder = tmp_path / "news"
    shutil.copytree(FIXTURES / "news", folder)
    return folder


def imported(db: Path) -> tuple[set, set]:
    """(text, label, note) of every span and (label, head text, child text) of every relation in ``db``."""
    with Store(db) as store:
        (doc,) = store.documents()
        assert doc.text == TEXT
        spans = store.spans_for(doc.id)
        by_id = {s.id: s for s in spans}
        kept = {(doc.text[s.start : s.end], s.label, s.note) for s in spans}
        relations = {(r.label, doc.text[by_id[r.head].start : by_id[r.head].end],
                      doc.text[by_id[r.child].start : by_id[r.child].end]) for r in store.relations_for(doc.id)}
        assert all(s.annotator == "ann" for s in spans)
    return kept, relations


def summary_counts(line: str) -> dict[str, int]:
    """The ``skipped:`` part of a summary line, as reason -> count."""
    skipped = line.splitlines()[0].split("; skipped: ", 1)[1].split("; ")[0]
    counts = {}
    for part in skipped.split(", "):
        n, reason = part.split(" ", 1)
        counts[reason] = int(n)
    return counts


def test_discontinuous_spans_are_refused_by_default_with_the_count_and_the_option(tmp_path, news):
    (news / "more.txt").write_text("North and South America.", encoding="utf-8")
    (news / "more.ann").write_text("T1\tLocation 0 5;16 23\tNorth America\n", encoding="utf-8")
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann")
    assert_refused(result, "2 discontinuous spans", "more.ann line 1", "--discontinuous outer", "split", "skip")
    with Store(db) as store:
        assert list(store.documents()) == []


def test_skip_keeps_spans_notes_attributes_and_counts_every_other_kind(tmp_path, news):
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
                 "--discontinuous", "skip", "-v")
    assert result.exit_code == 0, result.output
    kept, relations = imported(db)
    assert kept == KEPT
    assert relations == {("Origin", "Ericsson", "Sweden")}
    line = result.stdout.splitlines()[0]
    assert "1 documents added" in line and "5 spans added" in line, line
    assert summary_counts(line) == {
        **SKIPPED, "brat discontinuous span (T)": 1, "brat relation (R) to a left-out span": 1,
    }
    listed = result.stdout.splitlines()[1:]
    assert any("news.ann line 4: brat event (E)" in row for row in listed), listed
    assert any("news.ann line 13: brat discontinuous span (T)" in row for row in listed), listed
    assert any("news.ann line 14: brat relation (R) to a left-out span" in row for row in listed), listed
    assert len(listed) == sum(summary_counts(line).values())


def test_outer_reads_one_span_over_the_gap(tmp_path, news):
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
                 "--discontinuous", "outer")
    assert result.exit_code == 0, result.output
    kept, relations = imported(db)
    assert kept == KEPT | {("North and South America", "Location", "")}
    assert relations == {("Origin", "Ericsson", "Sweden"), ("Located", "Sony", "North and South America")}
    counts = summary_counts(result.stdout)
    assert counts.pop("brat discontinuous span (T) read over its gaps (--discontinuous outer)") == 1
    assert counts == SKIPPED


def test_split_reads_one_span_a_fragment_and_links_the_first(tmp_path, news):
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
                 "--discontinuous", "split")
    assert result.exit_code == 0, result.output
    kept, relations = imported(db)
    assert kept == KEPT | {("North", "Location", ""), ("America", "Location", "")}
    assert relations == {("Origin", "Ericsson", "Sweden"), ("Located", "Sony", "North")}
    counts = summary_counts(result.stdout)
    assert counts.pop("brat discontinuous span (T) split into its fragments (--discontinuous split)") == 1
    assert counts == SKIPPED


def test_brat_web_client_offsets_are_told_apart_by_the_text(tmp_path, news):
    """brat's server counts code points; reading these as UTF-16 (--offsets utf16) moves every span after the
    emoji, and the T line's text says so."""
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--offsets", "utf16",
                 "--discontinuous", "skip")
    assert_refused(result, "news.ann line 2", "is not what offsets 16 29 select")


# -- a brat folder without --format --------------------------------------------------------------


def test_a_brat_folder_without_format_is_read_as_brat_and_says_so(tmp_path, news):
    (news / "plain.txt").write_text("A text with no annotations at all.", encoding="utf-8")
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", str(news), "--annotator", "ann", "--discontinuous", "skip")
    assert result.exit_code == 0, result.output
    assert "1 documents read as brat (an .ann beside the .txt; --format text reads the text alone)" in result.stdout
    with Store(db) as store:
        docs = {d.name: d for d in store.documents()}
        assert set(docs) == {"news.txt", "plain.txt"}
        assert len(store.spans_for(docs["news.txt"].id)) == 5


def test_a_txt_with_an_ann_beside_it_is_read_as_brat(tmp_path, news):
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", str(news / "news.txt"), "--annotator", "ann",
                 "--discontinuous", "skip")
    assert result.exit_code == 0, result.output
    assert "documents read as brat" in result.stdout
    assert imported(db)[0] == KEPT


def test_format_text_still_reads_only_the_text(tmp_path, news):
    db = tmp_path / "x.db"
    result = run(db, "import", "--format", "text", str(news))
    assert result.exit_code == 0, result.output
    assert "read as brat" not in result.stdout
    with Store(db) as store:
        (doc,) = store.documents()
        assert store.spans_for(doc.id) == []


def test_an_ann_without_its_txt_is_never_left_out_unseen(tmp_path, news):
    (news / "orphan.ann").write_text("T1\tCountry 0 6\tSweden\n", encoding="utf-8")
    db = tmp_path / "x.db"
    args = ["--schema", str(SCHEMA), "import", str(news), "--annotator", "ann", "--discontinuous", "skip"]
    assert_refused(run(db, *args), "orphan.ann has no orphan.txt beside it")
    result = run(db, *args, "--skip-invalid")
    assert result.exit_code == 1
    assert "orphan.ann has no orphan.txt" in result.stderr
    assert imported(db)[0] == KEPT


# -- invalid lines -------------------------------------------------------------------------------


def test_skip_invalid_leaves_out_a_bad_line_and_what_hangs_on_it(tmp_path, news):
    ann = news / "news.ann"
    ann.write_text(ann.read_text(encoding="utf-8").replace("T4\tCountry 77 83\tSweden", "T4\tCountry 77 83\tSwedes"),
                   encoding="utf-8")
    db = tmp_path / "x.db"
    args = ["--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
            "--discontinuous", "skip"]
    assert_refused(run(db, *args), "news.ann line 5", "'Swedes' is not what offsets 77 83 select")
    result = run(db, *args, "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert "news.ann line 5" in result.stderr
    kept, relations = imported(db)
    assert kept == KEPT - {("Sweden", "Country", "")}
    assert relations == set()
    counts = summary_counts(result.stdout)
    assert counts["brat relation (R) to a left-out span"] == 2 and counts["invalid record"] == 1


@pytest.mark.parametrize("line, fragment", [
    ("A9\tNegation T99\n", "T99 is not defined in this file"),
    ("#9\tAnnotatorNotes\tno target\n", "expected TYPE ID<TAB>NOTE"),
    ("R9\tOrigin Arg1:T3\n", "a relation has two arguments"),
    ("T9\tLocation 5 2\tx\n", "out of range or empty"),
])
def test_bad_lines_are_refused_in_one_line(tmp_path, news, line, fragment):
    ann = news / "news.ann"
    ann.write_text(ann.read_text(encoding="utf-8") + line, encoding="utf-8")
    db = tmp_path / "x.db"
    result = run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--discontinuous", "skip")
    assert_refused(result, "news.ann line 21", fragment)


# -- export: notes, attributes, type names, safety -----------------------------------------------


def test_notes_and_attributes_go_back_to_brat_lines(tmp_path, news):
    db = tmp_path / "x.db"
    run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
        "--discontinuous", "skip")
    out = tmp_path / "out"
    result = run(db, "export", "--format", "brat", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = (out / "ann" / "news.ann").read_text(encoding="utf-8").splitlines()
    assert lines[:6] == [
        "T1\tOrganization 0 4\tSony", "T2\tMERGE-ORG 16 29\tjoint venture", "T3\tOrganization 35 43\tEricsson",
        "T4\tCountry 77 83\tSweden", "T5\tOrganization 85 89\tSony", "R1\tOrigin Arg1:T3 Arg2:T4",
    ]
    assert lines[6:] == [
        "#1\tAnnotatorNotes T1\tthe company, not the brand", "#2\tAnnotatorNotes T1\tchecked against the wire",
        "#3\tAnnotatorNotes T5\tLemma:  Sony",
        "A1\tSpeculation T1", "A2\tConfidence T3 High", "A3\tIndividual T5",
    ]
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    attributes = conf.split("[attributes]\n", 1)[1].splitlines()
    assert attributes == ["Confidence\tArg:<ENTITY>, Value:High", "Individual\tArg:<ENTITY>", "Speculation\tArg:<ENTITY>"]
    again = tmp_path / "again.db"
    result = run(again, "--schema", str(SCHEMA), "import", "--format", "brat", str(out / "ann"), "--annotator", "ann")
    assert result.exit_code == 0 and "skipped" not in result.stdout, result.output
    assert imported(again)[0] == KEPT


def test_a_note_of_several_lines_is_several_brat_notes_and_comes_back_whole(tmp_path):
    doc = Document.from_text("d.txt", "Sony said so.")
    span = Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="a",
                note="first line\n\nthird line\nattribute Checked\nattribute not one=of ours")
    text, changed = ann_text(ExportRecord(doc, "a", [span], []), "codepoints")
    assert changed == 0
    assert text.splitlines() == [
        "T1\tENTITY 0 4\tSony", "#1\tAnnotatorNotes T1\tfirst line", "#2\tAnnotatorNotes T1\t",
        "#3\tAnnotatorNotes T1\tthird line", "#4\tAnnotatorNotes T1\tattribute not one=of ours", "A1\tChecked T1",
    ]
    (tmp_path / "d.txt").write_text(doc.text, encoding="utf-8")
    (tmp_path / "d.ann").write_text(text, encoding="utf-8")
    context = ImportContext(annotator="a", schema=LabelSchema.default())
    (record,) = read_path(tmp_path, "brat", context)
    # notes first, then attributes: the order the export writes them in, so a second round changes nothing
    assert record.spans[0].note == "first line\n\nthird line\nattribute not one=of ours\nattribute Checked"


def test_type_names_brat_cannot_hold_are_renamed_reversibly():
    names = type_names(["CLAIM", "New York", "New_York", "a/b", "a_b", "Société", "_gt_3", "x y", "x_y-2", "x_y"])
    assert names == {
        "CLAIM": "CLAIM", "New_York": "New_York", "a_b": "a_b", "_gt_3": "_gt_3", "x_y-2": "x_y-2", "x_y": "x_y",
        "New York": "New_York-2", "a/b": "a_b-2", "Société": "Soci_t_", "x y": "x_y-3",
    }
    assert len(set(names.values())) == len(names)  # distinct names stay distinct: the mapping can be reversed


def odd_schema() -> LabelSchema:
    """A schema with names brat cannot store. Built without validation: the label-name rule is another part's
    (models.py); this checks the brat mapping whatever that rule allows."""
    labels = [Label.model_construct(name=name, key=key, colour="#5f87d7", description="")
              for name, key in [("New York", "y"), ("New_York", "i"), ("Société", "o"), ("CLAIM", "c")]]
    relations = [RelationType.model_construct(name="works for", heads=["Société"], children=["New York"],
                                              description="")]
    return LabelSchema.model_construct(name="odd", labels=labels, relations=relations)


def test_renamed_types_are_documented_in_the_conf_and_read_back(tmp_path):
    schema = odd_schema()
    doc = Document.from_text("d.txt", "Acme hired staff in New York and New York State.")
    spans = [Span(document_id=doc.id, start=s, end=e, label=label, annotator="a")
             for s, e, label in [(0, 4, "Société"), (20, 28, "New York"), (33, 47, "New_York"), (0, 4, "CLAIM")]]
    rel = Relation(document_id=doc.id, head=spans[0].id, child=spans[1].id, label="works for", annotator="a")
    text, _ = ann_text(ExportRecord(doc, "a", spans, [rel]), "codepoints",
                       {**type_names([*schema.label_names, "works for"])})
    assert text.splitlines()[:5] == [
        "T1\tSoci_t_ 0 4\tAcme", "T2\tNew_York-2 20 28\tNew York", "T3\tNew_York 33 47\tNew York State",
        "T4\tCLAIM 0 4\tAcme", "R1\tworks_for Arg1:T1 Arg2:T2",
    ]
    conf = annotation_conf(schema)
    assert '# annotator-name New_York-2 "New York"' in conf and '# annotator-name Soci_t_ "Société"' in conf
    assert "works_for\tArg1:Soci_t_, Arg2:New_York-2" in conf
    assert "New_York-2 | New York" in visual_conf(schema)
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    (tmp_path / "out" / "annotation.conf").write_text(conf, encoding="utf-8")
    (folder / "d.txt").write_text(doc.text, encoding="utf-8")
    (folder / "d.ann").write_text(text, encoding="utf-8")
    for conf_there in (True, False):  # from the conf's comments, or else from the schema's own names
        if not conf_there:
            (tmp_path / "out" / "annotation.conf").unlink()
        (record,) = read_path(folder, "brat", ImportContext(annotator="a", schema=schema))
        assert [(s.start, s.end, s.label) for s in record.spans] == [(s.start, s.end, s.label) for s in spans]
        assert [r.label for r in record.relations] == ["works for"]


def test_a_renaming_in_the_conf_wins_over_the_schema_order(tmp_path):
    """Another schema order would give New_York-2 to another name: the conf of the export says what it meant."""
    schema = odd_schema()
    (tmp_path / "annotation.conf").write_text('# annotator-name New_York-7 "Société"\n[entities]\n', encoding="utf-8")
    (tmp_path / "d.txt").write_text("Acme.", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tNew_York-7 0 4\tAcme\n", encoding="utf-8")
    (record,) = read_path(tmp_path, "brat", ImportContext(annotator="a", schema=schema))
    assert record.spans[0].label == "Société"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlinked_subfolder_inside_out_cannot_send_the_export_elsewhere(tmp_path, news):
    db = tmp_path / "x.db"
    run(db, "--schema", str(SCHEMA), "import", "--format", "brat", str(news), "--annotator", "ann",
        "--discontinuous", "skip")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "ann").symlink_to(elsewhere, target_is_directory=True)
    with Store(db) as store:
        before = table_snapshot(store)
    result = run(db, "export", "--format", "brat", "--out", str(out))
    assert_refused(result, "is a symbolic link", "--out")
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["ann"]  # nothing moved in: the check comes first
    with Store(db) as store:
        assert table_snapshot(store) == before
    (out / "ann").unlink()
    assert run(db, "export", "--format", "brat", "--out", str(out)).exit_code == 0
    assert (out / "ann" / "news.ann").is_file() and not (out / "ann").is_symlink()
