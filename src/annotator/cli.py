"""The command line: ``annotator [OPTIONS] [COMMAND]``; no command opens the annotation screen.

The common options (``--db``, ``--annotator``, ``--schema``, ``--no-mouse``)
work before or after the command name, so ``annotator --db X import F`` and
``annotator import F --db X`` are the same. A problem the user can fix is an
:class:`AnnotatorError`: one line on stderr, exit status 2, nothing changed.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .errors import AnnotatorError
from .models import json_schemas
from .store import ImportRecord, Store

from .cli_support import (
    _no_mouse,
    _remember,
    _settings,
    annotator_name,
    common_options,
    open_store,
    shown,
    stderr_console,
    visible,
)
from .exporters.command import export
from .review.command import agreement, merge, review, reviewers


class AnnotatorGroup(click.Group):
    """A group that turns AnnotatorError into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnotatorError as exc:
            click.echo(f"error: {visible(exc)}", err=True)
            ctx.exit(2)
        except sqlite3.DatabaseError as exc:
            # damage SQLite only notices when a command reads the broken page (not at open)
            from .store import _friendly

            click.echo(f"error: {visible(_friendly(exc, _settings(ctx).db_path))}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted: every finished action is saved", err=True)
            ctx.exit(130)


@click.group(cls=AnnotatorGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(), expose_value=False, callback=_remember("db"), is_eager=True,
              envvar="ANNOTATOR_DB", help="Database file [default: $ANNOTATOR_DB, else ./annotations.db].")
@click.option("--annotator", type=str, expose_value=False, callback=_remember("annotator"), is_eager=True,
              help="Who is annotating [default: your login name].")
@click.option("--schema", type=click.Path(), expose_value=False, callback=_remember("schema"), is_eager=True,
              help="Label schema JSON file; becomes the project's schema.")
@click.option("--no-mouse", is_flag=True, expose_value=False, callback=_no_mouse,
              help="Do not capture the mouse (less traffic over slow SSH links).")
