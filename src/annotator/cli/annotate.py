"""``annotator annotate`` (and ``annotator`` with no command): open the annotation screen."""

from __future__ import annotations

from pathlib import Path

import click

from .importing import import_paths
from .options import annotator_name, check_drawable, common_options, keymap_option, open_store, screen_keymap, settings


@click.command()
@common_options
@keymap_option()
@click.pass_context
def annotate(ctx: click.Context) -> None:
    """Open the annotation screen (the default command).

    On an empty database started in a folder with sample_docs/, the sample
    documents are imported first so there is something to annotate.
    """
    store = open_store(ctx)
    name = annotator_name(ctx)
    if store.document_count() == 0 and Path("sample_docs").is_dir() and not store.readonly:
        import_paths(store, [Path("sample_docs")], None, name, quiet=True)
    check_drawable(store)
    keymap = screen_keymap(ctx, store)
    from ..tui.app import run_annotation_app

    run_annotation_app(store, name, mouse=settings(ctx).mouse, keymap=keymap)
