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
from tests.support.cli_runner import assert_clean_error, clean_error_problem, permissions_enforceable, run_cli, run_script
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


# -- files out: modes, temporary files, what --out may replace ------------------------------------

SINGLE_FILE_FORMATS = {"jsonl": "out.jsonl", "spacy": "out.spacy", "conll": "out.conll", "label-studio": "tasks.json",
                       "doccano": "out.jsonl", "csv": "out.csv"}


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    from tests.support.reliability.project import make_project_with_a_span

    return make_project_with_a_span(tmp_path / "small.db")


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
@pytest.mark.parametrize("fmt", sorted(SINGLE_FILE_FORMATS))
def test_exports_get_the_mode_the_umask_gives(small_db: Path, tmp_path: Path, fmt: str, umask: int) -> None:
    """Single-file exports were always 0600 (the temporary file's mode), so teammates could not read them."""
    out = tmp_path / "exports" / SINGLE_FILE_FORMATS[fmt]
    out.parent.mkdir()
    old = os.umask(umask)
    try:
        for _ in range(2):  # created, then replaced
            outcome = run_cli("--db", str(small_db), "export", "--format", fmt, "--out", str(out))
            assert outcome.code == 0, outcome.stderr
            written = [p for p in out.parent.iterdir()]
            assert written, outcome.stdout
            for path in written:
                assert path.stat().st_mode & 0o777 == 0o666 & ~umask, (path.name, oct(path.stat().st_mode))
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_folder_exports_get_the_mode_the_umask_gives(small_db: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for fmt, out in (("brat", tmp_path / "brat"), ("doccano", tmp_path / "doccano")):
            outcome = run_cli("--db", str(small_db), "export", "--format", fmt, "--out", f"{out}/")
            assert outcome.code == 0, outcome.stderr
            for path in [out, *out.rglob("*")]:
                want = 0o755 if path.is_dir() else 0o644
                assert path.stat().st_mode & 0o777 == want, (path, oct(path.stat().st_mode))
    finally:
        os.umask(old)


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


@pytest.fixture
def big_db(tmp_path: Path) -> Path:
    """Enough documents that an export is still writing when it is killed."""
    db = tmp_path / "big.db"
    with Store(db) as store:
        records = [ImportRecord(Document.from_text(f"d{i}", f"Document {i}: Sony said revenue rose {i}%. " * 20))
                   for i in range(6000)]
        store.import_records(records, actor="setup")
    return db


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGHUP", "SIGINT"])
@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_a_killed_export_leaves_no_temporary_file(big_db: Path, tmp_path: Path, sig: str, fmt: str) -> None:
    """Caught signals clean up on the way out; after SIGKILL (which nothing catches), the next export
    to the same target removes what the dead one left, and leaves another live export's alone."""
    import signal
    import subprocess
    import time

    from tests.support.cli_runner import console_script

    work = tmp_path / "work"
    work.mkdir()
    out = work / ("brat" if fmt == "brat" else "out.jsonl")
    process = subprocess.Popen([console_script(), "--db", str(big_db), "export", "--format", fmt, "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _temporaries(work) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    if process.poll() is not None:
        pytest.skip("the export finished before it could be killed (machine too fast for this corpus)")
    process.send_signal(getattr(signal, sig))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert b"Traceback" not in stderr, stderr
    if sig != "SIGKILL":
        assert _temporaries(work) == [], _temporaries(work)
    assert not out.exists() or fmt == "brat" and not any(out.iterdir())
    # a live export's temporary file (this process is alive) must survive the next run's clean-up
    live = work / f".{out.name}.{os.getpid()}.0123abcd.tmp"
    live.write_text("in progress")
    outcome = run_cli("--db", str(big_db), "export", "--format", fmt, "--out", str(out))
    assert outcome.code == 0, outcome.stderr
    assert _temporaries(work) == [live]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
def test_out_never_replaces_a_fifo_or_a_device(small_db: Path, tmp_path: Path) -> None:
    """As root, `--out` on a device node replaced the node with a regular file."""
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.geteuid() == 0:
        node = tmp_path / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
        targets.append(node)
        link = tmp_path / "link-to-null"
        link.symlink_to(node)
        targets.append(link)
    for target in targets:
        kind = os.stat(target).st_mode
        for fmt in ("jsonl", "spacy"):
            outcome = run_script("--db", str(small_db), "export", "--format", fmt, "--out", str(target))
            assert_clean_error(outcome, "not a regular file")
            assert os.stat(target).st_mode == kind  # still the FIFO / the device
        assert _temporaries(tmp_path) == []


def test_out_through_a_symlink_writes_the_file_it_names(small_db: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    outcome = run_cli("--db", str(small_db), "export", "--format", "jsonl", "--out", str(link))
    assert outcome.code == 0, outcome.stderr
    assert link.is_symlink() and real.read_text().startswith("{")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_device_is_one_line(small_db: Path, tmp_path: Path) -> None:
    import subprocess

    from tests.support.cli_runner import console_script

    if os.geteuid() == 0:  # a /dev/full of our own: a regression must not replace the system's
        import stat

        full = tmp_path / "full"
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        outcome = run_script("--db", str(small_db), "export", "--format", "jsonl", "--out", str(full))
        assert_clean_error(outcome, str(full), "not a regular file")
        assert stat.S_ISCHR(os.stat(full).st_mode)
    with open("/dev/full", "w") as full:
        result = subprocess.run([console_script(), "--db", str(small_db), "export", "--format", "jsonl", "--out", "-"],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    problem = clean_error_problem(result.returncode, "", result.stderr, "standard output")
    assert problem is None, problem


def test_an_unwritable_folder_is_one_line(small_db: Path, tmp_path: Path) -> None:
    if not permissions_enforceable():
        pytest.skip("file permissions are not enforced here")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for fmt, out in (("jsonl", locked / "out.jsonl"), ("brat", locked / "brat"), ("spacy", locked / "x.spacy")):
            outcome = run_script("--db", str(small_db), "export", "--format", fmt, "--out", str(out),
                                 obey_permissions=True)
            assert_clean_error(outcome, str(locked))
    finally:
        locked.chmod(0o755)


def test_csv_counts_the_cells_it_neutralised(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "spans.csv"
    outcome = run_cli("--db", str(hostile_db), "export", "--format", "csv", "--out", str(out))
    assert outcome.code == 0, outcome.stderr
    with out.open(encoding="utf-8-sig", newline="") as fh:  # keep a cell's carriage return
        rows = list(csv.reader(fh))
    quoted = sum(1 for row in rows[1:] for cell in row if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"))
    assert quoted > 0
    assert f"{quoted} cells neutralised" in outcome.stdout, outcome.stdout