@click.version_option(package_name="annotator")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Annotate documents in the terminal: tag spans, link them, review, export.

    With no command, opens the annotation screen (same as `annotator annotate`).
    Every action is saved to the database at once; there is no save step.
    """
    _settings(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(annotate)


@cli.command()
@common_options
@click.pass_context
def annotate(ctx: click.Context) -> None:
    """Open the annotation screen (the default command).

    On an empty database started in a folder with sample_docs/, the sample
    documents are imported first so there is something to annotate.
    """
    store = open_store(ctx)
    name = annotator_name(ctx)
    if store.document_count() == 0 and Path("sample_docs").is_dir() and not store.readonly:
        _import_paths(store, [Path("sample_docs")], None, name, quiet=True)
    from .tui.app import run_annotation_app

    run_annotation_app(store, name, mouse=_settings(ctx).mouse)


def _import_paths(
    store: Store, paths: list[Path], fmt: str | None, annotator: str, quiet: bool,
    offsets: str | None = None, annotator_given: bool = False,
) -> str:
    from .importers import ImportContext, files_in, read_path

    context = ImportContext(annotator=annotator, schema=store.schema, offsets=offsets, annotator_given=annotator_given)
    files: list[tuple[Path, str | None]] = []
    for path in paths:
        if not path.exists():
            raise AnnotatorError(f"{path} does not exist: check the path")
        if path.is_dir() and not _folder_format(fmt):
            files += [(child, fmt) for child in files_in(path)]
        else:
            files.append((path, fmt))
    if not files:
        raise AnnotatorError(f"no importable files in {', '.join(map(str, paths))} (.txt, .md, .jsonl...)")

    def records() -> Iterator[ImportRecord]:
        show = not quiet and len(files) > 1 and sys.stderr.isatty()
        if not show:
            for path, f in files:
                yield from read_path(path, f, context)
            return
        from rich.progress import Progress

        with Progress(console=stderr_console(), transient=True) as progress:
            task = progress.add_task("importing", total=len(files))
            for path, f in files:
                yield from read_path(path, f, context)
                progress.advance(task)

    return store.import_records(records(), actor=annotator).line()


def _folder_format(fmt: str | None) -> bool:
    from .importers import IMPORTERS

    return bool(fmt and getattr(IMPORTERS.get(fmt), "READS_FOLDERS", False))


def _format_names() -> list[str]:
    from .importers import IMPORTERS

    return sorted(IMPORTERS)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_format_names()), default=None,
              help="Input format [default: guessed from each file].")
@click.option("--offsets", type=click.Choice(["utf16", "codepoints"]), default=None,
              help="Unit of the file's offsets [default: utf16 for doccano and label-studio, else codepoints].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@common_options
@click.pass_context
def import_command(
    ctx: click.Context, paths: tuple[Path, ...], fmt: str | None, offsets: str | None, quiet: bool
) -> None:
    """Import documents (and any annotations they carry) from files or folders.

    Text (.txt, .md) is one document a file; JSONL is one document a line,
    {"text": ..., "meta": {...}}, optionally with "spans" and "relations".
    Folders are read recursively. The whole import is one transaction: on any
    error nothing is written.
    """
    store = open_store(ctx)
    line = _import_paths(
        store, list(paths), fmt, annotator_name(ctx), quiet, offsets, _settings(ctx).annotator is not None
    )
    if not quiet:
        click.echo(line)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@common_options
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List documents with each annotator's status and span count."""
    store = open_store(ctx, must_exist=True)
    rows = store.overview()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=shown(f"{len(rows)} documents in {store.path}"))
    for col in ("#", "name", "chars", "annotators (status, spans)"):
        table.add_column(col, justify="right" if col in ("#", "chars") else "left")
    for row in rows:
        people = sorted(set(row["spans"]) | set(row["status"]))
        detail = ", ".join(f"{p} ({row['status'].get(p, 'todo')}, {row['spans'].get(p, 0)})" for p in people)
        table.add_row(str(row["position"]), shown(row["name"]), str(row["characters"]), shown(detail or "-"))
    Console().print(table)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@common_options
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count spans per label and per annotator."""
    store = open_store(ctx, must_exist=True)
    counts = store.label_counts()
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    labels = store.schema.label_names
    extra = sorted({label for per in counts.values() for label in per} - set(labels))
    table = Table(title=shown(f"spans per label and annotator in {store.path}"))
    table.add_column("annotator")
    for label in labels + extra:
        table.add_column(shown(label), justify="right")
    table.add_column("total", justify="right")
    totals = {label: 0 for label in labels + extra}
    for annotator, per in counts.items():
        for label, n in per.items():
            totals[label] += n
        table.add_row(shown(annotator), *(str(per.get(label, 0)) for label in labels + extra), str(sum(per.values())))
    table.add_row("all", *(str(totals[label]) for label in labels + extra), str(sum(totals.values())), style="bold")
    Console().print(table)


@cli.command()
@click.option("--write", "write_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one .schema.json file per model into this folder.")
@click.option("--labels", "show_labels", is_flag=True, help="Print the project's label schema instead.")
@common_options
@click.pass_context
def schema(ctx: click.Context, write_dir: Path | None, show_labels: bool) -> None:
    """Print the JSON Schemas generated from the data models.

    The files under schemas/ are these, checked by a test so they never drift.
    """
    if show_labels:
        store = open_store(ctx)
        click.echo(store.schema.model_dump_json(indent=2))
        return
    schemas = json_schemas()
    if write_dir is None:
        click.echo(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    write_dir.mkdir(parents=True, exist_ok=True)
    for name, body in schemas.items():
        (write_dir / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(schemas)} JSON Schemas to {write_dir}")


for _command in (export, review, agreement, merge, reviewers):
    cli.add_command(_command)


def main() -> None:
    """The console script: exit statuses are 0 (done), 2 (a problem to fix), 130 (interrupted)."""
    cli(prog_name="annotator")


if __name__ == "__main__":
    main()
