"""Hostile names and texts on the way out: exports write only inside --out, CSV cells never start a formula."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from annotator.cli import cli
from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from tests.support.cli_runner import run_cli, run_script
from tests.support.reliability.project import db_dump

pytestmark = pytest.mark.skipif("export" not in cli.commands, reason="no export command yet")

HOSTILE_NAMES = [
    "../../x", "../../../../../../tmp/annotator-escape", "/etc/passwd", "..", ".", "", "a/b/c", "a\\b\\..\\..\\c",
    'illegal:*?"<>|chars', "CON", "nul.txt", "trailing dot.", "x" * 400, "new\nline", "tab\tname",
    "\u202eexe.txt", "\x1b[31mred", "~/home", "C:\\Windows\\evil", ".hidden", "-rf",
]
FORMULAS = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0", "＝1"]


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "hostile.db"
    lines = []
    for i, name in enumerate(HOSTILE_NAMES):
        text = f"{FORMULAS[i % len(FORMULAS)]} Sony said revenue rose {i}% in the quarter."
        lines.append({
            "text": text, "name": name,
            "spans": [
                {"start": 0, "end": len(FORMULAS[i % len(FORMULAS)]), "label": "CLAIM", "note": "=HYPERLINK(\"x\")",
                 "annotator": HOSTILE_NAMES[(i + 3) % len(HOSTILE_NAMES)] or "blank"},
                {"start": text.index("Sony"), "end": text.index("Sony") + 4, "label": "SOURCE", "annotator": "=evil"},
            ],
        })
    # Annotator names with control characters are refused at import now (the --annotator rule), but a
    # database may still hold them (written before that rule, or by a script): put them in directly.
    with Store(db) as store:
        records = []
        for line in lines:
            doc = Document.from_text(line["name"], line["text"])
            spans = [Span(document_id=doc.id, **s) for s in line["spans"]]
            records.append(ImportRecord(doc, spans))
        store.import_records(records, actor="importer")
    return db


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


FORMAT_TARGETS = {
    "jsonl": "out/all.jsonl",
    "spacy": "out/all.spacy",
    "brat": "out/brat",
    "conll": "out/all.conll",
    "label-studio": "out/tasks.json",
    "doccano": "out/doccano/",
    "csv": "out/all.csv",
}


@pytest.mark.parametrize("fmt", sorted(FORMAT_TARGETS))
def test_exports_write_only_inside_out(fmt: str, hostile_db: Path, tmp_path: Path) -> None:
    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    dump = db_dump(hostile_db)
    before = _tree(tmp_path)
    outcome = run_cli("--db", str(hostile_db), "export", "--format", fmt, "--out", str(work / FORMAT_TARGETS[fmt]))
    assert "Traceback" not in outcome.stderr
    assert outcome.code in (0, 2), outcome.stderr
    if outcome.code == 2:
        assert len(outcome.stderr.strip().splitlines()) == 1
    out_root = (work / "out").resolve()
    for path in _tree(tmp_path) - before:
        resolved = path.resolve()
        assert resolved == out_root or out_root in resolved.parents, f"{fmt} wrote {path} outside --out"
    assert not Path("/tmp/annotator-escape").exists()
    assert db_dump(hostile_db) == dump


def test_csv_cells_never_start_a_formula(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "spans.csv"
    outcome = run_cli("--db", str(hostile_db), "export", "--format", "csv", "--out", str(out))
    assert outcome.code == 0, outcome.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) > len(HOSTILE_NAMES)
    bad = [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not bad, bad[:10]


def test_console_script_export_of_hostile_names(hostile_db: Path, tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    outcome = run_script("--db", str(hostile_db), "export", "--format", "brat", "--out", "out", cwd=work)
    assert outcome.code == 0 and "Traceback" not in outcome.stderr, outcome.stderr
    for path in work.rglob("*"):
        assert (work / "out").resolve() in path.resolve().parents or path.resolve() == (work / "out").resolve()
        assert "\n" not in path.name and "\x1b" not in path.name and "/" not in path.name
    assert os.path.exists("/etc/passwd")
