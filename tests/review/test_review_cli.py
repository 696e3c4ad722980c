"""The agreement, merge, reviewers and review commands: output, exit codes, messages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

from .helpers import build


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "p.db"
    with Store(path) as store:
        build(store)
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_agreement_table_and_json(db):
    result = run("--db", db, "agreement", "--by-document")
    assert result.exit_code == 0, result.output
    assert "agreement of alice, bob" in result.output
    assert "evin-prison" in result.output and "2 documents compared" in result.output
    data = json.loads(run("agreement", "--json", "--db", db).output)
    assert data["documents"]["compared"] == 2
    # the article: 4 shared + alice 2, bob 3 -> exact F1 = 8/13 there; second: 1 shared of 2+2
    assert data["overall"]["exact"]["matches"] == 5
    assert data["overall"]["exact"]["f1"] == round(2 * 5 / (8 + 9), 4)
    assert set(data["per_label"]) == {"ENTITY", "FIGURE", "SOURCE"}


def test_agreement_options(db):
    data = json.loads(run("--db", db, "agreement", "--json", "--labels", "SOURCE", "--status", "done").output)
    # only the article has done statuses; the second document is left out (not annotated when done counts)
    assert data["documents"] == {"compared": 1, "single_annotator": 0, "not_annotated": 1}
    assert data["labels"] == ["SOURCE"]
    result = run("--db", db, "agreement", "--annotators", "alice,zed")
    assert result.exit_code == 2 and "no annotations by 'zed'" in result.output
    result = run("--db", db, "agreement", "--labels", "NOPE")
    assert result.exit_code == 2 and "--labels: unknown label NOPE" in result.output
    result = run("--db", db, "agreement", "--annotators", "alice")
    assert result.exit_code == 2 and "at least two" in result.output


def test_agreement_with_nothing_to_compare(tmp_path):
    path = tmp_path / "empty.db"
    Store(path).close()
    result = run("--db", path, "agreement")
    assert result.exit_code == 0 and "no document was annotated by two or more" in result.output
    result = run("--db", tmp_path / "missing.db", "agreement")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_reviewers_commands_and_refusal(db):
    assert "anyone may review" in run("--db", db, "reviewers").output
    result = run("--db", db, "--annotator", "lead", "reviewers", "add", "lead", "sam")
    assert result.exit_code == 0 and "reviewers: lead, sam" in result.output
    assert run("reviewers", "--db", db).output.strip() == "lead, sam"
    result = run("--db", db, "--annotator", "alice", "reviewers", "add", "alice")
    assert result.exit_code == 2 and "only a reviewer" in result.output
    result = run("--db", db, "--annotator", "alice", "review")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "alice is not a reviewer" in result.output
    result = run("--db", db, "reviewers", "remove", "nobody", "--annotator", "lead")
    assert result.exit_code == 2 and "not a reviewer" in result.output
    result = run("--db", db, "reviewers", "remove", "lead", "sam", "--annotator", "lead")
    assert result.exit_code == 0 and "anyone may review" in result.output


def test_merge_command(db, tmp_path):
    other = tmp_path / "other.db"
    with Store(other) as store:
        build(store)  # the same texts and annotations made separately: nothing new
    result = run("--db", db, "merge", other)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("merged other.db: 0 documents added (2 already here)")
    assert result.output.count("\n") == 1, result.output
    with Store(other) as store:
        span = store.spans_for(store.document_ids()[0], "alice")[0]
        store.set_status(span.document_id, "alice", "in_progress")
    result = run("--db", db, "merge", other)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "1 conflict kept as it is here" in lines[0]
    assert lines[1].startswith("conflict: statuses") and "in_progress" in lines[1]
    result = run("--db", db, "merge", tmp_path / "nope.db")
    assert result.exit_code == 2 and result.output == f"error: cannot merge {tmp_path / 'nope.db'}: no such file\n"
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite")
    result = run("--db", db, "merge", bad)
    assert result.exit_code == 2 and "not an annotator database" in result.output


def test_review_command_checks_before_opening(db, tmp_path):
    result = run("--db", db, "review", "--document", "nope.txt")
    assert result.exit_code == 2 and "no document named 'nope.txt'" in result.output
    result = run("--db", tmp_path / "missing.db", "review")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_agreement_table_shows_negative_kappa_whole(tmp_path):
    """A worse-than-chance kappa prints as -0.125, not cut to '-0.1…' (80 columns)."""
    from annotator.models import Document, Span

    text = "Acme said profits rose 5% in Tokyo."
    path = tmp_path / "k.db"
    with Store(path) as store:
        doc = store.add_document(Document.from_text("k.txt", text))
        for who, sub in (("alice", "Tokyo"), ("bob", "Acme")):
            i = text.index(sub)
            store.add_span(Span(document_id=doc.id, start=i, end=i + len(sub), label="ENTITY", annotator=who))
    result = CliRunner().invoke(cli, ["--db", str(path), "agreement"], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # 9 tokens, each tagged by one: observed 7/9, expected 65/81, kappa (63 - 65) / (81 - 65)
    assert "-0.125" in result.output and "…" not in result.output.split("ENTITY")[1].split("\n")[0]
