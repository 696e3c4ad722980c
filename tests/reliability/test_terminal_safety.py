"""Names from the data (documents, annotators, paths) reach the terminal as plain text.

Regression: `annotator docs` rendered a document named "[/bold] x" as Rich
markup and died with a MarkupError traceback; `docs` and `stats` wrote escape
sequences from names (ESC ] 0 ; title BEL, ESC [ 2 J) straight to the terminal,
and error lines did the same with names quoted from files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from tests.support.cli_runner import assert_clean_error, run_cli, run_script

HOSTILE = [
    "[/bold] x", "[red]red[/red] [link=http://evil.example]click[/link]", "\x1b]0;PWNED\x07title",
    "\x1b[2J\x1b[Hcleared", "bell\x07 back\x08 cr\r nul\x00", "\u202eevil\u202c", "csi \x9b31m c1",
]


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "[odd] name.db"
    lines = [
        {"text": f"Document {i} says hello.", "name": name,
         "spans": [{"start": 0, "end": 8, "label": "ENTITY", "annotator": name}]}
        for i, name in enumerate(HOSTILE)
    ]
    # Annotator names with control characters are refused at import now (the --annotator rule), but a
    # database may still hold them (written before that rule, or by a script): put them in directly.
    with Store(db) as store:
        records = []
        for line in lines:
            doc = Document.from_text(line["name"], line["text"])
            records.append(ImportRecord(doc, [Span(document_id=doc.id, **s) for s in line["spans"]]))
        store.import_records(records, actor="importer")
    return db


def _no_raw_controls(text: str) -> None:
    for bad in ("\x1b]", "\x1b[2J", "\x07", "\x08", "\x00", "\x9b", "\u202e", "\x1b[31m"):
        assert bad not in text, (bad, text[-600:])


@pytest.mark.parametrize("args", [["docs"], ["stats"]])
def test_listing_hostile_names_prints_them_as_text(hostile_db: Path, args: list[str]) -> None:
    outcome = run_script("--db", str(hostile_db), *args, env={"COLUMNS": "200"})
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    _no_raw_controls(outcome.stdout + outcome.stderr)
    if args == ["docs"]:
        assert "[/bold] x" in outcome.stdout and "[red]red[/red]" in outcome.stdout


def test_error_lines_do_not_carry_control_characters(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b]0;PWNED\x07\x1b[2J.jsonl"  # a file name quoted in the error line
    bad.write_text(json.dumps({"text": "Sony said.", "name": "\x1b]0;PWNED\x07",
                               "spans": [{"start": 0, "end": 4, "label": "\x1b[2JNOPE"}]}) + "\n")
    outcome = run_script("--db", str(tmp_path / "x.db"), "import", str(bad))
    assert_clean_error(outcome, "unknown label")
    _no_raw_controls(outcome.stderr)


def test_agreement_with_hostile_annotator_names(hostile_db: Path) -> None:
    outcome = run_script("--db", str(hostile_db), "agreement", "--by-document", env={"COLUMNS": "200"})
    assert outcome.code == 0 and "Traceback" not in outcome.stderr, outcome.stderr[-1500:]
    _no_raw_controls(outcome.stdout + outcome.stderr)
