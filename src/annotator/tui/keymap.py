"""The user's keymap file: binding ids mapped to keys, read and checked before any screen opens.

Where it is: ``--keymap FILE``, else ``$ANNOTATOR_KEYMAP``, else ``$XDG_CONFIG_HOME/annotator/keys.toml``
(``~/.config/annotator/keys.toml`` when XDG_CONFIG_HOME is unset). The default file may be absent
(no keymap); a file named by the option or the variable must exist.

What it holds (TOML; ids are those of :mod:`annotator.tui.bindings`, listed in the README)::

    span.remove = "d"              # a dotted id: TOML reads it as [span] remove = "d", the same thing
    "link.remove" = "ctrl+x"       # quoted ids work too
    undo = ["u", "ctrl+u"]         # several keys: a list, or one string "u,ctrl+u"
    [span]
    start_left = "["               # a table per family

Keys are Textual key names ("ctrl+u", "f5", "question_mark") or single characters ("?", "<"). A
problem (unparsable file, unknown id, unknown key, a key two bindings of one screen would share,
a label key of the schema) is an :class:`~annotator.errors.AnnotatorError`: one line naming the
file and the problem, before the app is created.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from textual.binding import InvalidBinding
from textual.keys import Keys, key_to_character

from textual.app import App

from ..errors import AnnotatorError
from ..models import LabelSchema
from . import bindings as b

#: The environment variable naming a keymap file.
ENV = "ANNOTATOR_KEYMAP"

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
#: Textual's names for characters whose Unicode names it shortens ("slash", not "solidus").
_SHORT_NAMES = {"slash", "backslash", "at", "minus", "plus", "underscore"}
_NAMED_KEYS = {key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")}

_SCREEN_NAMES = {b.ANNOTATE: "the annotation screen", b.REVIEW: "the review screen"}


class KeymapError(AnnotatorError):
    """The keymap file cannot be used (the message names the file and the problem)."""


def default_path() -> Path:
    """``$XDG_CONFIG_HOME/annotator/keys.toml``, XDG_CONFIG_HOME defaulting to ``~/.config``."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "annotator" / "keys.toml"


