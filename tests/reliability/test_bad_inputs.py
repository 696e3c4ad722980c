"""The bad-input corpus (tests/bad_inputs): each file refused with one clear line, exit 2, nothing changed.

Cases marked ``accept`` in the manifest are hostile but valid (control
characters, escape sequences, bidi overrides): they import intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli_runner import assert_clean_error, run_script
from tests.support.reliability.bad_inputs import (
    BAD_INPUTS_DIR, bad_input_cases, corpus_case, manifest, run_bad_inputs, template_db, try_input,
)
from tests.support.reliability.project import db_dump

MANIFEST = manifest()


def test_the_manifest_and_the_folder_agree() -> None:
    on_disk = {p.name for p in BAD_INPUTS_DIR.iterdir() if p.name != "manifest.json"}
    assert on_disk == set(MANIFEST)
    assert len(MANIFEST) >= 60


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_corpus_case(name: str, tmp_path: Path) -> None:
    case = corpus_case(name, MANIFEST[name])
    assert try_input(case, tmp_path) is None, try_input(case, tmp_path)


def test_generated_large_cases(tmp_path: Path) -> None:
    """A huge single line (valid), a huge broken JSON line, 20,000 good lines then a bad one."""
    cases = [c for c in bad_input_cases(tmp_path / "gen", huge_mb=4) if c.name not in MANIFEST]
    assert len(cases) == 3
    for case in cases:
        assert try_input(case, tmp_path) is None, case.name


def test_the_runner_counts_every_case(tmp_path: Path) -> None:
    figures = run_bad_inputs(tmp_path, huge_mb=1)
    assert figures.bad_inputs == len(MANIFEST) + 3
    assert figures.bad_inputs_rejected + figures.hostile_valid_imported == figures.bad_inputs
    assert figures.hostile_valid_imported == sum(1 for spec in MANIFEST.values() if spec.get("accept")) + 1


@pytest.mark.parametrize(
    "name", ["latin1.txt", "binary.txt", "lone-surrogate.jsonl", "deep-nesting.jsonl", "brat-malformed-line"]
)
def test_the_console_script_prints_one_line_and_no_traceback(name: str, tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    shutil.copy(template_db(tmp_path), db)
    dump = db_dump(db)
    args = ["--db", str(db), "import", str(BAD_INPUTS_DIR / name)]
    if MANIFEST[name].get("format"):
        args += ["--format", MANIFEST[name]["format"]]
    assert_clean_error(run_script(*args), MANIFEST[name].get("expect", ""))
    assert db_dump(db) == dump
