"""``annotator import``: documents (and the annotations they carry) from files or folders."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import AnnotatorError
from .options import LazyChoice, annotator_name, common_options, open_store, settings, stderr_console

if TYPE_CHECKING:
    from ..store import ImportRecord, Store


def import_paths(
    store: Store, paths: list[Path], fmt: str | None, annotator: str, quiet: bool,
    offsets: str | None = None, annotator_given: bool = False, skip_invalid: bool = False,
    context_out: list | None = None,
) -> str:
    """Read every file under ``paths`` and import it in one transaction; the summary line, with
    what was left out counted (``context_out`` receives the ImportContext, for -v and invalid records)."""
    from ..importers import ImportContext, files_in, read_path

    context = ImportContext(annotator=annotator, schema=store.schema, offsets=offsets, annotator_given=annotator_given,
                            skip_invalid=skip_invalid)
    if context_out is not None:
        context_out.append(context)
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

    return store.import_records(records(), actor=annotator).line() + context.summary()


def _folder_format(fmt: str | None) -> bool:
    from ..importers import IMPORTERS

    return bool(fmt and getattr(IMPORTERS.get(fmt), "READS_FOLDERS", False))


def _format_names() -> list[str]:
    from ..importers import IMPORTERS

    return sorted(IMPORTERS)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=LazyChoice(_format_names), default=None,
              help="Input format [default: guessed from each file].")
@click.option("--offsets", type=click.Choice(["utf16", "codepoints"]), default=None,
              help="Unit of the file's offsets [default: utf16 for doccano and label-studio, else codepoints].")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid records and list the invalid ones (exit status 1) instead of refusing the file.")
@click.option("--verbose", "-v", is_flag=True, help="List what was skipped, with file and line.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@common_options
@click.pass_context
def import_command(
    ctx: click.Context, paths: tuple[Path, ...], fmt: str | None, offsets: str | None, skip_invalid: bool,
    verbose: bool, quiet: bool,
) -> None:
    """Import documents (and any annotations they carry) from files or folders.

    Text (.txt, .md) is one document a file; JSONL is one document a line,
    {"text": ..., "meta": {...}}, optionally with "spans" and "relations".
    Folders are read recursively. The whole import is one transaction: on any
    error nothing is written.
    """
    from ..text import visible

    store = open_store(ctx)
    contexts: list = []
    line = import_paths(
        store, list(paths), fmt, annotator_name(ctx), quiet, offsets, settings(ctx).annotator is not None,
        skip_invalid=skip_invalid, context_out=contexts,
    )
    context = contexts[0]
    if not quiet:
        click.echo(visible(line))
        if verbose:
            for where in context.skipped_where:
                click.echo(f"  skipped {visible(where)}")
    for record in context.invalid_records:
        click.echo(f"invalid, not imported: {visible(record)}", err=True)
    if context.invalid_records:
        ctx.exit(1)
