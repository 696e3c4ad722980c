"""``annotator docs``: the documents with each annotator's status and span count.

The most used listing, so it stays among the fastest commands: no Rich
(:mod:`.table` prints the table), and nothing but the store is imported.
"""

from __future__ import annotations


import click

from .options import common_options, open_store, visible
from .table import echo_table


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@common_options
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List documents with each annotator's status and span count."""
    store = open_store(ctx, must_exist=True)
    rows = store.overview()
    if as_json:
        click.echo(_json_text(rows, indent=2))
        return
    table = []
    for row in rows:
        people = sorted(set(row["spans"]) | set(row["status"]))
        detail = ", ".join(f"{p} ({row['status'].get(p, 'todo')}, {row['spans'].get(p, 0)})" for p in people)
        table.append([str(row["position"]), visible(row["name"]), str(row["characters"]), visible(detail or "-")])
    echo_table(
        visible(f"{len(rows)} documents in {store.path}"), ["#", "name", "chars", "annotators (status, spans)"],
        table, right=(0, 2), wrap=(1, 3),
    )


def _json_text(value: object, **options: object) -> str:
    """--json output: exact JSON, with every character a terminal would act on as a \\u escape."""
    from ..text.display import json_text

    return json_text(value, **options)
