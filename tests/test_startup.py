"""Start-up: each command imports only what it uses, so ``annotator --help`` and ``docs`` start fast.

Each case runs ``python -X importtime -m annotator ARGS`` in a fresh process and
reads the modules it imported from the importtime lines on stderr (no timing is
asserted: the figures are in ``benchmarks/bench_startup.py``).

* no command imports pandas or numpy (they come with sqlite-utils, spaCy, datasets);
* commands that show no screen never import Textual (0.1 s);
* ``--help`` and ``docs`` import neither pydantic nor Rich's console (0.08 s and 0.04 s);
* and, read from the source, no domain package imports the command line or the screens.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.models import DEFAULT_SCHEMA_PATH, Document, Span
from annotator.store import ImportRecord, Store

NEVER = ("pandas", "numpy")
NO_SCREEN = (*NEVER, "textual")
LIGHT = (*NO_SCREEN, "pydantic", "rich.console", "annotator.models")


def imported(args: list[str], cwd: Path) -> set[str]:
    """The modules ``annotator ARGS`` imports, from ``-X importtime`` (the command must succeed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ANNOTATOR_DB", "PYTHONIMPORTTIME")}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "annotator", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "annotator.cli" in names  # the lines were read (importtime printed them)
    return names


def offending(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A database with its own schema and two documents two annotators tagged (agreement computes every figure).

    The stored schema matters: reading it must not parse its colours with Textual again.
    """
    folder = tmp_path_factory.mktemp("startup")
    schema = json.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["labels"][0]["colour"] = "rgb(215, 135, 95)"
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(folder / "p.db"), "--schema", str(folder / "schema.json"), "schema",
                                      "--labels"])
    assert result.exit_code == 0, result.output
    texts = ["Sony said revenue rose 5% in 2024, Reuters reported.", "The city cut its budget by $48.6 million."]
    records = []
    for n, text in enumerate(texts):
        doc = Document.from_text(f"doc{n}.txt", text)
        spans = [
            Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator=who) for who in ("amy", "bob")
        ] + [Span(document_id=doc.id, start=5, end=9, label="CLAIM", annotator="amy")]
        records.append(ImportRecord(doc, spans))
    with Store(folder / "p.db") as store:
        store.import_records(records, actor="test")
    return folder


def test_help_imports_no_domain_code(project):
    modules = imported(["--help"], project)
    assert offending(modules, LIGHT) == []
    domain = ("annotator.store", "annotator.exporters", "annotator.importers", "annotator.tui", "annotator.text")
    assert offending(modules, domain) == []


def test_docs_imports_only_the_store(project):
    assert offending(imported(["--db", "p.db", "docs"], project), LIGHT) == []


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["agreement"],
        ["export", "--format", "jsonl", "--out", "out.jsonl"],
        ["export", "--format", "brat", "--out", "brat"],
        ["import", "extra.txt"],
        ["schema"],
        ["reviewers"],
        ["docs", "--json"],
    ],
)
def test_commands_without_a_screen_never_import_textual(project, args):
    (project / "extra.txt").write_text("One more document.", encoding="utf-8")
    assert offending(imported(["--db", "p.db", *args], project), NO_SCREEN) == []


SRC = Path(__file__).resolve().parent.parent / "src" / "annotator"
#: The layers above the domain: files -> importers -> store -> review | exporters, and only then cli and tui.
UPPER = ("annotator.cli", "annotator.tui")


def package_of(path: Path) -> str:
    """The package a module file's relative imports start from (annotator.review for review/agreement.py)."""
    parts = ("annotator", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1])


def absolute_imports(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, relative imports resolved (at any depth: lazy imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_no_domain_package_imports_the_command_line_or_the_screens():
    """``__main__.py`` (python -m annotator) is the entry point, above every layer."""
    domain = [p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] not in ("cli", "tui", "__main__.py")]
    assert len(domain) > 20
    upward = {
        str(p.relative_to(SRC)): sorted(
            n for n in absolute_imports(p.read_text(encoding="utf-8"), package_of(p)) if n.startswith(UPPER)
        )
        for p in domain
    }
    assert {k: v for k, v in upward.items() if v} == {}


def test_the_import_reader_resolves_relative_imports():
    """The test above must see an upward import however it is written."""
    source = "def f():\n    from ..tui.screens import review\n    from ... import cli\nimport annotator.cli.main\n"
    names = absolute_imports(source, "annotator.exporters")
    assert {"annotator.tui.screens.review", "annotator.cli", "annotator.cli.main"} <= names
    assert "annotator.exporters.tui.screens" in absolute_imports("from .tui.screens import x", "annotator.exporters")
    assert package_of(SRC / "review" / "agreement.py") == "annotator.review"
    assert package_of(SRC / "review" / "__init__.py") == "annotator.review"
