"""The export and import commands: options, streaming, summaries, refusals (exit 2, one line)."""

from __future__ import annotations

import json

import pytest

from .conftest import assert_refused, run


def test_export_to_stdout_streams_and_summarises_on_stderr(project):
    project.store.close()
    result = run(project.path, "export", "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4 and rows[1]["text"].startswith("Sony")
    assert result.stderr.strip() == (
        "exported 3 documents (4 records, 8 spans, 1 relations) as jsonl to standard output"
    )


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "label-studio", "doccano", "csv"])
def test_every_text_format_can_stream_to_stdout(project, fmt):
    args = ["--labels", "SOURCE"] if fmt == "conll" else []
    result = run(project.path, "export", "--format", fmt, "--out", "-", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout and "exported" in result.stderr


def test_export_to_a_file_prints_the_summary_on_stdout(project, tmp_path):
    out = tmp_path / "o.jsonl"
    result = run(project.path, "export", "--format", "jsonl", "--out", str(out), "--annotator", "bob",
                 "--annotator", "alice", "--labels", "ENTITY,SOURCE", "--status", "done")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"exported 1 documents (1 records, 2 spans, 0 relations) as jsonl to {out}")
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["_annotator_id"] == "alice" and [s["label"] for s in row["spans"]] == ["ENTITY", "SOURCE"]


def test_common_options_work_after_the_command(project, tmp_path):
    out = tmp_path / "o.csv"
    result = run(project.path, "export", "--format", "csv", "--out", str(out), "--db", str(project.path))
    assert result.exit_code == 0 and out.exists()


def test_verbose_lists_what_overlap_resolution_left_out(project, tmp_path):
    out = tmp_path / "o.conll"
    result = run(project.path, "export", "--format", "conll", "--out", str(out), "--overlap", "inner", "-v")
    assert result.exit_code == 0, result.output
    assert "left out 1 spans (--overlap inner kept the inner ones): news.txt by alice: CLAIM 0-25" in result.stdout


def test_spacy_brat_doccano_folder_options(project, tmp_path):
    assert run(project.path, "export", "--format", "spacy", "--out", str(tmp_path / "a.spacy"), "--spans-key", "x",
               "--ents", "SOURCE", "--lang", "en").exit_code == 0
    assert run(project.path, "export", "--format", "brat", "--out", str(tmp_path / "brat"), "--offsets", "utf16").exit_code == 0
    assert (tmp_path / "brat" / "alice" / "emoji.ann").exists()
    assert run(project.path, "export", "--format", "doccano", "--out", str(tmp_path / "dd") + "/", "--relations",
               "--offsets", "codepoints").exit_code == 0
    assert (tmp_path / "dd" / "bob.jsonl").exists()
    result = run(project.path, "export", "--format", "label-studio", "--out", "-", "--config", str(tmp_path / "c.xml"))
    assert result.exit_code == 0 and (tmp_path / "c.xml").read_text().startswith("<View>")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--format", "conll"], ["overlapping spans", "news.txt by alice: CLAIM 0-25", "--overlap outer",
                                 "nothing was written to"]),
        (["--format", "spacy", "--ents", "CLAIM,ENTITY"], ["spans would overlap in doc.ents"]),
        (["--format", "jsonl", "--labels", "PERSON"], ["--labels: unknown label PERSON", "CLAIM"]),
        (["--format", "jsonl", "--offsets", "utf16"], ["--offsets utf16 does not apply to jsonl"]),
        (["--format", "conll", "--offsets", "utf16"], ["its offsets are none"]),
        (["--format", "csv", "--ents", "CLAIM"], ["--ents applies to --format spacy only"]),
        (["--format", "jsonl", "--overlap", "outer"], ["--overlap applies to --format conll only"]),
        (["--format", "jsonl", "--gold", "--annotator", "x"], ["--gold exports the reviewed layer"]),
    ],
)
def test_refusals_are_one_line_with_exit_status_2(project, tmp_path, args, fragments):
    out = tmp_path / "out.file"
    result = run(project.path, "export", *args, "--out", str(out))
    assert_refused(result, *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_binary_and_folder_formats_refuse_stdout(project):
    assert_refused(run(project.path, "export", "--format", "spacy", "--out", "-"), "cannot be written to standard output")
    assert_refused(run(project.path, "export", "--format", "brat", "--out", "-"), "cannot be written to standard output")


def test_refused_stdout_export_says_the_output_is_incomplete(project):
    result = run(project.path, "export", "--format", "conll", "--out", "-")
    assert_refused(result, "the output on standard output is incomplete")


def test_missing_database_and_missing_folder(tmp_path):
    assert_refused(run(tmp_path / "none.db", "export", "--format", "jsonl", "--out", "-"), "does not exist")


def test_missing_output_folder_is_refused(project, tmp_path):
    assert_refused(run(project.path, "export", "--format", "jsonl", "--out", str(tmp_path / "no" / "o.jsonl")),
                   "does not exist")


def test_spacy_missing_is_one_clear_line(project, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_spacy(name, *args, **kwargs):
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("No module named 'spacy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    result = run(project.path, "export", "--format", "spacy", "--out", str(tmp_path / "o.spacy"))
    assert_refused(result, "pip install 'annotator[spacy]'")


def test_import_guesses_formats_and_takes_offsets(project, tmp_path):
    ls, dd = tmp_path / "tasks.json", tmp_path / "dd"
    assert run(project.path, "export", "--format", "label-studio", "--out", str(ls)).exit_code == 0
    assert run(project.path, "export", "--format", "doccano", "--out", str(dd) + "/").exit_code == 0
    fresh = tmp_path / "fresh.db"
    result = run(fresh, "import", str(ls))
    assert result.exit_code == 0, result.output
    assert "3 documents added" in result.stdout and "8 spans added" in result.stdout
    result = run(tmp_path / "fresh2.db", "import", str(dd / "alice.jsonl"), str(dd / "bob.jsonl"))
    assert result.exit_code == 0, result.output
    assert "8 spans added" in result.stdout
    # the same file read as UTF-16: the emoji document's offsets no longer match its text, code points would
    result = run(tmp_path / "fresh3.db", "import", str(ls), "--offsets", "utf16")
    assert_refused(result, "value.text", "import with --offsets codepoints")


def test_binary_and_folder_formats_refused_on_stdout_say_nothing_was_written(project):
    result = run(project.path, "export", "--format", "brat", "--out", "-")
    assert_refused(result, "pass --out PATH")
    assert "incomplete" not in result.stderr  # nothing at all was written
    assert result.stdout == ""


def test_an_annotator_filter_matching_nobody_warns(project, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(project.path, "export", "--format", "jsonl", "--out", str(out), "--annotator", "alcie")
    assert result.exit_code == 0, result.output
    assert "exported 0 documents" in result.stdout
    assert "warning: --annotator alcie: nothing by them was exported (annotators with spans: alice" in result.stderr
    quiet = run(project.path, "export", "--format", "jsonl", "--out", str(out), "--annotator", "alice")
    assert "warning" not in quiet.stderr
