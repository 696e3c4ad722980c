"""``annotator merge OTHER.db``: copy another annotator database into this one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import AnnotatorError
from .options import common_options, open_store, stderr_console, visible


@click.command()
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line (and errors).")
@common_options
@click.pass_context
def merge(ctx: click.Context, other: Path, quiet: bool) -> None:
    """Copy another annotator database (OTHER.db) into this one.

    Documents are matched by their text; spans, relations, statuses, gold
    decisions and the event log are copied with their annotators and ids.
    Merging the same file twice adds nothing. A row that exists on both sides
    with different content is a conflict: listed, and left as it is here. One
    transaction: on any error nothing changes.
    """
    store = open_store(ctx)
    if not other.exists():
        raise AnnotatorError(f"cannot merge {other}: no such file")
    if sys.stderr.isatty() and not quiet:
        from rich.progress import Progress

        with Progress(console=stderr_console(), transient=True) as progress:
            task = progress.add_task(f"merging {other.name}", total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = store.merge_from(other, progress=update)
    else:
        report = store.merge_from(other)
    click.echo(visible(report.line()))
    if not quiet:
        for conflict in report.conflicts:
            click.echo(f"conflict: {visible(conflict)}")
