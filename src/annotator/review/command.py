"""The ``review``, ``agreement``, ``merge`` and ``reviewers`` commands (registered by ``cli.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..cli_support import annotator_name, common_options, open_store, shown, stderr_console, visible
from ..errors import AnnotatorError
from ..models import Status
from ..store import Store
from .agreement import DocumentAnnotations, agreement_report


def _names(value: str | None) -> list[str] | None:
    if not value:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    return names or None


def collect_documents(store: Store, only_done: bool = False) -> list[DocumentAnnotations]:
    """Each document with the span keys of everyone who annotated it (spans, or marked it done)."""
    out = []
    for doc in store.documents():
        statuses = store.statuses_for(doc.id)
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for span in store.spans_for(doc.id):
            spans.setdefault(span.annotator, []).append(span.key())
        for name, status in statuses.items():
            if status == Status.done:
                spans.setdefault(name, [])
        if only_done:
            spans = {k: v for k, v in spans.items() if statuses.get(k) == Status.done}
        out.append(DocumentAnnotations(doc.id, doc.name, doc.text, spans))
    return out


# -- agreement -----------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _figure_row(name: str, fig: dict[str, Any]) -> list[str]:
    ex, pa = fig["exact"], fig["partial"]
    return [
        shown(name), str(fig["documents"]), str(fig["spans"]), _fmt(ex["precision"]), _fmt(ex["recall"]), _fmt(ex["f1"]),
        _fmt(pa["f1"]), _fmt(fig["kappa"]), _fmt(fig.get("alpha")), str(fig["tokens"]),
    ]


def _figure_table(title: str | Text, first: str, width: int = 80) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    table.add_column(first, no_wrap=True, overflow="ellipsis", max_width=max(10, width - 68))
    for col in ("docs", "spans", "P", "R", "F1", "ovl F1", "kappa", "alpha", "tokens"):
        # kappa and alpha can be negative: '-0.042' takes six cells
        cells = 4 if col == "docs" else 6 if col in ("kappa", "alpha") else max(len(col), 5)
        table.add_column(col, justify="right", no_wrap=True, width=cells)
    return table


def print_agreement(report: dict[str, Any], console: Console) -> None:
    docs = report["documents"]
    if not docs["compared"]:
        console.print(
            f"no document was annotated by two or more of {visible(', '.join(report['annotators'])) or 'the annotators'} "
            f"({docs['single_annotator']} annotated by only one, left out)",
            markup=False, highlight=False,
        )
        return
    table = _figure_table(shown(f"agreement of {', '.join(report['annotators'])}"), "label", console.width)
    table.add_row(*_figure_row("all labels", report["overall"]), style="bold")
    for label, fig in report["per_label"].items():
        table.add_row(*_figure_row(label, fig))
    console.print(table)
    pairs = report["overall"]["pairs"]
    if len(pairs) > 1:
        ptable = _figure_table("per pair (all labels; precision takes the first name as reference)", "pair", console.width)
        for pair in pairs:
            row = _figure_row(" / ".join(pair["annotators"]), {**pair, "spans": "", "alpha": None})
            ptable.add_row(*row)
        console.print(ptable)
    if "by_document" in report:
        dtable = _figure_table("per document (all labels)", "document", console.width)
        for doc in report["by_document"]:
            dtable.add_row(*_figure_row(doc["name"], doc))
        console.print(dtable)
    console.print(
        f"{docs['compared']} documents compared; {docs['single_annotator']} annotated by only one person "
        f"(left out); {docs['not_annotated']} not annotated.\n"
        "P, R, F1: exact span match (same start, end, label). ovl F1: same label, overlapping. "
        "kappa: token-level Cohen's kappa over IOB2 tags (mean of pairs). "
        "alpha: Krippendorff's alpha (nominal) over the same tags.",
        highlight=False,
    )


@click.command()
@click.option("--annotators", "annotators", default=None, metavar="A,B,...",
              help="Whom to compare [default: everyone with spans].")
@click.option("--labels", default=None, metavar="L1,L2,...", help="Labels to count [default: all].")
@click.option("--status", type=click.Choice(["done", "any"]), default="any", show_default=True,
              help="'done': count an annotator on a document only once they marked it done.")
@click.option("--by-document", is_flag=True, help="Also give figures per document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@common_options
@click.pass_context
def agreement(
    ctx: click.Context, annotators: str | None, labels: str | None, status: str, by_document: bool, as_json: bool
) -> None:
    """Inter-annotator agreement: span F1 (exact and overlap), token kappa, Krippendorff's alpha.

    Only documents that two or more of the annotators annotated are compared;
    the rest are counted and left out. Each figure says how many documents and
    spans (or tokens) it rests on.
    """
    store = open_store(ctx, must_exist=True)
    names = _names(annotators)
    label_names = _names(labels)
    if label_names:
        unknown = [lab for lab in label_names if lab not in store.schema.label_names]
        if unknown:
            raise AnnotatorError(f"unknown label {unknown[0]!r}: the schema has {', '.join(store.schema.label_names)}")
    if names:
        known = set(store.annotators()) | {
            who for doc_id in store.document_ids() for who in store.statuses_for(doc_id)
        }
        missing = [n for n in names if n not in known]
        if missing:
            raise AnnotatorError(
                f"no annotations by {missing[0]!r} in {store.path} (annotators: {', '.join(sorted(known)) or 'none'})"
            )
        if len(names) < 2:
            raise AnnotatorError("agreement needs at least two annotators: pass --annotators A,B")
    report = agreement_report(
        collect_documents(store, only_done=status == "done"), names, label_names, by_document=by_document
    )
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print_agreement(report, Console())


# -- merge ---------------------------------------------------------------------------------------


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


# -- reviewers -----------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@common_options
@click.pass_context
def reviewers(ctx: click.Context) -> None:
    """List the project's reviewers; `reviewers add NAME` / `reviewers remove NAME` change them.

    Where reviewers are named, only they may write the gold layer (and change
    this list); where none are, anyone may review.
    """
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(ctx, must_exist=True)
    names = store.reviewers()
    click.echo(", ".join(names) if names else "no reviewers named: anyone may review")


@reviewers.command("add")
@click.argument("names", nargs=-1, required=True)
@common_options
@click.pass_context
def reviewers_add(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Name reviewers (the first one named can be yourself)."""
    store = open_store(ctx, must_exist=True)
    result = store.set_reviewers([*store.reviewers(), *names], actor=annotator_name(ctx))
    click.echo("reviewers: " + ", ".join(result))


