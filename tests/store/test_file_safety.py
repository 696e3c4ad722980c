"""The database file on a shared server: replaced or deleted under a session, opened by readers,
created with the team's permissions, merged from awkward file names, read after a new column."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.models import Document, Span
from annotator.store import Store

TEXT = "Sony said revenue rose 5%."


def _doc(store: Store) -> Document:
    return store.add_document(Document.from_text("a.txt", TEXT))


def _span(doc: Document, annotator: str = "alice") -> Span:
    return Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator=annotator)


def test_a_deleted_database_is_refused_not_written_into(db_path):
    with Store(db_path) as store:
        doc = _doc(store)
        os.remove(db_path)
        with pytest.raises(AnnotatorError, match="was deleted .* nothing was changed"):
            store.add_span(_span(doc))
        with pytest.raises(AnnotatorError, match="was deleted"):  # and stays refused
            store.set_status(doc.id, "alice", "done")


def test_a_replaced_database_is_refused_and_the_new_file_stays_whole(tmp_path, db_path):
    other = tmp_path / "restored.db"
    with Store(other) as restored:
        _doc(restored)
    with Store(db_path) as store:
        doc = _doc(store)
        store.add_span(_span(doc))  # a WAL with content
        shutil.copy(other, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", db_path)
        with pytest.raises(AnnotatorError, match="replaced by another file"):
            store.add_span(_span(doc, "bob"))
    with Store(db_path) as reopened:
        assert reopened.integrity_ok()
        assert reopened.spans_for(doc.id) == []  # the restored file, untouched by the old session


def test_a_new_database_follows_the_umask_so_a_team_can_share_it(tmp_path):
    old = os.umask(0o002)
    try:
        with Store(tmp_path / "team.db") as store:
            _doc(store)
            assert stat.S_IMODE(os.stat(tmp_path / "team.db").st_mode) == 0o664
            wal = Path(f"{tmp_path / 'team.db'}-wal")
            assert stat.S_IMODE(os.stat(wal).st_mode) == 0o664
    finally:
        os.umask(old)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a command as another unix user (nobody)")
def test_a_read_only_reader_creates_nothing_and_never_locks_out_the_owner():
    """The owner's file is 0644 in a folder anyone may write; `nobody` runs `annotator docs`."""
    folder = Path(tempfile.mkdtemp(prefix="annot-shared-"))
    try:
        folder.chmod(0o777)
        db = folder / "annotations.db"
        old = os.umask(0o022)
        try:
            with Store(db) as store:
                doc = _doc(store)
        finally:
            os.umask(old)
        assert not Path(f"{db}-wal").exists()

        pid = os.fork()
        if pid == 0:  # the reader: another unix user running `annotator docs`
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                from click.testing import CliRunner

                from annotator.cli import cli

                result = CliRunner().invoke(cli, ["--db", str(db), "docs"])
                code = 0 if result.exit_code == 0 and "a.txt" in result.output else 3
            finally:
                os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        assert sorted(p.name for p in folder.iterdir()) == ["annotations.db"]
        with Store(db) as owner:
            owner.add_span(_span(doc))  # the owner can still write
            assert len(owner.spans_for(doc.id)) == 1
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("name", ["team#2.db", "what?.db", "with space.db", "100%.db"])
def test_merge_reads_files_whose_names_need_escaping(tmp_path, db_path, name):
    other = tmp_path / name
    with Store(other) as there:
        doc = _doc(there)
        there.add_span(_span(doc, "carol"))
    with Store(db_path) as here:
        report = here.merge_from(other)
        assert report.added("spans") == 1
        assert [s.annotator for s in here.spans_for(doc.id)] == ["carol"]


def test_merge_keeps_out_gold_from_someone_who_is_not_a_reviewer_here(tmp_path, db_path):
    other = tmp_path / "other.db"
    with Store(other) as there:
        doc = _doc(there)
        there.decide(doc.id, 0, 4, "ENTITY", "accept", "mallory", ["alice"])
        there.decide(doc.id, 10, 17, "FIGURE", "accept", "lead", ["alice"])
    with Store(db_path) as here:
        here.set_reviewers(["lead"], actor="lead")
        report = here.merge_from(other)
        assert [(d.reviewer, d.label) for d in here.gold_decisions(doc.id)] == [("lead", "FIGURE")]
        assert report.not_reviewers == {"mallory": 1}
        assert "1 gold decision by mallory left out" in report.line()
        assert here.replay() == here.table_state()


def test_reads_survive_a_column_added_by_a_later_layout(store):
    doc = _doc(store)
    store.add_span(_span(doc))
    store.conn.execute("ALTER TABLE spans ADD COLUMN attributes TEXT")
    store.conn.execute("ALTER TABLE relations ADD COLUMN weight REAL")
    (span,) = store.spans_for(doc.id)
    assert span.label == "ENTITY" and store.get_span(span.id) == span


def test_no_write_reads_outside_its_transaction_two_sessions_never_lose_updates(db_path):
    """Two processes change one span's start and note 200 times each; every logged change starts
    from the previous one (a stale read would write back the other's old value)."""
    with Store(db_path) as store:
        doc = store.add_document(Document.from_text("a.txt", "word " * 50))
        span = store.add_span(Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="alice"))
    script = (
        "import sys\nfrom annotator.store import Store\n"
        "s = Store(sys.argv[1])\n"
        "for i in range(200):\n"
        "    if sys.argv[3] == 'start': s.update_span(sys.argv[2], 'alice', start=i % 3)\n"
        "    else: s.update_span(sys.argv[2], 'alice', note=f'note {i}')\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(db_path), span.id, which]) for which in ("start", "note")
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT before, after FROM events WHERE table_name = 'spans' ORDER BY id"
    ).fetchall()
    conn.close()
    assert len(rows) == 401
    for (_, previous_after), (before, _) in zip(rows, rows[1:]):
        assert before == previous_after


def test_a_second_connection_in_one_process_keeps_the_first_ones_locks(db_path):
    """Opening the file to check it would drop every POSIX lock the process holds on it (they are
    per process), and another process could then switch the journal or checkpoint under us."""
    with Store(db_path) as first:
        _doc(first)
        first.conn.execute("BEGIN")
        first.conn.execute("SELECT count(*) FROM spans").fetchone()  # a read transaction holds a lock
        with Store(db_path) as second:  # the screens' writer thread does this
            second.check_same_file()  # and this before every write
            probe = subprocess.run(
                [sys.executable, "-c",
                 "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0);"
                 "print(c.execute('PRAGMA journal_mode=DELETE').fetchone()[0])", str(db_path)],
                capture_output=True, text=True,
            )
            assert "delete" not in probe.stdout  # refused: our connections still hold their locks
        first.conn.execute("COMMIT")


def test_merge_refuses_names_with_control_characters_untouched(tmp_path, db_path):
    other = tmp_path / "other.db"
    with Store(other) as there:
        doc = _doc(there)
        there.conn.execute("INSERT INTO spans VALUES ('x1', ?, 0, 4, 'ENTITY', ?, '', 't', 't')",
                           [doc.id, "evil\x1b]0;title\x07"])
    with Store(db_path) as here:
        before = here.document_count()
        with pytest.raises(AnnotatorError, match="has control characters .*nothing was merged"):
            here.merge_from(other)
        assert here.document_count() == before
