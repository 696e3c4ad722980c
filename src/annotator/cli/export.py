"""``annotator export``: select records, stream them to a format module, report.

``--annotator`` here is a *filter* (repeatable: whose annotations to export),
not the common "who I am" option, so this command takes the other common
options (``--db``, ``--schema``, ``--no-mouse``) but defines its own
``--annotator``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import AnnotatorError
from .options import label_list as _label_list, LazyChoice, open_store, place_options, stderr_console, visible

if TYPE_CHECKING:
    from ..exporters import ExportRecord
    from ..store import Store


def _format_names() -> list[str]:
    from ..exporters import FORMAT_MODULES

    return list(FORMAT_MODULES)


def _units() -> tuple[str, ...]:
    from ..text.offsets import UNITS

    return UNITS


def _statuses() -> list[str]:
    from ..models import Status

    return [s.value for s in Status]


@click.command("export")
@click.option("--format", "fmt", type=LazyChoice(_format_names), required=True, help="Output format.")
@click.option("--out", "out", required=True, metavar="PATH",
              help="Output file; a folder for brat (and for doccano when it ends in /: one <annotator>.jsonl each); "
                   "- for standard output (text formats).")
@click.option("--annotator", "annotators", multiple=True, metavar="NAME",
              help="Export only this annotator's annotations (repeatable) [default: everyone's].")
@click.option("--labels", default=None, metavar="L1,L2", help="Export only spans with these labels.")
@click.option("--status", type=LazyChoice(_statuses), default=None,
              help="Only documents the annotator marked with this status (e.g. done).")
@click.option("--gold", is_flag=True, help="Export the reviewed (gold) layer instead of the annotators' spans.")
@click.option("--offsets", type=LazyChoice(_units), default=None,
              help="Offset unit for label-studio, doccano, brat, csv [default: utf16 for doccano, else codepoints].")
@click.option("--spans-key", default=None, metavar="KEY", help="spacy: the doc.spans key [default: sc].")
@click.option("--ents", default=None, metavar="L1,L2", help="spacy: also fill doc.ents from these labels.")
@click.option("--lang", default=None, metavar="CODE", help="spacy: language of the blank tokenizer [default: en].")
@click.option("--overlap", type=click.Choice(["refuse", "outer", "inner"]), default=None,
              help="conll: overlapping spans are refused [default], or the outer/inner ones kept.")
@click.option("--relations", is_flag=True, help="doccano: write the entities/relations form.")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="label-studio: where to write the labeling config [default: beside --out as NAME.config.xml].")
@click.option("--verbose", "-v", is_flag=True, help="List every span left out, not just the count.")
@place_options
@click.pass_context
def export(
    ctx: click.Context, fmt: str, out: str, annotators: tuple[str, ...], labels: str | None, status: str | None,
    gold: bool, offsets: str | None, spans_key: str | None, ents: str | None, lang: str | None,
    overlap: str | None, relations: bool, config: Path | None, verbose: bool,
) -> None:
    """Export annotations: one record per document and annotator, streamed.

    Formats: jsonl (native, Prodigy/spaCy spans), spacy (DocBin), brat,
    conll (IOB2), label-studio, doccano, csv. Nothing is written unless the
    whole export succeeds; spans a format cannot hold are reported, never moved.
    """
    from ..exporters import ExportOptions, Selection, export_records, exporter, write_export
    from ..models import Status

    module = exporter(fmt)
    _check_format_options(fmt, module, offsets=offsets, spans_key=spans_key, ents=ents, lang=lang,
                          overlap=overlap, relations=relations, config=config)
    if gold and (annotators or status):
        raise AnnotatorError("--gold exports the reviewed layer: leave out --annotator and --status")
    store = open_store(ctx, must_exist=True)
    schema = store.schema
    selection = Selection(
        annotators=list(annotators), labels=_label_list(labels, schema.label_names, "--labels"),
        status=Status(status) if status else None, gold=gold,
    )
    to_stdout = out == "-"
    options = ExportOptions(
        schema=schema, out=None if to_stdout else Path(out), offsets=offsets, spans_key=spans_key or "sc",
        ents=_label_list(ents, schema.label_names, "--ents"), overlap=overlap or "refuse", relations=relations,
        config=config, lang=lang or "en", verbose=verbose, gold=gold,
    )
    if to_stdout and module.TARGET != "text":
        raise AnnotatorError(f"{module.FORMAT} cannot be written to standard output: pass --out PATH")
    seen: set[str] = set()
    records = _with_progress(_noting_annotators(export_records(store, selection), seen), store)
    try:
        with _interrupted_by_signals():
            summary = write_export(module, records, out, options)
    except AnnotatorError as exc:
        outcome = "the output on standard output is incomplete" if to_stdout else f"nothing was written to {out}"
        raise AnnotatorError(f"{exc} ({outcome})") from None
    click.echo(visible(summary.line("standard output" if to_stdout else out, verbose)), err=to_stdout)
    missing = [name for name in dict.fromkeys(annotators) if name not in seen]
    if missing:
        # A mistyped name is not an error (the export is valid and empty for it), but never silent.
        known = ", ".join(visible(name) for name in store.annotators()) or "none"
        click.echo(f"warning: --annotator {', '.join(visible(name) for name in missing)}: nothing by them "
                   f"was exported (annotators with spans: {known})", err=True)


@contextmanager
def _interrupted_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal) end the export like ctrl+c: the temporary file or folder
    is removed on the way out, as nothing catches SIGKILL (the next export to the target removes that)."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _noting_annotators(records: Iterator[ExportRecord], seen: set[str]) -> Iterator[ExportRecord]:
    for record in records:
        seen.add(record.annotator)
        yield record


def _check_format_options(fmt: str, module, **given: object) -> None:
    """Refuse an option the chosen format would ignore: a user who passes it expects an effect."""
    owners = {"spans_key": "spacy", "ents": "spacy", "lang": "spacy", "overlap": "conll",
              "relations": "doccano", "config": "label-studio"}
    for name, value in given.items():
        if name == "offsets":
            if value and value not in module.UNITS:
                units = ", ".join(module.UNITS) or "none (it has no character offsets)"
                raise AnnotatorError(f"--offsets {value} does not apply to {fmt}: its offsets are {units}")
            continue
        if value and owners[name] != fmt:
            raise AnnotatorError(f"--{name.replace('_', '-')} applies to --format {owners[name]} only")


def _with_progress(records: Iterator[ExportRecord], store: Store) -> Iterator[ExportRecord]:
    """The records, advancing a progress bar on stderr per document when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield from records
        return
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task("exporting", total=store.document_count())
        last = None
        for record in records:
            if record.document.id != last:
                progress.advance(task)
                last = record.document.id
            yield record
