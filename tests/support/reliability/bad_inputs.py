"""Bad inputs: the committed corpus (tests/bad_inputs) and large generated files through ``annotator import``.

Each is refused with one clear line and leaves the database unchanged, or (cases marked ``accept``:
hostile but valid) is imported intact.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from annotator.store import Store

from .. import TESTS_DIR
from ..cli_runner import clean_error_problem, run_cli
from .figures import Figures, check
from .project import db_dump, make_project_with_a_span

BAD_INPUTS_DIR = TESTS_DIR / "bad_inputs"


@dataclass
class InputCase:
    name: str
    path: Path
    format: str | None
    expect: str = ""
    accept: bool = False
    why: str = ""


def manifest() -> dict[str, dict]:
    """tests/bad_inputs/manifest.json: file name -> format, expected error words, accept, why."""
    return json.loads((BAD_INPUTS_DIR / "manifest.json").read_text(encoding="utf-8"))


def corpus_case(name: str, spec: dict) -> InputCase:
    """One committed corpus file as a case, from its manifest entry."""
    return InputCase(name, BAD_INPUTS_DIR / name, spec.get("format"), spec.get("expect", ""),
                     spec.get("accept", False), spec.get("why", ""))


def bad_input_cases(scratch: Path, huge_mb: int = 8) -> list[InputCase]:
    """The committed corpus (tests/bad_inputs/manifest.json) plus large files generated here."""
    cases = [corpus_case(name, spec) for name, spec in manifest().items()]
    scratch.mkdir(parents=True, exist_ok=True)
    size = huge_mb * 1024 * 1024
    huge_text = scratch / "huge-single-line.txt"
    with huge_text.open("w", encoding="utf-8") as fh:
        chunk = "word " * 1000
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    cases.append(InputCase("huge-single-line.txt", huge_text, None, accept=True,
                           why=f"{huge_mb} MB on one line: a valid (if odd) document"))
    huge_json = scratch / "huge-line-invalid.jsonl"
    with huge_json.open("w", encoding="utf-8") as fh:
        fh.write('{"text": "' + "x" * size + '", "spans": [oops]}\n')
    cases.append(InputCase("huge-line-invalid.jsonl", huge_json, "jsonl", "invalid JSON",
                           why=f"{huge_mb} MB JSON line, broken at the end"))
    many = scratch / "many-lines-last-bad.jsonl"
    with many.open("w", encoding="utf-8") as fh:
        for i in range(20000):
            fh.write(json.dumps({"text": f"Document number {i} of many."}) + "\n")
        fh.write('{"text": "last", "spans": [{"start": 0, "end": 99, "label": "ENTITY"}]}\n')
    cases.append(InputCase("many-lines-last-bad.jsonl", many, "jsonl", "line 20001",
                           why="20,000 good lines then a bad one: nothing imported"))
    return cases


def template_db(folder: Path) -> Path:
    """The small project each case is imported into a copy of (made once per folder)."""
    template = folder / "template.db"
    if not template.exists():
        make_project_with_a_span(template)
    return template


def try_input(case: InputCase, folder: Path) -> str | None:
    """Import one case into a copy of a small project via the CLI; None if it behaved, else the problem."""
    db = folder / f"case-{hashlib.sha1(case.name.encode()).hexdigest()[:10]}.db"
    shutil.copy(template_db(folder), db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    dump = db_dump(db)
    args = ["--db", str(db), "import", str(case.path), "--annotator", "tester"]
    if case.format:
        args += ["--format", case.format]
    result = run_cli(*args, catch=True)
    stderr = result.stderr
    try:
        if case.accept:
            if result.code != 0 or "Traceback" in stderr:
                return f"refused a valid input (exit {result.code}): {stderr[-800:]}"
            with Store(db) as store:
                check(store.integrity_ok(), "integrity")
                if case.path.suffix in (".txt",) and case.path.stat().st_size < 1_000_000:
                    from annotator.importers.text import read_file_text

                    wanted = read_file_text(case.path)
                    texts = [d.text for d in store.documents()]
                    if wanted not in texts:
                        return "the stored text differs from the file"
            return None
        problem = clean_error_problem(result.code, result.stdout, stderr, case.expect)
        if problem:
            return problem
        # the main file byte for byte, and the content (a rolled-back transaction may leave
        # uncommitted frames in the -wal, which SQLite ignores)
        if hashlib.sha256(db.read_bytes()).hexdigest() != before or db_dump(db) != dump:
            return "the database changed"
        return None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_bad_inputs(workdir: str | Path, huge_mb: int = 8) -> Figures:
    """Every corpus case through ``annotator import``: refused cleanly and nothing changed (or, for
    the valid-but-hostile ones, imported intact)."""
    workdir = Path(workdir)
    figures = Figures()
    problems = []
    for case in bad_input_cases(workdir / "generated", huge_mb):
        figures.bad_inputs += 1
        problem = try_input(case, workdir)
        if problem:
            problems.append(f"{case.name} ({case.why}): {problem}")
        elif case.accept:
            figures.hostile_valid_imported += 1
        else:
            figures.bad_inputs_rejected += 1
    check(not problems, f"{len(problems)} bad inputs misbehaved: " + " | ".join(problems[:8]))
    return figures
