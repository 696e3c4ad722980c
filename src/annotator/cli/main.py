"""The command line: ``annotator [OPTIONS] [COMMAND]``; no command opens the annotation screen.

The common options (``--db``, ``--annotator``, ``--schema``, ``--no-mouse``)
work before or after the command name, so ``annotator --db X import F`` and
``annotator import F --db X`` are the same. A problem the user can fix is an
:class:`AnnotatorError`: one line on stderr, exit status 2, nothing changed.

Start-up cost: a command's module is imported only when it runs, or when
``--help`` lists every command with its short help; so each one imports only
click and :mod:`.options` at the top, and the store, models, Rich and Textual
inside the command that needs them. ``tests/test_startup.py`` holds that line.
"""

from __future__ import annotations

import importlib
import sqlite3
from typing import Any

import click

from ..errors import AnnotatorError
from .options import _no_mouse, _remember, keymap_option, settings, visible

#: Every command: its name -> (module in this package, the click command in it).
COMMANDS = {
    "agreement": ("agreement", "agreement"),
    "annotate": ("annotate", "annotate"),
    "docs": ("docs", "docs"),
    "export": ("export", "export"),
    "import": ("importing", "import_command"),
    "merge": ("merge", "merge"),
    "review": ("review", "review"),
    "reviewers": ("review", "reviewers"),
    "schema": ("schema", "schema"),
    "stats": ("stats", "stats"),
}


class AnnotatorGroup(click.Group):
    """The root command: loads a command's module only when needed; AnnotatorError becomes one line, exit 2."""

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        """Every command, all modules imported (click's "did you mean" uses this; running a command does not)."""
        return {name: self._load(name) for name in COMMANDS}

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        if value:  # click.Group.__init__ sets an empty dict; the commands are listed in COMMANDS
            raise TypeError("list a new command in annotator.cli.main.COMMANDS")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name) if cmd_name in COMMANDS else None

    @staticmethod
    def _load(name: str) -> click.Command:
        module, attribute = COMMANDS[name]
        return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnotatorError as exc:
            click.echo(f"error: {visible(exc)}", err=True)
            ctx.exit(2)
        except sqlite3.DatabaseError as exc:
            # damage SQLite only notices when a command reads the broken page (not at open)
            from ..store.connection import friendly

            click.echo(f"error: {visible(friendly(exc, settings(ctx).db_path))}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted: every finished action is saved", err=True)
            ctx.exit(130)


@click.group(cls=AnnotatorGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(), expose_value=False, callback=_remember("db"), is_eager=True,
              envvar="ANNOTATOR_DB", help="Database file [default: $ANNOTATOR_DB, else ./annotations.db].")
@click.option("--annotator", type=str, expose_value=False, callback=_remember("annotator"), is_eager=True,
              help="Who is annotating [default: your login name].")
@click.option("--schema", type=click.Path(), expose_value=False, callback=_remember("schema"), is_eager=True,
              help="Label schema JSON file; becomes the project's schema.")
@click.option("--no-mouse", is_flag=True, expose_value=False, callback=_no_mouse,
              help="Do not capture the mouse (less traffic over slow SSH links).")
@keymap_option()
@click.version_option(package_name="annotator")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Annotate documents in the terminal: tag spans, link them, review, export.

    With no command, opens the annotation screen (same as `annotator annotate`).
    Every action is saved to the database at once; there is no save step.
    """
    settings(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(AnnotatorGroup._load("annotate"))


def main() -> None:
    """The console script: exit statuses are 0 (done), 2 (a problem to fix), 130 (interrupted)."""
    cli(prog_name="annotator")
