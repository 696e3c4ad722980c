"""What every command shares: the common options, opening the database, showing data safely.

The common options (``--db``, ``--annotator``, ``--schema``, ``--no-mouse``) are
remembered on the root click context by callbacks, so they work before or
after a command's name. Command modules (cli.py, exporters/command.py,
review/command.py) import from here.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from .errors import AnnotatorError
from .models import LabelSchema
from .store import Store

DEFAULT_DB = "annotations.db"


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): fall back to a fixed one
        return "annotator"


@dataclass
class Settings:
    """The common options, wherever on the command line they were given."""

    db: str | None = None
    annotator: str | None = None
    schema: str | None = None
    mouse: bool = True

    @property
    def db_path(self) -> str:
        return self.db or os.environ.get("ANNOTATOR_DB") or DEFAULT_DB

    @property
    def annotator_name(self) -> str:
        return self.annotator or login_name()


def _settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Settings()
    return root.obj


def _remember(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(_settings(ctx), field, value)

    return callback


def _no_mouse(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        _settings(ctx).mouse = False


def common_options(command: Callable) -> Callable:
    """The options every command takes, before or after its name."""
    options = [
        click.option("--db", type=click.Path(), expose_value=False, callback=_remember("db"), is_eager=True,
                     help="Database file [default: $ANNOTATOR_DB, else ./annotations.db]."),
        click.option("--annotator", type=str, expose_value=False, callback=_remember("annotator"), is_eager=True,
                     help="Who is annotating [default: your login name]."),
        click.option("--schema", "schema_file", type=click.Path(), expose_value=False, callback=_remember("schema"),
                     is_eager=True, help="Label schema JSON file; becomes the project's schema."),
        click.option("--no-mouse", is_flag=True, expose_value=False, callback=_no_mouse,
                     help="Do not capture the mouse (less traffic over slow SSH links)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def open_store(ctx: click.Context, *, must_exist: bool = False) -> Store:
    """The database chosen by --db / $ANNOTATOR_DB, with --schema applied if given."""
    settings = _settings(ctx)
    path = settings.db_path
    if must_exist and not Path(path).exists():
        raise AnnotatorError(f"database {path} does not exist: import documents first (annotator import PATH)")
    store = Store(path)
    if settings.schema:
        schema = LabelSchema.from_file(settings.schema)
        if schema != store.schema:
            store.set_schema(schema)
    return store


def annotator_name(ctx: click.Context) -> str:
    name = _settings(ctx).annotator_name.strip()
    if not name or any(not ch.isprintable() for ch in name):
        raise AnnotatorError(f"annotator name {name!r} is empty or unprintable: pass --annotator NAME")
    return name


#: Control characters (C0, DEL, C1) and bidi overrides/isolates, shown as escapes instead of sent raw.
_VISIBLE = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}


def visible(value: object) -> str:
    """A string from the data (a name, an annotator, a path) with control characters made visible.

    Names come from imported files: printed raw, ESC sequences would retitle or
    clear the terminal and newlines would break the one-line error rule.
    """
    return str(value).translate(_VISIBLE)


def shown(value: object) -> Text:
    """Data for a Rich table: plain text (never parsed as markup) with control characters visible."""
    return Text(visible(value))


def stderr_console() -> Console:
    return Console(stderr=True)
