"""``annotator schema``: the JSON Schemas of the data models, or the project's label schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import common_options, open_store


@click.command()
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
        from ..text.display import json_text

        click.echo(json_text(store.schema.model_dump(mode="json"), indent=2))
        return
    from ..models import json_schemas

    schemas = json_schemas()
    if write_dir is None:
        click.echo(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    write_dir.mkdir(parents=True, exist_ok=True)
    for name, body in schemas.items():
        (write_dir / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(schemas)} JSON Schemas to {write_dir}")
