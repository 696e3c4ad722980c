"""Display-safe text: the one way untrusted text reaches the screen, stdout or stderr.

Document texts, names, labels, notes and paths come from files and users. Sent
raw, ESC sequences retitle or clear the terminal, C1 controls (U+009B is CSI)
do the same on many terminals, bidi overrides reorder what is shown, and a
lone surrogate cannot even be encoded for output. :func:`display_text`
replaces each of them by one visible placeholder, **one for one**, so a code
point offset means the same character in the stored text and on screen. Markup
is not this module's business: show the result as plain text (``Text``,
``Content``, ``markup=False``), never interpolated into markup.

The helpers are built on it: :func:`inline_text` for one-line places (header,
notes, toasts, error lines), :func:`excerpt` to cut to a width, :func:`visible`
for any value printed on a command's output line, :func:`shown` for Rich tables,
:func:`json_text` for ``--json`` output (the data kept exactly, as JSON escapes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

#: The placeholder for C1 controls (U+0080-U+009F) and lone surrogates: they have no Control Pictures glyph.
C1_PLACEHOLDER = "\ufffd"
#: The placeholder for bidi embedding, override, isolate and mark controls.
BIDI_PLACEHOLDER = "\u00bf"  # ¿
#: Bidi controls: embeddings and overrides, isolates, marks.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in "\t\n":
            table[code] = chr(0x2400 + code)  # ␀ ␁ ... ␛ ... ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = C1_PLACEHOLDER
    for char in BIDI_CONTROLS:
        table[ord(char)] = BIDI_PLACEHOLDER
    # Line and paragraph separators would break a terminal row.
    table[0x2028] = "\u21b5"  # ↵
    table[0x2029] = "\u00b6"  # ¶
    for code in range(0xD800, 0xE000):
        table[code] = C1_PLACEHOLDER
    return table


SANITISE_TABLE = _build_table()
_INLINE_TABLE = {**SANITISE_TABLE, ord("\n"): " ", ord("\t"): " "}


def display_text(text: str) -> str:
    """``text`` with every control character replaced by one visible character.

    Tabs and newlines stay (the document view lays them out); everything else a
    terminal would interpret (ESC, C1 controls such as U+009B CSI, BEL, NUL,
    backspace, form feed, lone CR, bidi controls, line separators) and lone
    surrogates become a placeholder, one for one, so offsets are unchanged.
    """
    return text.translate(SANITISE_TABLE)


def inline_text(text: str) -> str:
    """:func:`display_text` for one-line places: newlines and tabs become spaces too (still one for one)."""
    return text.translate(_INLINE_TABLE)


def excerpt(text: str, limit: int = 40) -> str:
    """A one-line, inert excerpt of at most ``limit`` characters (runs of whitespace as one space)."""
    flat = " ".join(inline_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


#: What json.dumps(ensure_ascii=False) leaves raw but a terminal would act on: DEL, C1 controls,
#: bidi controls, line and paragraph separators, lone surrogates, as \u escapes (C0 it escapes itself).
_JSON_TABLE = {code: f"\\u{code:04x}" for code in SANITISE_TABLE if code >= 0x7F}


def json_text(value: object, **options: object) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)`` that is safe on a terminal and still exact:
    every character a terminal would act on is written as a ``\\uXXXX`` escape (the same value
    to any JSON reader; such characters only occur inside strings, JSON's own syntax is ASCII)."""
    import json

    return json.dumps(value, ensure_ascii=False, **options).translate(_JSON_TABLE)  # type: ignore[arg-type]


def visible(value: object) -> str:
    """Any value (a name, an annotator, a path, an error) as one display-safe line for stdout or stderr."""
    return inline_text(str(value))


def shown(value: object) -> Text:
    """A value for a Rich table or title: plain text (never parsed as markup), display-safe, one line."""
    from rich.text import Text  # only the commands that print tables pay for Rich's text module

    return Text(visible(value))
