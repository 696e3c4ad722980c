"""Bad databases: damaged, foreign, newer, locked, read-only, full.

Each command must say what is wrong on one line (exit 2, no traceback) and
change nothing; a read-only database can still be browsed and exported.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from tests.support.cli_runner import assert_clean_error, drop_file_override, run_cli, run_script
from tests.support.reliability.bad_databases import (
    DAMAGED_INSIDE, SCREENS, bad_databases, command_lines, foreign_database, newer_database, run_bad_databases,
    screens_refused,
)
from tests.support.reliability.project import db_dump, file_digest, make_project, make_project_with_a_span


@pytest.fixture
def good_db(tmp_path: Path) -> Path:
    return make_project_with_a_span(tmp_path / "good.db")


@pytest.fixture
def no_screens() -> Iterator[None]:
    """A screen that starts on a bad database is a failure: make it one instead of a hang."""
    with screens_refused():
        yield


def test_every_command_refuses_every_bad_database_cleanly_and_changes_nothing(
    tmp_path: Path, good_db: Path, sample_text_file: Path, no_screens: None
) -> None:
    checked = 0
    for name, (path, needle) in bad_databases(tmp_path, good_db).items():
        for args in command_lines(tmp_path, sample_text_file):
            if name in DAMAGED_INSIDE and args[0] in SCREENS:
                continue
            before = file_digest(path) if path.is_file() else None
            outcome = run_cli("--db", str(path), *args)
            try:
                if name in DAMAGED_INSIDE and outcome.code == 0:
                    assert "Traceback" not in outcome.stderr  # this command never read the damaged page
                else:
                    assert_clean_error(outcome, needle)
            except AssertionError as exc:
                raise AssertionError(f"{name}, annotator {' '.join(args)}: {exc}") from None
            if before is not None:
                assert file_digest(path) == before, f"{name}: annotator {' '.join(args)} changed the file"
            checked += 1
    assert checked > 50


def test_the_runner_counts_every_bad_database_run(tmp_path: Path) -> None:
    figures = run_bad_databases(tmp_path)
    assert figures.bad_databases == figures.bad_databases_clean > 100


def test_a_page_damaged_in_the_middle_is_one_line_not_a_traceback(tmp_path: Path, good_db: Path) -> None:
    """Regression: SQLite notices a zeroed page only when a command reads it; docs then raised a traceback."""
    path, _ = bad_databases(tmp_path, good_db)["a zeroed page"]
    before = file_digest(path)
    assert_clean_error(run_cli("--db", str(path), "docs"), "damaged")
    assert_clean_error(run_script("--db", str(path), "docs"), "damaged")
    assert file_digest(path) == before


def test_the_console_script_prints_no_traceback_for_bad_databases(
    tmp_path: Path, good_db: Path, sample_text_file: Path
) -> None:
    cases = bad_databases(tmp_path, good_db)
    for name in ("truncated at 4096 bytes", "newer version (rollback journal)", "garbled schema page"):
        path, needle = cases[name]
        before = file_digest(path)
        for args in ([], ["docs"], ["import", str(sample_text_file)]):  # [] is the app itself
            assert_clean_error(run_script("--db", str(path), *args), needle)
        assert file_digest(path) == before


def test_a_database_cut_inside_its_last_page_is_refused_not_repaired_with_zeros(tmp_path: Path, good_db: Path) -> None:
    """Regression: a file shorter than its header's page count opened fine; a write then zero-filled the gap."""
    data = good_db.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) - 1000])
    with pytest.raises(AnnotatorError, match="truncated"):
        Store(cut)
    assert cut.read_bytes() == data[: len(data) - 1000]


def test_opening_a_newer_or_foreign_database_does_not_switch_it_to_wal(tmp_path: Path) -> None:
    """Regression: Store set journal_mode=WAL (rewriting the header) before checking the version."""
    for path in (newer_database(tmp_path / "newer.db", "DELETE"), foreign_database(tmp_path / "foreign.db")):
        before = path.read_bytes()
        with pytest.raises(AnnotatorError):
            Store(path)
        assert path.read_bytes() == before
        assert not Path(str(path) + "-wal").exists()


# -- locked ----------------------------------------------------------------------------------------


