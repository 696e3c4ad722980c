"""Label names real schemas use (``_gt_0``, names with spaces, brackets, commas, quotes, CJK) through
every export: each format either holds the name (read back by our importer, or by the format's own
reader), maps it reversibly (brat: its type names hold no spaces), or refuses with one line (CoNLL:
a space would split a tag into two columns). Nothing is written under another name silently.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.support.cli_runner import assert_clean_error, run_cli

TEXT = "Alice Smith works at Sony in Tokyo today and tomorrow."
#: (covered text, label): every label a different kind of name the old rule refused.
SPANS = [("Alice Smith", "Person name"), ("Sony", "_gt_0"), ("Tokyo", "日本の地名"), ("today", "[PER]"),
         ("works", 'a,b & <c> "q"'), ("tomorrow", "1st-Time/Other (x)")]
SPACED = {label for _, label in SPANS if " " in label}
RELATION = "works for"


@pytest.fixture
def odd_db(tmp_path: Path) -> Path:
    keys = iter("yitofc")
    schema = {"name": "odd", "labels": [{"name": label, "key": next(keys)} for _, label in SPANS],
              "relations": [{"name": RELATION}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    spans = [{"start": TEXT.index(t), "end": TEXT.index(t) + len(t), "label": label, "id": f"s{i}"}
             for i, (t, label) in enumerate(SPANS)]
    line = {"text": TEXT, "name": "d1", "spans": spans, "relations": [{"head": "s0", "child": "s1", "label": RELATION}]}
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    db = tmp_path / "odd.db"
    outcome = run_cli("--db", str(db), "--schema", str(tmp_path / "schema.json"), "import", str(tmp_path / "in.jsonl"),
                      "--annotator", "ann")
    assert outcome.code == 0, outcome.stderr
    return db


def _labels_back(tmp_path: Path, fmt: str, out: Path, db: Path) -> set[str]:
    """Import the export into a fresh database with the same schema; the labels of the spans read back."""
    back = tmp_path / f"back-{fmt}.db"
    args = ["--db", str(back), "--schema", str(tmp_path / "schema.json"), "import", str(out), "--format", fmt,
            "--annotator", "ann"]
    outcome = run_cli(*args)
    assert outcome.code == 0, outcome.stderr
    exported = tmp_path / f"back-{fmt}.jsonl"
    assert run_cli("--db", str(back), "export", "--format", "jsonl", "--out", str(exported)).code == 0
    return {s["label"] for line in exported.read_text(encoding="utf-8").splitlines()
            for s in json.loads(line)["spans"]}


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "label-studio", "brat"])
def test_formats_that_hold_or_map_any_name_read_it_back(odd_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("brat-out" if fmt == "brat" else f"out.{fmt}")
    outcome = run_cli("--db", str(odd_db), "export", "--format", fmt, "--out", str(out))
    assert outcome.code == 0, outcome.stderr
    source = out / "ann" if fmt == "brat" else out
    assert _labels_back(tmp_path, fmt, source, odd_db) == {label for _, label in SPANS}


def test_brat_type_names_hold_no_spaces(odd_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat-out"
    assert run_cli("--db", str(odd_db), "export", "--format", "brat", "--out", str(out)).code == 0
    for ann in out.rglob("*.ann"):
        for line in ann.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if fields[0].startswith("T"):
                kind, start, end = fields[1].split(" ")[:3]  # exactly: TYPE START END
                assert start.isdigit() and end.isdigit(), line


def test_conll_refuses_a_label_with_a_space_in_one_line(odd_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.conll"
    outcome = run_cli("--db", str(odd_db), "export", "--format", "conll", "--out", str(out))
    assert_clean_error(outcome, "Person name", "--labels")
    assert not out.exists()
    # without the spaced labels, every other name is a tag of one column
    keep = ",".join(label for _, label in SPANS if label not in SPACED and "," not in label)
    outcome = run_cli("--db", str(odd_db), "export", "--format", "conll", "--out", str(out), "--labels", keep)
    assert outcome.code == 0, outcome.stderr
    tags = [line.split(" ")[-1] for line in out.read_text(encoding="utf-8").splitlines() if line and " " in line]
    assert "B-_gt_0" in tags and "B-日本の地名" in tags and "B-[PER]" in tags
    assert all(len(line.split(" ")) == 4 for line in out.read_text(encoding="utf-8").splitlines() if line)


def test_csv_and_spacy_hold_any_name(odd_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert run_cli("--db", str(odd_db), "export", "--format", "csv", "--out", str(out)).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {row["label"] for row in rows} == {label for _, label in SPANS}
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "out.spacy"
    outcome = run_cli("--db", str(odd_db), "export", "--format", "spacy", "--out", str(out))
    assert outcome.code == 0, outcome.stderr
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert {span.label_ for doc in docs for span in doc.spans["sc"]} == {label for _, label in SPANS}


def test_labels_option_finds_a_name_holding_a_comma(odd_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "comma.csv"
    outcome = run_cli("--db", str(odd_db), "export", "--format", "csv", "--out", str(out),
                      "--labels", 'a,b & <c> "q",_gt_0')
    assert outcome.code == 0, outcome.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert sorted(row["label"] for row in rows) == sorted(['a,b & <c> "q"', "_gt_0"])


def test_agreement_labels_option_finds_a_name_holding_a_comma(odd_db: Path) -> None:
    outcome = run_cli("--db", str(odd_db), "agreement", "--json", "--labels", 'a,b & <c> "q",_gt_0')
    assert "unknown label" not in outcome.stderr