def keymap_path(option: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The keymap file to read, and whether it was named (so must exist): the option, then
    ``$ANNOTATOR_KEYMAP``, then the default path."""
    if option:
        return Path(option), True
    if os.environ.get(ENV):
        return Path(os.environ[ENV]), True
    return default_path(), False


def load_keymap(schema: LabelSchema, option: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The checked keymap ({binding id: "key,key"}, Textual key names) for ``schema``; {} when there is
    no keymap file. Raises :class:`KeymapError` with one line naming the file and the problem."""
    path, named = keymap_path(option)
    if not path.exists() and not named:
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeymapError(f"keymap {path}: no such file") from None
    except IsADirectoryError:
        raise KeymapError(f"keymap {path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise KeymapError(f"keymap {path}: not UTF-8 text") from None
    except OSError as exc:
        raise KeymapError(f"keymap {path}: cannot read it ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"keymap {path}: not valid TOML: {exc}") from None
    try:
        return check_keymap(_flatten(raw), schema)
    except KeymapError as exc:
        raise KeymapError(f"keymap {path}: {exc}") from None


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """``{"span": {"remove": "d"}}`` (what TOML makes of ``span.remove = "d"``) -> ``{"span.remove": "d"}``."""
    flat: dict[str, object] = {}
    for name, value in table.items():
        full = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


def check_keymap(raw: Mapping[str, object], schema: LabelSchema) -> dict[str, str]:
    """Check a keymap read from a file ({id: "keys" or ["keys"]}) against every binding of both
    screens and the schema's label keys; return it normalized ({id: "key,key"}). The message of
    the :class:`KeymapError` raised names the problem, not the file."""
    keymap: dict[str, str] = {}
    for binding_id, value in raw.items():
        if binding_id.startswith("label."):
            raise KeymapError(f"{binding_id}: label keys come from the schema (each label's \"key\"), "
                              f"not from the keymap")
        if binding_id not in b.REMAPPABLE:
            close = difflib.get_close_matches(binding_id, sorted(b.REMAPPABLE), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (the README lists the ids)"
            raise KeymapError(f"unknown binding id {binding_id!r}{hint}")
        keymap[binding_id] = ",".join(_keys(binding_id, value))
    for screen in b.SCREENS:
        _check_clashes(screen, keymap, schema)
    return keymap


def _keys(binding_id: str, value: object) -> list[str]:
    """The Textual key names of one keymap value, each checked."""
    if isinstance(value, str):
        parts = ["comma"] if value.strip() == "," else value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = [v if v.strip() != "," else "comma" for v in value]
    else:
        raise KeymapError(f"{binding_id}: keys must be a string such as \"x\" or \"ctrl+d\", or a list of them")
    if not parts or any(not p.strip() for p in parts):
        raise KeymapError(f"{binding_id}: an empty key (write a comma as \"comma\")")
    keys = []
    for part in parts:
        try:
            (key,) = b.normalize_keys(part.strip())
        except (InvalidBinding, ValueError):
            raise KeymapError(f"{binding_id}: unknown key {part.strip()!r}") from None
        if not _known_key(key):
            raise KeymapError(f"{binding_id}: unknown key {part.strip()!r}")
        keys.append(key)
    return keys


def _known_key(key: str) -> bool:
    """A key Textual can deliver: modifiers it knows, then one character or a key name."""
    *modifiers, name = key.split("+")
    if any(m not in _MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if len(name) == 1:
        return name.isprintable()
    return name in _NAMED_KEYS or name in _SHORT_NAMES or key_to_character(name) is not None


def _check_clashes(screen: str, keymap: Mapping[str, str], schema: LabelSchema) -> None:
    """Refuse a key two different bindings of ``screen`` would answer to (its document view's,
    its own, its label keys, the app's and Textual's)."""
    owners: dict[str, list[str]] = {}
    labels = {b.label_id(label.name): label.name for label in schema.labels}
    labels |= {b.label_id(label.name, number=True): label.name for label in schema.labels}

    def own(key: str, binding_id: str) -> None:
        for alias in b.key_aliases(key):
            ids = owners.setdefault(alias, [])
            if binding_id not in ids:
                ids.append(binding_id)

    for entry in b.entries(screen, schema, keymap):
        if entry.id.startswith(b.COUNT_PREFIX) and entry.id not in keymap:
            continue  # a digit is a count only in mark mode, a label key otherwise: meant to share
        for key in entry.keys:
            own(key, entry.id)
    for key, what in b.TEXTUAL_KEYS.items():
        own(key, what)
    for key, ids in owners.items():
        if len(ids) < 2:
            continue
        remapped = [i for i in ids if i in keymap]
        culprit = remapped[0] if remapped else ids[0]
        others = [i for i in ids if i != culprit]
        shown = b.key_display(key)
        label = next((labels[i] for i in others if i in labels), None)
        if label is not None:
            raise KeymapError(f"{culprit} = {shown!r}: {shown} tags as {label} (a label key of the schema); "
                              f"choose another key")
        if others[0] in b.TEXTUAL_KEYS.values():
            raise KeymapError(f"{culprit} = {shown!r}: {shown} is Textual's own ({others[0]}); choose another key")
        raise KeymapError(f"{shown} would be both {culprit} and {others[0]} on {_SCREEN_NAMES[screen]}; "
                          f"give one of them another key")



def use_keymap(app: App, keymap: Mapping[str, str] | None) -> None:
    """Apply a checked keymap ({binding id: "keys"}) to an app before it runs. ``app.keymap`` keeps
    it for what names keys in words (the help screen, the palette, hints in messages)."""
    app.keymap = dict(keymap or {})
    app.set_keymap(app.keymap)
    app.COMMAND_PALETTE_BINDING = b.keys_of("app.palette", app.keymap)[0]  # where the footer looks for it
