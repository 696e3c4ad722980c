"""Text helpers for the annotation screen: inert display text and boundaries.

Everything here works on code point offsets into the stored document text.
The display text has exactly the same length as the stored text (every
replacement is one character for one character), so an offset means the same
character in both.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import get_character_cell_size

#: Tabs are shown as this many columns at most (to the next multiple of it).
TAB_SIZE = 4

#: The placeholder for C1 controls (U+0080-U+009F): they have no Control Pictures glyph.
C1_PLACEHOLDER = "\ufffd"
#: The placeholder for bidi embedding, override and isolate controls.
BIDI_PLACEHOLDER = "\u00bf"  # ¿


def _build_sanitise_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in "\t\n":
            table[code] = chr(0x2400 + code)  # ␀ ␁ ... ␛ ... ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = C1_PLACEHOLDER
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C):
        table[code] = BIDI_PLACEHOLDER
    # Line and paragraph separators would break a terminal row.
    table[0x2028] = "\u21b5"  # ↵
    table[0x2029] = "\u00b6"  # ¶
    return table


SANITISE_TABLE = _build_sanitise_table()


def display_text(text: str) -> str:
    """``text`` with every control character replaced by one visible character.

    Tabs and newlines stay (the view lays them out); everything else that a
    terminal would interpret (ESC, C1 controls such as U+009B CSI, BEL, NUL,
    backspace, form feed, lone CR, bidi overrides) becomes a placeholder, one
    for one, so offsets are unchanged.
    """
    return text.translate(SANITISE_TABLE)


def inline_text(text: str) -> str:
    """Like :func:`display_text` but for one-line places (excerpts, notes): newlines and tabs become spaces."""
    return display_text(text).replace("\n", " ").replace("\t", " ")


def excerpt(text: str, limit: int = 40) -> str:
    """A one-line, inert excerpt of at most ``limit`` characters."""
    flat = " ".join(inline_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def char_width(char: str) -> int:
    """Terminal cells of one (already sanitised) character, tabs excluded."""
    if char < "\u0300":  # fast path: ASCII and Latin-1 are one cell
        return 1
    return get_character_cell_size(char)


# -- boundaries ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_NON_SPACE = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?\"'“”‘’()[]{}«»<>*_/\\|"
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n\s*\n\s*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

#: How far back a backward search looks at first; it doubles until it finds something.
_BACK_WINDOW = 2048


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def next_word_start(text: str, offset: int) -> int:
    """The start of the next word after ``offset`` (vim ``w``), or the end of the text."""
    n = len(text)
    i = offset
    while i < n and is_word_char(text[i]):
        i += 1
    match = _WORD.search(text, i)
    return match.start() if match else n


def previous_word_start(text: str, offset: int) -> int:
    """The start of the word before ``offset`` (vim ``b``), or 0."""
    i = offset - 1
    while i >= 0 and not is_word_char(text[i]):
        i -= 1
    while i > 0 and is_word_char(text[i - 1]):
        i -= 1
    return max(i, 0)


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word under ``offset``: the non-space run around it, minus edge punctuation.

    ``Evin,`` gives ``Evin``; ``(Reuters)`` gives ``Reuters``; ``5%`` and
    ``$4.5`` stay whole. None on whitespace or on punctuation alone.
    """
    n = len(text)
    if offset >= n or text[offset].isspace():
        return None
    start = offset
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = offset + 1
    while end < n and not text[end].isspace():
        end += 1
    while start < end and text[start] in _EDGE_PUNCTUATION:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCTUATION:
        end -= 1
    if start >= end:
        return None
    if not start <= offset < end:
        # The cursor is on edge punctuation: tag the word next to it.
        return start, end
    return start, end


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without leading or trailing whitespace; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Grow a range that cuts through a word to the whole word, then trim whitespace."""
    n = len(text)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    if start < end:
        trimmed = trim_whitespace(text, start, end)
        if trimmed is None:
            return None
        start, end = trimmed
    while 0 < start < n and _in_word(text, start) and _in_word(text, start - 1):
        start -= 1
    while 0 < end < n and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    return trim_whitespace(text, start, end)


def _in_word(text: str, i: int) -> bool:
    """A word character, or punctuation joining two (``48.6``, ``don't``, ``state-run``)."""
    char = text[i]
    if is_word_char(char):
        return True
    return char in _JOINERS and 0 < i < len(text) - 1 and is_word_char(text[i - 1]) and is_word_char(text[i + 1])


_JOINERS = ".,'’-"


def _attached(char: str) -> bool:
    """A symbol that belongs to the word it touches: ``$48.6``, ``5%``, ``#tag``, ``@name``, ``€3``."""
    return char in "%‰‱°#@+" or unicodedata.category(char) == "Sc"


def _skip_left(text: str, i: int, keep) -> int:
    while i > 0 and keep(i - 1):
        i -= 1
    return i


def _skip_right(text: str, i: int, keep) -> int:
    n = len(text)
    while i < n and keep(i):
        i += 1
    return i


def span_start_left(text: str, start: int) -> int:
    """A span start one word left: the start of the word before, joined (``48.6``) and with its symbols (``$``)."""
    i = _skip_left(text, start, lambda j: not is_word_char(text[j]))
    i = _skip_left(text, i, lambda j: _in_word(text, j))
    return _skip_left(text, i, lambda j: _attached(text[j]))


def span_start_right(text: str, start: int) -> int:
    """A span start one word right: past this (joined) word, onto the next one with its leading symbols."""
    i = _skip_right(text, start, lambda j: _in_word(text, j) or _attached(text[j]))
    word = _skip_right(text, i, lambda j: not is_word_char(text[j]))
    return _skip_left(text, word, lambda j: j >= i and _attached(text[j]))


def span_end_right(text: str, end: int) -> int:
    """A span end one word right: the end of the next (joined) word, with trailing symbols (``%``)."""
    i = _skip_right(text, end, lambda j: not is_word_char(text[j]))
    i = _skip_right(text, i, lambda j: _in_word(text, j))
    return _skip_right(text, i, lambda j: _attached(text[j]))


def span_end_left(text: str, end: int) -> int:
    """A span end one word left: the end of the (joined) word before the last one, with its trailing symbols."""
    i = _skip_left(text, end, lambda j: not is_word_char(text[j]))
    i = _skip_left(text, i, lambda j: _in_word(text, j))
    last = _skip_left(text, i, lambda j: not is_word_char(text[j]))
    return _skip_right(text, last, lambda j: j < i and _attached(text[j]))


def next_sentence_start(text: str, offset: int) -> int:
    match = _SENTENCE_END.search(text, offset)
    return match.end() if match else len(text)


def previous_sentence_start(text: str, offset: int) -> int:
    """The start of the sentence the cursor is in, or of the one before if already at a start."""
    return _previous_boundary(_SENTENCE_END, text, offset)


def next_paragraph_start(text: str, offset: int) -> int:
    match = _PARAGRAPH_BREAK.search(text, offset)
    return match.end() if match else len(text)


def previous_paragraph_start(text: str, offset: int) -> int:
    return _previous_boundary(_PARAGRAPH_BREAK, text, offset)


def _previous_boundary(pattern: re.Pattern[str], text: str, offset: int) -> int:
    """The last boundary (a match end) strictly before ``offset``, searching backwards in growing windows.

    The work is proportional to the distance moved, not to the length of the text.
    """
    window = _BACK_WINDOW
    while True:
        lo = max(0, offset - window)
        best = 0
        for match in pattern.finditer(text, lo, offset):
            if match.end() < offset and match.start() >= lo:
                best = match.end()
        if best or lo == 0:
            return best
        window *= 2
