"""Fixtures for the format tests: a small project with every kind of annotation in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotator.cli import cli
from annotator.exporters import ExportOptions, Selection, export_records, exporter
from annotator.exporters import write_export
from annotator.importers import ImportContext, read_path
from annotator.models import Document, Relation, Span, Status
from annotator.store import ImportRecord, Store

NEWS = "Sony said revenue rose 5%. 😀 Reuters reported it.\nSecond line, by AP."
EMOJI = "Ünïcödé 👩🏽\u200d💻 works at ACME in 東京."
QUIET = "Nothing to tag here."


@dataclass
class Project:
    path: Path
    store: Store
    news: Document
    emoji: Document
    quiet: Document


def span(doc: Document, text: str, label: str, annotator: str, note: str = "", nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(text, start + 1)
    return Span(document_id=doc.id, start=start, end=start + len(text), label=label, annotator=annotator, note=note)


def build_project(path: Path) -> Project:
    store = Store(path)
    news = Document.from_text("news.txt", NEWS, {"source": "wire"})
    emoji = Document.from_text("emoji", EMOJI)
    quiet = Document.from_text("quiet", QUIET)
    claim = span(news, "Sony said revenue rose 5%", "CLAIM", "alice")
    sony = span(news, "Sony", "ENTITY", "alice", note="=HYPERLINK(\"x\")")
    figure = span(news, "5%", "FIGURE", "alice")
    reuters = span(news, "Reuters", "SOURCE", "alice")
    records = [
        ImportRecord(
            news, [claim, sony, figure, reuters],
            [Relation(document_id=news.id, head=claim.id, child=reuters.id, label="ATTRIBUTED_TO", annotator="alice")],
        ),
        ImportRecord(news, [span(news, "Sony", "ENTITY", "bob"), span(news, "AP", "SOURCE", "bob")]),
        ImportRecord(emoji, [span(emoji, "ACME", "ENTITY", "alice"), span(emoji, "東京", "ENTITY", "alice")]),
        ImportRecord(quiet),
    ]
    store.import_records(records, actor="test")
    store.set_status(news.id, "alice", Status.done)
    return Project(path, store, news, emoji, quiet)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = build_project(tmp_path / "project.db")
    yield p
    p.store.close()


def export_to(store: Store, fmt: str, out: Path | str, selection: Selection | None = None, **options):
    """Export through the same code as the command (without the command line)."""
    module = exporter(fmt)
    opts = ExportOptions(schema=store.schema, out=None if out == "-" else Path(out), **options)
    return write_export(module, export_records(store, selection or Selection()), str(out), opts)


def import_from(store: Store, path: Path, fmt: str | None, annotator: str = "importer", **context):
    ctx = ImportContext(annotator=annotator, schema=store.schema, **context)
    return store.import_records(read_path(path, fmt, ctx), actor=annotator)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit status 2, one line on stderr, no traceback, and the message names what matters."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def table_snapshot(store: Store) -> dict:
    """Everything the import could have changed."""
    return {
        "documents": list(store.db.query("SELECT id, name, text, meta FROM documents ORDER BY seq")),
        **store.table_state(),
        "events": store.conn.execute("SELECT count(*) FROM events").fetchone()[0],
    }
