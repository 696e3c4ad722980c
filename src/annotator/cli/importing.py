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
    offsets: str | None = None, annotator_given: bool = False, skip_invalid: bool = False, text_key: str | None = None,
    context_out: list | None = None, discontinuous: str | None = None, scheme: str | None = None,
    answers: frozenset[str] | None = None, doccano_labels: Path | None = None,
) -> str:
    """Read every file under ``paths`` and import it in one transaction; the summary line, with
    what was left out counted (``context_out`` receives the ImportContext, for -v and invalid records)."""
    from ..importers import ImportContext, files_in, read_path
    from ..importers.jsonio import check_regular

    context = ImportContext(annotator=annotator, schema=store.schema, offsets=offsets, annotator_given=annotator_given,
                            skip_invalid=skip_invalid, text_key=text_key)
    context.discontinuous = discontinuous or "refuse"
    context.scheme = scheme
    context.doccano_labels = doccano_labels
    if answers:
        context.answers = answers
    if context_out is not None:
        context_out.append(context)
    files: list[tuple[Path, str | None]] = []
    for path in paths:
        check_regular(path)  # missing, a FIFO, a device: one line before anything is read
        if path.is_dir() and not _folder_format(fmt):
            files += [(child, fmt) for child in files_in(path, fmt)]
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

    # spans and relations a file holds twice are counted with the rest of what was left out
    return store.import_records(records(), actor=annotator, skip=context.skip).line() + context.summary()


def _answers(value: str | None) -> frozenset[str] | None:
    """``--answers accept,ignore``: the set, or a usage error naming what is not an answer."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    wrong = [name for name in names if name not in ("accept", "reject", "ignore")]
    if wrong or not names:
        raise click.BadParameter(f"{', '.join(map(repr, wrong)) or 'nothing'}: give one or more of accept, reject, "
                                 "ignore, separated by commas", param_hint="--answers")
    return frozenset(names)


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
              help="Unit of the file's offsets [default: utf16 for doccano, else codepoints].")
@click.option("--text-key", default=None, metavar="NAME",
              help="label-studio: the data field holding the text [default: text].")
@click.option("--discontinuous", type=click.Choice(["refuse", "outer", "split", "skip"]), default=None,
              help="brat: a span in several pieces is refused [default], read as one span over its gaps (outer), "
                   "as one span a piece (split), or left out (skip); each counted in the summary.")
@click.option("--scheme", type=click.Choice(["iob1", "iob2", "bioes"]), default=None,
              help="conll: the tag scheme [default: detected per file]; it decides which tags are counted as irregular.")
@click.option("--answers", default=None, metavar="A,B", callback=lambda _c, _p, v: _answers(v),
              help="jsonl (Prodigy): import the examples answered so, of accept, reject, ignore [default: accept; "
                   "the others are counted as skipped]; lines without an answer are always imported.")
@click.option("--doccano-labels", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="doccano 1.0-1.2 'JSONL' exports name labels by id: doccano's label export "
                   "(project_N_labels.json) names them.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid records and list the invalid ones (exit status 1) instead of refusing the file.")
@click.option("--verbose", "-v", is_flag=True, help="List what was skipped, with file and line.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@common_options
@click.pass_context
def import_command(
    ctx: click.Context, paths: tuple[Path, ...], fmt: str | None, offsets: str | None, text_key: str | None,
    skip_invalid: bool, discontinuous: str | None, scheme: str | None, answers: frozenset[str] | None,
    doccano_labels: Path | None, verbose: bool, quiet: bool,
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
        skip_invalid=skip_invalid, text_key=text_key, context_out=contexts, discontinuous=discontinuous,
        scheme=scheme, answers=answers, doccano_labels=doccano_labels,
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