@reviewers.command("remove")
@click.argument("names", nargs=-1, required=True)
@common_options
@click.pass_context
def reviewers_remove(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Remove reviewers; with none left, anyone may review."""
    store = open_store(ctx, must_exist=True)
    current = store.reviewers()
    missing = [n for n in names if n not in current]
    if missing:
        raise AnnotatorError(f"{missing[0]} is not a reviewer (reviewers: {', '.join(current) or 'none'})")
    result = store.set_reviewers([n for n in current if n not in names], actor=annotator_name(ctx))
    click.echo("reviewers: " + ", ".join(result) if result else "no reviewers named: anyone may review")


# -- review --------------------------------------------------------------------------------------


@click.command()
@click.option("--blind", is_flag=True, help="Hide annotators' names (they show as annotator 1, 2...).")
@click.option("--auto-accept", is_flag=True, help="Accept every agreed candidate into gold on opening (one action).")
@click.option("--document", "document", default=None, metavar="NAME", help="Start at this document (name or id).")
@common_options
@click.pass_context
def review(ctx: click.Context, blind: bool, auto_accept: bool, document: str | None) -> None:
    """Review: compare annotators' spans and build the gold layer.

    Candidates all annotators made identically are agreed; the others are
    disagreements. Accept (a) or reject (r) each, fix its label or boundaries,
    accept all agreed (A); every decision is saved with your name and can be
    undone (u). Press ? in the screen for every key.
    """
    store = open_store(ctx, must_exist=True)
    name = annotator_name(ctx)
    if not store.may_review(name):
        raise AnnotatorError(
            f"{name} is not a reviewer of this project (reviewers: {', '.join(store.reviewers())}); "
            "pass --annotator NAME or ask a reviewer to add you"
        )
    start = None
    if document:
        for doc_id, doc_name in store.document_names():
            if document in (doc_id, doc_name):
                start = doc_id
                break
        else:
            raise AnnotatorError(f"no document named {document!r} in {store.path}")
    if store.document_count() == 0:
        raise AnnotatorError(f"database {store.path} has no documents: import some first")
    from ..tui.screens.review import run_review_app

    run_review_app(store, name, blind=blind, auto_accept=auto_accept, start=start, mouse=ctx.find_root().obj.mouse)
