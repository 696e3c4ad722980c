"""``annotator stats``: spans per label and per annotator."""

from __future__ import annotations


import click

from .options import common_options, open_store, visible
from .table import echo_table


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@common_options
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count spans per label and per annotator."""
    store = open_store(ctx, must_exist=True)
    counts = store.label_counts()
    if as_json:
        click.echo(_json_text(counts, indent=2))
        return
    labels = store.schema.label_names
    labels += sorted({label for per in counts.values() for label in per} - set(labels))
    totals = {label: 0 for label in labels}
    rows = []
    for annotator, per in counts.items():
        for label, n in per.items():
            totals[label] += n
        rows.append([visible(annotator), *(str(per.get(label, 0)) for label in labels), str(sum(per.values()))])
    rows.append(["all", *(str(totals[label]) for label in labels), str(sum(totals.values()))])
    echo_table(
        visible(f"spans per label and annotator in {store.path}"), ["annotator", *map(visible, labels), "total"],
        rows, right=range(1, len(labels) + 2), wrap=(0,), total_row=True,
    )
    duplicates = store.duplicates()  # only a database from before layout 5 can hold any
    if duplicates:
        click.echo(visible(f"note: {duplicates.line()} (the counts above include them)"))


def _json_text(value: object, **options: object) -> str:
    """--json output: exact JSON, with every character a terminal would act on as a \\u escape."""
    from ..text.display import json_text

    return json_text(value, **options)
