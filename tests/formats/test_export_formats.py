"""Each export format's shape, options and checks, on the small project of conftest.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.exporters import ExportRecord, Selection, SpanOffsets, clean_name
from annotator.exporters.brat import ann_text, visual_conf
from annotator.models import Document, LabelSchema, Span, Status
from annotator.store import ImportRecord, Store

from .conftest import EMOJI, export_to, span


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- jsonl ----------------------------------------------------------------------------------------


def test_jsonl_one_line_per_document_and_annotator(project, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = export_to(project.store, "jsonl", out)
    rows = lines(out)
    assert [(r["name"], r["_annotator_id"]) for r in rows] == [
        ("news.txt", "alice"), ("news.txt", "bob"), ("emoji", "alice"), ("quiet", ""),
    ]
    alice = rows[0]
    assert alice["meta"] == {"source": "wire"} and alice["answer"] == "accept"
    for s in alice["spans"]:
        assert alice["text"][s["start"] : s["end"]] == s["text"]
        tokens = alice["tokens"]
        assert tokens[s["token_start"]]["start"] <= s["start"] and tokens[s["token_end"]]["end"] >= s["end"]
    (rel,) = alice["relations"]
    assert rel["label"] == "ATTRIBUTED_TO" and rel["head_span"]["label"] == "CLAIM" and rel["child_span"]["label"] == "SOURCE"
    # Prodigy's form: head and child are the token_end of each span (see tests/formats/test_prodigy_forms.py)
    by_offsets = {(s["start"], s["end"], s["label"]): s for s in alice["spans"]}
    for end in ("head", "child"):
        ref = rel[f"{end}_span"]
        assert rel[end] == ref["token_end"] == by_offsets[ref["start"], ref["end"], ref["label"]]["token_end"]
    assert summary.records == 4 and summary.documents == 3 and summary.spans == 8 and summary.relations == 1


def test_jsonl_keys_have_one_type_on_every_line(project, tmp_path):
    """What datasets.load_dataset("json") needs: the same JSON type per key (null aside) on every line."""
    out = tmp_path / "out.jsonl"
    export_to(project.store, "jsonl", out)

    def types(value, prefix, found):
        found.setdefault(prefix, set()).add(type(value).__name__)
        if isinstance(value, list):
            for item in value:
                types(item, prefix + "[]", found)
        elif isinstance(value, dict) and not prefix.endswith("meta"):
            for key, item in value.items():
                types(item, f"{prefix}.{key}", found)

    found: dict[str, set] = {}
    for row in lines(out):
        types(row, "", found)
    mixed = {k: v for k, v in found.items() if len(v - {"NoneType"}) > 1}
    assert not mixed


def test_jsonl_input_and_task_hashes_are_stable_32_bit_ints(project, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    export_to(project.store, "jsonl", a)
    export_to(project.store, "jsonl", b)
    rows = lines(a)
    assert rows == lines(b)
    assert rows[0]["_input_hash"] == rows[1]["_input_hash"] and rows[0]["_task_hash"] != rows[1]["_task_hash"]
    assert all(-(2**31) <= r[k] < 2**31 for r in rows for k in ("_input_hash", "_task_hash"))


def test_jsonl_span_off_token_boundaries_gets_the_tokens_it_overlaps(tmp_path):
    store = Store(tmp_path / "x.db")
    doc = Document.from_text("d", "Sony's revenue")
    store.import_records([ImportRecord(doc, [Span(document_id=doc.id, start=2, end=8, label="ENTITY", annotator="a"),
                                              Span(document_id=doc.id, start=6, end=7, label="CLAIM", annotator="a")])], "t")
    export_to(store, "jsonl", tmp_path / "o.jsonl")
    (row,) = lines(tmp_path / "o.jsonl")
    by_label = {s["label"]: s for s in row["spans"]}
    assert (by_label["ENTITY"]["token_start"], by_label["ENTITY"]["token_end"]) == (0, 3)
    assert by_label["CLAIM"]["token_start"] is None  # whitespace only: no token


# -- filters -----------------------------------------------------------------------------------------


def test_annotator_filter_is_repeatable(project, tmp_path):
    out = tmp_path / "o.jsonl"
    export_to(project.store, "jsonl", out, Selection(annotators=["bob"]))
    assert [r["_annotator_id"] for r in lines(out)] == ["bob"]
    export_to(project.store, "jsonl", out, Selection(annotators=["bob", "alice"]))
    assert [r["_annotator_id"] for r in lines(out)] == ["alice", "bob", "alice"]


def test_labels_filter_keeps_relations_only_when_both_spans_stay(project, tmp_path):
    out = tmp_path / "o.jsonl"
    summary = export_to(project.store, "jsonl", out, Selection(labels=["CLAIM", "FIGURE"]))
    assert {s["label"] for r in lines(out) for s in r["spans"]} == {"CLAIM", "FIGURE"}
    assert summary.relations_left_out == 1 and "left out 1 relations" in summary.line("o")


def test_status_filter_exports_only_what_the_annotator_marked(project, tmp_path):
    out = tmp_path / "o.jsonl"
    export_to(project.store, "jsonl", out, Selection(status=Status.done))
    assert [(r["name"], r["_annotator_id"]) for r in lines(out)] == [("news.txt", "alice")]
    project.store.set_status(project.quiet.id, "carol", Status.done)  # done with nothing to tag is an answer
    export_to(project.store, "jsonl", out, Selection(status=Status.done))
    assert [(r["name"], r["_annotator_id"], r["spans"]) for r in lines(out)][1] == ("quiet", "carol", [])


def test_gold_exports_the_reviewed_layer(project, tmp_path):
    store = project.store
    store.set_reviewers(["rev"], actor="rev")
    sony = span(project.news, "Sony", "ENTITY", "rev")
    store.decide(project.news.id, sony.start, sony.end, "ENTITY", "accept", "rev")
    store.decide(project.news.id, 0, 25, "CLAIM", "reject", "rev")
    out = tmp_path / "gold.jsonl"
    export_to(store, "jsonl", out, Selection(gold=True))
    (row,) = lines(out)
    assert row["_annotator_id"] == "gold"
    assert [(s["text"], s["label"], s["annotator"]) for s in row["spans"]] == [("Sony", "ENTITY", "rev")]


# -- label studio: code points (UTF-16 on request); doccano: UTF-16 ---------------------------------


def test_label_studio_offsets_are_code_points_after_an_emoji_with_ids(project, tmp_path):
    out = tmp_path / "tasks.json"
    summary = export_to(project.store, "label-studio", out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 3 and tasks[2]["annotations"] == [] and tasks[2]["predictions"] == []
    assert [t["id"] for t in tasks] == [1, 2, 3]
    assert [a["id"] for t in tasks for a in t["annotations"]] == [1, 2, 3]
    emoji = tasks[1]
    region = next(r for r in emoji["annotations"][0]["result"] if r["value"]["text"] == "ACME")
    start, end = region["value"]["start"], region["value"]["end"]
    assert EMOJI[start:end] == "ACME" and start == EMOJI.index("ACME")  # code points, as Label Studio counts
    news = tasks[0]
    assert [a["completed_by"] for a in news["annotations"]] == ["alice", "bob"]
    rel = [r for r in news["annotations"][0]["result"] if r["type"] == "relation"]
    assert rel == [{"from_id": rel[0]["from_id"], "to_id": rel[0]["to_id"], "type": "relation", "direction": "right",
                    "labels": ["ATTRIBUTED_TO"]}]
    note = next(r for r in news["annotations"][0]["result"] if r.get("meta"))
    assert note["meta"] == {"text": ['=HYPERLINK("x")']}
    config = (tmp_path / "tasks.config.xml").read_text()
    assert '<Label value="CLAIM"' in config and '<Relation value="ATTRIBUTED_TO"/>' in config
    assert "labeling config in" in summary.line("x")


def test_label_studio_utf16_offsets_on_request_and_config_path(project, tmp_path):
    out = tmp_path / "tasks.json"
    export_to(project.store, "label-studio", out, offsets="utf16", config=tmp_path / "cfg.xml")
    emoji = json.loads(out.read_text(encoding="utf-8"))[1]
    region = next(r for r in emoji["annotations"][0]["result"] if r["value"]["text"] == "ACME")
    units = EMOJI.encode("utf-16-le")
    start, end = region["value"]["start"], region["value"]["end"]
    assert units[2 * start : 2 * end].decode("utf-16-le") == "ACME"
    assert start == EMOJI.index("ACME") + 3  # three astral characters (woman, skin tone, laptop) before it
    assert (tmp_path / "cfg.xml").exists()


def test_doccano_label_form_entities_form_and_one_file_per_annotator(project, tmp_path):
    out = tmp_path / "d.jsonl"
    summary = export_to(project.store, "doccano", out)
    rows = lines(out)
    emoji = rows[2]
    (acme,) = [x for x in emoji["label"] if x[0] == EMOJI.index("ACME") + 3]
    assert acme[1] - acme[0] == 4 and emoji["annotator"] == "alice"
    assert "1 relations not written" in summary.line("x")
    export_to(project.store, "doccano", out, relations=True)
    news = lines(out)[0]
    (rel,) = news["relations"]
    assert news["entities"][rel["from_id"]]["label"] == "CLAIM" and news["entities"][rel["to_id"]]["label"] == "SOURCE"
    folder = tmp_path / "per-user"
    export_to(project.store, "doccano", str(folder) + "/")
    assert sorted(p.name for p in folder.iterdir()) == ["alice.jsonl", "bob.jsonl", "unannotated.jsonl"]
    assert [r["name"] for r in lines(folder / "alice.jsonl")] == ["news.txt", "emoji"]


# -- csv ---------------------------------------------------------------------------------------------


def test_csv_neutralises_formula_cells(tmp_path):
    store = Store(tmp_path / "x.db")
    doc = Document.from_text("=cmd|' /C calc'!A0", "=1+1 and +2 and -3 and @SUM(A1) and\ttab")
    pieces = [("=1+1", "-note"), ("+2", "+x"), ("-3", "ok"), ("@SUM(A1)", "\rcr"), ("\ttab", "plain")]
    spans = [span(doc, text, "FIGURE", "@eve", note=note) for text, note in pieces]
    store.import_records([ImportRecord(doc, spans)], "t")
    out = tmp_path / "o.csv"
    export_to(store, "csv", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["text"] for r in rows] == ["'=1+1", "'+2", "'-3", "'@SUM(A1)", "'\ttab"]
    assert {r["document"] for r in rows} == {"'=cmd|' /C calc'!A0"} and {r["annotator"] for r in rows} == {"'@eve"}
    assert [r["note"] for r in rows] == ["'-note", "'+x", "ok", "'\rcr", "plain"]
    assert rows[0]["start"] == "0" and rows[0]["end"] == "4"


def test_csv_columns(project, tmp_path):
    out = tmp_path / "o.csv"
    export_to(project.store, "csv", out, offsets="utf16")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert list(rows[0]) == ["document", "document_id", "annotator", "label", "start", "end", "text", "note"]
    acme = next(r for r in rows if r["text"] == "ACME")
    assert int(acme["start"]) == len(EMOJI[: EMOJI.index("ACME")].encode("utf-16-le")) // 2


# -- brat --------------------------------------------------------------------------------------------


def test_brat_layout_and_lines(project, tmp_path):
    out = tmp_path / "brat"
    export_to(project.store, "brat", out)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "alice/emoji.ann", "alice/emoji.txt", "alice/news.ann", "alice/news.txt", "annotation.conf",
        "bob/news.ann", "bob/news.txt", "unannotated/quiet.ann", "unannotated/quiet.txt", "visual.conf",
    ]
    assert (out / "alice/news.txt").read_text(encoding="utf-8") == project.news.text
    ann = (out / "alice/news.ann").read_text(encoding="utf-8").splitlines()
    assert ann[0] == "T1\tCLAIM 0 25\tSony said revenue rose 5%"
    assert "R1\tATTRIBUTED_TO Arg1:T1 Arg2:T4" in ann
    assert '#1\tAnnotatorNotes T2\t=HYPERLINK("x")' in ann
    conf = (out / "annotation.conf").read_text()
    assert "ATTRIBUTED_TO\tArg1:CLAIM|FIGURE, Arg2:SOURCE" in conf and "<OVERLAP>" in conf
    assert "CLAIM\tbgColor:#d7875f" in (out / "visual.conf").read_text()


def test_brat_visual_conf_holds_only_colours_brat_reads():
    """brat ends a value at a comma: rgb(1, 2, 3) would be cut up, so that label gets brat's default colour."""
    schema = LabelSchema.model_validate({"labels": [
        {"name": "A", "key": "y", "colour": "#d7875f"}, {"name": "B", "key": "i", "colour": "rgb(1, 2, 3)"},
        {"name": "C", "key": "o", "colour": "aliceblue"}, {"name": "D", "key": "t", "colour": "ansi_red"},
    ]})
    drawing = visual_conf(schema).split("[drawing]\n", 1)[1].splitlines()
    assert drawing == ["A\tbgColor:#d7875f", "C\tbgColor:aliceblue"]


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "..", "CON", "nul.txt", "a:b*c?.txt", "x" * 400, ".hidden",
                                  "a\\b", "tab\there", ""])