def test_a_database_locked_longer_than_the_busy_timeout(good_db: Path, sample_text_file: Path) -> None:
    dump = db_dump(good_db)
    holder = sqlite3.connect(good_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {"ANNOTATOR_BUSY_TIMEOUT": "0.3"}
        outcome = run_cli("--db", str(good_db), "import", str(sample_text_file), env=env)
        assert_clean_error(outcome, "locked")
        script = run_script("--db", str(good_db), "import", str(sample_text_file), env=env)
        assert_clean_error(script, "locked")
        # readers are not blocked by a writer in WAL mode: browsing still works
        assert run_cli("--db", str(good_db), "docs", env=env).code == 0
        assert run_cli("--db", str(good_db), "stats", env=env).code == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db_dump(good_db) == dump


def test_store_gives_up_after_the_busy_timeout_from_the_environment(
    good_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(good_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with Store(good_db) as store:
            doc = store.document_ids()[0]
            t0 = time.monotonic()
            with pytest.raises(AnnotatorError, match="locked"):
                store.add_span(Span(document_id=doc, start=0, end=2, label="CLAIM", annotator="x"))
            assert time.monotonic() - t0 < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_bad_busy_timeout_setting_is_a_clear_error(good_db: Path) -> None:
    assert_clean_error(run_cli("--db", str(good_db), "docs", env={"ANNOTATOR_BUSY_TIMEOUT": "soon"}),
                       "ANNOTATOR_BUSY_TIMEOUT")


# -- read-only -------------------------------------------------------------------------------------


def _readonly_copy(good: Path, folder: Path, folder_writable: bool) -> Path:
    folder.mkdir()
    os.chmod(folder, 0o777)
    path = folder / "ro.db"
    shutil.copy(good, path)
    os.chmod(path, 0o444)
    if not folder_writable:
        os.chmod(folder, 0o555)
    return path


@pytest.fixture
def obey_check(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.write_text("x")
    os.chmod(probe, 0o444)
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True,
                            preexec_fn=drop_file_override if os.geteuid() == 0 else None)
    if result.returncode == 0:
        pytest.skip("cannot make file permissions bind in this environment")


@pytest.mark.parametrize(
    "folder_writable,folder_name",
    [(True, "shared"), (False, "shared"), (False, "odd #name? 100%")],
    ids=["folder-writable", "folder-read-only", "folder-read-only-odd-name"],
)
def test_a_read_only_database_can_be_browsed_but_not_changed(
    tmp_path: Path, good_db: Path, sample_text_file: Path, folder_writable: bool, folder_name: str, obey_check: None
) -> None:
    """Regression: a read-only database in a read-only folder could not be opened at all (WAL needs a -shm)."""
    path = _readonly_copy(good_db, tmp_path / folder_name, folder_writable)
    before = file_digest(path)
    try:
        for args in (["docs"], ["docs", "--json"], ["stats"], ["stats", "--json"], ["schema", "--labels"]):
            outcome = run_script("--db", str(path), *args, obey_permissions=True)
            assert outcome.code == 0, (args, outcome.stderr)
            assert "Traceback" not in outcome.stderr
        assert "ENTITY" in run_script("--db", str(path), "stats", "--json", obey_permissions=True).stdout
        if "export" in cli.commands:
            out = tmp_path / "exported"
            os.chmod(tmp_path, 0o777)
            outcome = run_script("--db", str(path), "export", "--format", "jsonl", "--out", str(out),
                                 obey_permissions=True)
            assert outcome.code == 0, outcome.stderr
        outcome = run_script("--db", str(path), "import", str(sample_text_file), obey_permissions=True)
        assert_clean_error(outcome, "read-only")
        assert file_digest(path) == before
    finally:
        os.chmod(path.parent, 0o755)


def test_store_reports_read_only_when_os_access_says_so(good_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process view of the same rule (os.access is what the store asks)."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode))
    before = file_digest(good_db)
    with Store(good_db) as store:
        assert store.readonly
        assert store.document_count() == len(store.document_ids())
        doc = store.document_ids()[0]
        with pytest.raises(AnnotatorError, match="read-only"):
            store.add_span(Span(document_id=doc, start=0, end=2, label="CLAIM", annotator="x"))
        with pytest.raises(AnnotatorError, match="read-only"):
            store.undo("ann")
    assert file_digest(good_db) == before


# -- full ------------------------------------------------------------------------------------------


def _page_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()


def test_a_database_that_fills_up_during_import(tmp_path: Path, good_db: Path) -> None:
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as fh:
        for i in range(400):
            fh.write('{"text": "document %d %s"}\n' % (i, "filler words " * 200))
    dump = db_dump(good_db)
    env = {"ANNOTATOR_MAX_PAGES": str(_page_count(good_db) + 20)}
    assert_clean_error(run_cli("--db", str(good_db), "import", str(big), env=env), "full")
    assert_clean_error(run_script("--db", str(good_db), "import", str(big), env=env), "full")
    assert db_dump(good_db) == dump
    with Store(good_db) as store:
        assert store.integrity_ok()


def test_a_database_that_fills_up_during_annotation(good_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_MAX_PAGES", str(_page_count(good_db) + 8))
    committed: list[str] = []
    with Store(good_db) as store:
        doc = store.document_ids()[0]
        with pytest.raises(AnnotatorError, match="full"):
            for i in range(100_000):  # a new span each time (one annotator cannot hold the same span twice)
                span = store.add_span(
                    Span(document_id=doc, start=i // 50 % 9, end=10 + i % 50, label="CLAIM", annotator="filler",
                         note="n" * 500)
                )
                committed.append(span.id)
        assert committed, "the limit was hit before any action"
        # the store is still usable for reading, and undo of a committed action works or fails cleanly
        assert len(store.spans_for(doc, "filler")) == len(committed)
    monkeypatch.delenv("ANNOTATOR_MAX_PAGES")
    with Store(good_db) as store:
        assert store.integrity_ok()
        assert sorted(s.id for s in store.spans_for(doc, "filler")) == sorted(committed)
        assert store.replay() == store.table_state()


def test_a_bad_max_pages_setting_is_a_clear_error(good_db: Path) -> None:
    assert_clean_error(run_cli("--db", str(good_db), "docs", env={"ANNOTATOR_MAX_PAGES": "lots"}),
                       "ANNOTATOR_MAX_PAGES")


def test_a_database_killed_mid_import_keeps_its_last_committed_state(tmp_path: Path) -> None:
    """A file imported with an uncheckpointed WAL left behind opens with everything committed."""
    db = tmp_path / "wal.db"
    make_project(db)
    keeper = sqlite3.connect(db)  # keeps the WAL from being checkpointed on close
    keeper.execute("SELECT count(*) FROM documents").fetchone()
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text("late.txt", "A late document."))], actor="t")
    snapshot = tmp_path / "copy.db"
    shutil.copy(db, snapshot)
    shutil.copy(str(db) + "-wal", str(snapshot) + "-wal")
    keeper.close()
    with Store(snapshot) as store:
        assert "late.txt" in [name for _, name in store.document_names()]
        assert store.integrity_ok()
    assert stat.S_ISREG(os.stat(snapshot).st_mode)
