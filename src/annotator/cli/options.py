"""What every command shares: the common options, opening the database, showing data safely.

The common options (``--db``, ``--annotator``, ``--schema``, ``--no-mouse``) are
remembered on the root click context by callbacks, so they work before or
after a command's name.

Start-up cost: this module is imported by every command module, and every
command module is imported for ``annotator --help``, so it imports only click
and the standard library. The store, the models and Rich are imported inside
the functions that use them.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import AnnotatorError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from ..store import Store

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
    keymap: str | None = None

    @property
    def db_path(self) -> str:
        return self.db or os.environ.get("ANNOTATOR_DB") or DEFAULT_DB

    @property
    def annotator_name(self) -> str:
        return self.annotator or login_name()


def settings(ctx: click.Context) -> Settings:
    """The common options of this invocation (kept on the root context)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Settings()
    return root.obj


def _remember(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(settings(ctx), field, value)

    return callback


def _no_mouse(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        settings(ctx).mouse = False


def db_option(envvar: str | None = None) -> Callable:
    return click.option("--db", type=click.Path(), expose_value=False, callback=_remember("db"), is_eager=True,
                        envvar=envvar, help="Database file [default: $ANNOTATOR_DB, else ./annotations.db].")


def annotator_option() -> Callable:
    return click.option("--annotator", type=str, expose_value=False, callback=_remember("annotator"), is_eager=True,
                        help="Who is annotating [default: your login name].")


def schema_option() -> Callable:
    return click.option("--schema", "schema_file", type=click.Path(), expose_value=False,
                        callback=_remember("schema"), is_eager=True,
                        help="Label schema JSON file; becomes the project's schema.")


def no_mouse_option(hidden: bool = False) -> Callable:
    return click.option("--no-mouse", is_flag=True, expose_value=False, callback=_no_mouse, hidden=hidden,
                        help="Do not capture the mouse (less traffic over slow SSH links).")


def keymap_option() -> Callable:
    """--keymap FILE: for the commands that open a screen (and the bare ``annotator``)."""
    return click.option("--keymap", type=click.Path(dir_okay=False), expose_value=False, callback=_remember("keymap"),
                        is_eager=True, metavar="FILE",
                        help="Key bindings file (binding id = keys) [default: $ANNOTATOR_KEYMAP, else "
                             "$XDG_CONFIG_HOME/annotator/keys.toml].")


def screen_keymap(ctx: click.Context, store: Store) -> dict[str, str]:
    """The user's keymap, checked against both screens' keys and the project's label keys before
    any screen is created: a bad one is one line naming the file and the problem."""
    from ..tui.keymap import load_keymap

    return load_keymap(store.schema, settings(ctx).keymap)


def _apply(command: Callable, options: Iterable[Callable]) -> Callable:
    for option in reversed(list(options)):
        command = option(command)
    return command


def common_options(command: Callable) -> Callable:
    """The options every command takes, before or after its name."""
    return _apply(command, [db_option(), annotator_option(), schema_option(), no_mouse_option()])


def place_options(command: Callable) -> Callable:
    """--db, --schema and a hidden --no-mouse: for a command whose --annotator means something else (export)."""
    return _apply(command, [db_option(), schema_option(), no_mouse_option(hidden=True)])


class LazyChoice(click.Choice):
    """A ``click.Choice`` whose values are computed the first time they are needed.

    The format names live in the importer and exporter packages, which import
    the models; computing them when ``--help`` or the parser first asks keeps
    that import out of every other command's start.
    """

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded


def open_store(ctx: click.Context, *, must_exist: bool = False) -> Store:
    """The database chosen by --db / $ANNOTATOR_DB, with --schema applied if given."""
    from ..store import Store

    options = settings(ctx)
    path = options.db_path
    if must_exist and not Path(path).exists():
        raise AnnotatorError(f"database {path} does not exist: import documents first (annotator import PATH)")
    store = Store(path)
    if options.schema:
        from ..models import LabelSchema

        schema = LabelSchema.from_file(options.schema)
        try:
            current = store.schema
        except AnnotatorError:  # the stored schema is broken: the one given replaces it
            current = None
        if schema != current:
            store.set_schema(schema, actor=annotator_name(ctx))  # logged as that person's action
    return store


def check_drawable(store: Store) -> None:
    """Before opening a screen: refuse a stored schema with a colour Textual cannot draw.

    New schemas are checked when they are set; one stored by an older version
    may hold any string, and would stop every screen with a traceback.
    """
    from pydantic import ValidationError

    from ..models import describe_validation_error

    try:
        store.schema.check_colours()
    except ValueError as exc:  # from check_colours, or a ValidationError from reading the stored schema
        reason = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
        raise AnnotatorError(f"the label schema in {store.path}: {reason}: pass a corrected one with --schema FILE") from None


def annotator_name(ctx: click.Context) -> str:
    name = settings(ctx).annotator_name.strip()
    if not name or any(not ch.isprintable() for ch in name):
        raise AnnotatorError(f"annotator name {name!r} is empty or unprintable: pass --annotator NAME")
    return name


def visible(value: object) -> str:
    """Data made safe to print: :func:`annotator.text.visible`, the one display-safe function.

    Imported on first use, like everything here: the text package costs 7 ms of
    start, which ``--help`` and the commands that print no data need not pay.
    """
    from ..text.display import visible as display_safe

    return display_safe(value)


def shown(value: object) -> Text:
    """Data for a Rich table cell, display-safe and never parsed as markup (:func:`annotator.text.shown`)."""
    from ..text.display import shown as display_safe_text

    return display_safe_text(value)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def label_list(value: str | None, known: list[str], option: str) -> list[str]:
    """Labels separated by commas; a label whose own name holds a comma is found whole."""
    if not value:
        return []
    parts = [part.strip() for part in value.split(",")]
    names: list[str] = []
    while parts:
        # the longest run of parts that names a label, else the first part alone
        run = next((n for n in range(len(parts), 1, -1) if ",".join(parts[:n]) in known
                    or ", ".join(parts[:n]) in known), 1)
        whole = next((joined for joined in (",".join(parts[:run]), ", ".join(parts[:run])) if joined in known),
                     parts[0])
        if whole:
            names.append(whole)
        parts = parts[run:]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AnnotatorError(f"{option}: unknown label {', '.join(unknown)} (the schema has {', '.join(known)})")
    return names
