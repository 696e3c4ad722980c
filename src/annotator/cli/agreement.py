"""``annotator agreement``: inter-annotator agreement figures, as tables or JSON.

The figures are computed in :mod:`annotator.review.agreement`; this module
gathers each document's spans from the store and prints the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..errors import AnnotatorError
from .options import label_list, common_options, open_store, shown, visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..review.agreement import DocumentAnnotations
    from ..store import Store


def _names(value: str | None) -> list[str] | None:
    if not value:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    return names or None


def collect_documents(store: Store, only_done: bool = False, people_only: bool = True) -> list[DocumentAnnotations]:
    """Each document with the span keys of everyone who annotated it (spans, or marked it done);
    imported predictions (``prediction:<model>``) only when ``people_only`` is False."""
    from ..models import Status
    from ..review.agreement import DocumentAnnotations
    from ..review.candidates import is_prediction

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
        if people_only:
            spans = {k: v for k, v in spans.items() if not is_prediction(k)}
        out.append(DocumentAnnotations(doc.id, doc.name, doc.text, spans))
    return out


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _figure_row(name: str, fig: dict[str, Any]) -> list[str]:
    ex, pa = fig["exact"], fig["partial"]
    return [
        shown(name), str(fig["documents"]), str(fig["spans"]), _fmt(ex["precision"]), _fmt(ex["recall"]), _fmt(ex["f1"]),
        _fmt(pa["f1"]), _fmt(fig["kappa"]), _fmt(fig.get("alpha")), str(fig["tokens"]),
    ]


def _figure_table(title: str | Text, first: str, width: int = 80) -> Table:
    from rich import box
    from rich.table import Table

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
    label_names = label_list(labels, store.schema.label_names, "--labels") or None  # a name may hold a comma
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
    from ..review.agreement import agreement_report

    report = agreement_report(
        collect_documents(store, only_done=status == "done", people_only=not names), names, label_names,
        by_document=by_document
    )
    if as_json:
        click.echo(_json_text(report, indent=2))
        return
    from rich.console import Console

    print_agreement(report, Console())


def _json_text(value: object, **options: object) -> str:
    """--json output: exact JSON, with every character a terminal would act on as a \\u escape."""
    from ..text.display import json_text

    return json_text(value, **options)