def test_brat_names_never_escape_the_folder(tmp_path, name):
    store = Store(tmp_path / "x.db")
    store.import_records([ImportRecord(Document.from_text(name, "Some text."))], "t")
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    export_to(store, "brat", out)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".txt", ".ann")]
    assert len(written) == 2
    for path in written:
        assert out.resolve() in path.resolve().parents
        assert len(path.name.encode()) < 255 and not path.name.startswith(".")
        assert path.stem.split(".")[0].upper() not in {"CON", "NUL"}
    assert clean_name(clean_name(name)) == clean_name(name)


def test_brat_same_names_never_overwrite(tmp_path):
    store = Store(tmp_path / "x.db")
    docs = [Document.from_text(n, t) for n, t in [("a", "One."), ("a", "Two."), ("A.txt", "Three.")]]
    store.import_records([ImportRecord(d) for d in docs], "t")
    out = tmp_path / "out"
    export_to(store, "brat", out)
    texts = sorted(p.read_text() for p in out.rglob("*.txt"))
    assert texts == ["One.", "Three.", "Two."]
    names = sorted(p.name for p in out.rglob("*.txt"))
    assert "a.txt" in names and all(n.startswith(("a-", "A-")) for n in names if n != "a.txt")


def test_brat_span_across_lines_is_written_as_fragments():
    doc = Document.from_text("d", "first\nsecond line\n\nthird")
    record = ExportRecord(doc, "a", [Span(document_id=doc.id, start=0, end=24, label="CLAIM", annotator="a"),
                                     Span(document_id=doc.id, start=5, end=12, label="ENTITY", annotator="a")], [])
    text, _ = ann_text(record, "codepoints")
    assert text.splitlines() == ["T1\tCLAIM 0 5;6 17;19 24\tfirst second line third", "T2\tENTITY 5 12\t second"]


def test_every_written_offset_is_checked():
    doc = Document.from_text("d", "😀 abc")
    record = ExportRecord(doc, "a", [Span(document_id=doc.id, start=2, end=5, label="X", annotator="a")], [])
    offsets = SpanOffsets(record, "utf16")
    assert offsets(record.spans[0]) == (3, 6)
    offsets.index.astral = []  # a broken conversion must be caught by the independent slice
    with pytest.raises(AnnotatorError, match="would be written as"):
        offsets(record.spans[0])
