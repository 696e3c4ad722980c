"""``annotator review`` (the review screen) and ``annotator reviewers`` (who may write the gold layer)."""

from __future__ import annotations

import click

from ..errors import AnnotatorError
from .options import (
    annotator_name, check_drawable, common_options, keymap_option, open_store, screen_keymap, settings, visible,
)


@click.command()
@click.option("--blind", is_flag=True, help="Hide annotators' names (they show as annotator 1, 2...).")
@click.option("--auto-accept", is_flag=True, help="Accept every agreed candidate into gold on opening (one action).")
@click.option("--document", "document", default=None, metavar="NAME", help="Start at this document (name or id).")
@common_options
@keymap_option()
@click.pass_context
def review(ctx: click.Context, blind: bool, auto_accept: bool, document: str | None) -> None:
    """Review: compare annotators' spans and build the gold layer.

    Candidates all annotators made identically are agreed; the others are
    disagreements. Accept (a) or reject (x) each, fix its label or boundaries,
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
    check_drawable(store)
    keymap = screen_keymap(ctx, store)
    from ..tui.screens.review import run_review_app

    run_review_app(store, name, blind=blind, auto_accept=auto_accept, start=start, mouse=settings(ctx).mouse,
                   keymap=keymap)


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
    click.echo(", ".join(map(visible, names)) if names else "no reviewers named: anyone may review")


@reviewers.command("add")
@click.argument("names", nargs=-1, required=True)
@common_options
@click.pass_context
def reviewers_add(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Name reviewers (the first one named can be yourself)."""
    store = open_store(ctx, must_exist=True)
    result = store.set_reviewers([*store.reviewers(), *names], actor=annotator_name(ctx))
    click.echo("reviewers: " + ", ".join(map(visible, result)))


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
    click.echo("reviewers: " + ", ".join(map(visible, result)) if result else "no reviewers named: anyone may review")
