"""Bad databases: damaged, foreign and newer files; every command refuses each one cleanly and changes nothing."""

from __future__ import annotations

import importlib
import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..cli_runner import clean_error_problem, run_cli
from .figures import Figures, ReliabilityFailure, check
from .project import file_digest, make_project, make_project_with_a_span


def newer_database(path: Path, journal: str) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute("CREATE TABLE documents (id TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    return path


def foreign_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
    conn.commit()
    conn.close()
    return path


def bad_databases(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Damaged, foreign and newer database files made from ``good``: name -> (file, a word the error must say)."""
    data = good.read_bytes()
    cases: dict[str, tuple[Path, str]] = {}
    for size in (50, 100, 4096, len(data) // 2, len(data) - 1000, len(data) - 1):
        path = folder / f"truncated-{size}.db"
        path.write_bytes(data[:size])
        cases[f"truncated at {size} bytes"] = (path, "")
    (folder / "text.db").write_text("just some notes, not a database\n")
    cases["a text file"] = (folder / "text.db", "not")
    (folder / "random.db").write_bytes(random.Random(3).randbytes(8192))
    cases["random bytes"] = (folder / "random.db", "not")
    garbled = bytearray(data)
    garbled[100:4096] = random.Random(4).randbytes(3996)  # the schema page
    (folder / "garbled.db").write_bytes(bytes(garbled))
    cases["garbled schema page"] = (folder / "garbled.db", "")
    zeroed = bytearray(data)
    zeroed[4096:8192] = bytes(4096)
    (folder / "zeroed-page.db").write_bytes(bytes(zeroed))
    cases["a zeroed page"] = (folder / "zeroed-page.db", "")
    cases["newer version (WAL)"] = (newer_database(folder / "newer-wal.db", "WAL"), "newer")
    cases["newer version (rollback journal)"] = (newer_database(folder / "newer-delete.db", "DELETE"), "newer")
    cases["another program's SQLite file"] = (foreign_database(folder / "foreign.db"), "not an annotator database")
    (folder / "adir.db").mkdir(exist_ok=True)
    cases["a directory"] = (folder / "adir.db", "directory")
    return cases


#: Damage SQLite notices only when a command reads the broken page: a command that never reads it may
#: succeed; one that does must refuse cleanly. The screens are not started on them here.
DAMAGED_INSIDE = frozenset({"a zeroed page"})
SCREENS = frozenset({"annotate", "review"})


def command_lines(folder: Path, text_file: Path) -> list[list[str]]:
    """Every command that opens the database, with arguments that would otherwise work."""
    from annotator.cli import cli

    other = folder / "other-for-merge.db"
    if not other.exists():
        make_project(other, ["Another text to merge."])
    known = {
        "import": [["import", str(text_file)]],
        "docs": [["docs"], ["docs", "--json"]],
        "stats": [["stats"]],
        "schema": [["schema", "--labels"]],
        "annotate": [["annotate"]],
        "agreement": [["agreement"]],
        "review": [["review"]],
        "merge": [["merge", str(other)]],
        "reviewers": [["reviewers"]],
        "export": [["export", "--format", "jsonl", "--out", str(folder / "export-out.jsonl")]],
    }
    lines: list[list[str]] = []
    for name in cli.commands:
        lines += known.get(name, [[name]])
    return lines


@contextmanager
def screens_refused() -> Iterator[None]:
    """While inside, starting the annotation or review screen raises instead (a screen that starts
    on a bad database is a failure; this makes it one instead of a hang)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise ReliabilityFailure("a screen started on a bad database")

    patched = []
    for module_name, attr in (("annotator.tui.app", "run_annotation_app"),
                              ("annotator.tui.screens.review", "run_review_app")):
        module = importlib.import_module(module_name)
        patched.append((module, attr, getattr(module, attr)))
        setattr(module, attr, refuse)
    try:
        yield
    finally:
        for module, attr, original in patched:
            setattr(module, attr, original)


def run_bad_databases(workdir: str | Path) -> Figures:
    """Every command against every bad database: one clean line, exit 2, the file unchanged."""
    workdir = Path(workdir)
    figures = Figures()
    good = make_project_with_a_span(workdir / "good.db")
    text_file = workdir / "ok.txt"
    text_file.write_text("Sony said revenue rose 5% in the third quarter.\n", encoding="utf-8")
    problems: list[str] = []
    with screens_refused():
        for name, (path, needle) in bad_databases(workdir, good).items():
            for args in command_lines(workdir, text_file):
                if name in DAMAGED_INSIDE and args[0] in SCREENS:
                    continue
                figures.bad_databases += 1
                before = file_digest(path) if path.is_file() else None
                result = run_cli("--db", str(path), *args, catch=True)
                problem = clean_error_problem(result.code, result.stdout, result.stderr, needle)
                if name in DAMAGED_INSIDE and result.code == 0 and "Traceback" not in result.stderr:
                    problem = None
                if problem is None and before is not None and file_digest(path) != before:
                    problem = "the file changed"
                if problem:
                    problems.append(f"{name}, annotator {' '.join(args)}: {problem}")
                else:
                    figures.bad_databases_clean += 1
    check(not problems, f"{len(problems)} bad-database runs misbehaved: " + " | ".join(problems[:5]))
    return figures
