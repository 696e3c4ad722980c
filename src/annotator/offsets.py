"""Offset units and a small tokenizer, for the formats that need them.

Inside the program an offset is a Unicode code point index (Python's ``str``
index). Label Studio, doccano and brat's web client count UTF-16 code units
instead: every character outside the Basic Multilingual Plane (most emoji,
rare CJK) is two units there and one code point here. :class:`Utf16` converts
both ways, exactly, and refuses an offset that falls between the two halves of
a surrogate pair rather than rounding it.

The tokenizer is deliberately simple and exact (tokens are never whitespace,
never overlap, and ``text[start:end]`` is the token): a run of word
characters, or one other non-space character. Combining marks, zero-width
joiners, variation selectors and emoji modifiers stay with the character they
modify, so ``café`` (decomposed) and ``👩🏽‍💻`` are one token each. CoNLL
and the ``tokens`` of the native JSONL use it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import NamedTuple

CODEPOINTS = "codepoints"
UTF16 = "utf16"
UNITS = (UTF16, CODEPOINTS)

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16:
    """Converts offsets of one text between code points and UTF-16 code units.

    Only the positions of astral characters are kept, so a text without any
    (the usual case) costs nothing beyond one regex scan.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        #: code point index of each astral character, ascending
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]
        #: UTF-16 index of each astral character (its high surrogate)
        self.astral_units = [i + n for n, i in enumerate(self.astral)]

    def __len__(self) -> int:
        return len(self.text) + len(self.astral)

    def to_units(self, codepoint: int) -> int:
        """The UTF-16 offset of a code point offset."""
        return codepoint + bisect_left(self.astral, codepoint)

    def to_codepoints(self, unit: int) -> int:
        """The code point offset of a UTF-16 offset; ValueError inside a surrogate pair."""
        if unit < 0 or unit > len(self):
            raise ValueError(f"offset {unit} is out of range (the text has {len(self)} UTF-16 code units)")
        before = bisect_left(self.astral_units, unit)  # astral characters starting before ``unit``
        if before and self.astral_units[before - 1] == unit - 1:
            raise ValueError(f"UTF-16 offset {unit} falls inside a surrogate pair (between the halves of one character)")
        return unit - before


def convert_in(text: str, start: int, end: int, unit: str, index: Utf16 | None = None) -> tuple[int, int]:
    """Code point offsets from offsets in ``unit`` (as a file gave them)."""
    if unit == CODEPOINTS:
        return start, end
    index = index or Utf16(text)
    return index.to_codepoints(start), index.to_codepoints(end)


def convert_out(text: str, start: int, end: int, unit: str, index: Utf16 | None = None) -> tuple[int, int]:
    """Offsets in ``unit`` from code point offsets."""
    if unit == CODEPOINTS:
        return start, end
    index = index or Utf16(text)
    return index.to_units(start), index.to_units(end)


def utf16_slice(encoded: bytes, start: int, end: int) -> str:
    """The text between two UTF-16 offsets, from the text encoded as UTF-16-LE.

    This is how a JavaScript tool reads our offsets back, so the exporters use
    it to check every UTF-16 span independently of :class:`Utf16`.
    """
    return encoded[2 * start : 2 * end].decode("utf-16-le", errors="strict")


def slice_in(text: str, start: int, end: int, unit: str, encoded: bytes | None = None) -> str:
    """``text[start:end]`` with offsets in ``unit``; ``encoded`` is ``text`` as UTF-16-LE, if at hand."""
    if unit == CODEPOINTS:
        return text[start:end]
    if encoded is None:
        encoded = text.encode("utf-16-le")
    try:
        return utf16_slice(encoded, start, end)
    except UnicodeDecodeError:
        return "\ufffd"  # cuts a surrogate pair: can never equal a real span's text


# -- tokens and sentences ---------------------------------------------------------------------


class Token(NamedTuple):
    """A token: ``text == document[start:end]``; ``ws`` when whitespace follows it."""

    text: str
    start: int
    end: int
    ws: bool  # followed by whitespace


_TOKEN = re.compile(r"\w+|\S")
_JOINERS = {"\u200d", "\u20e3"}  # zero-width joiner, combining enclosing keycap


def _attaches(ch: str) -> bool:
    """Does ``ch`` belong to the character before it (a mark, selector, modifier)?"""
    if ch in _JOINERS or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":
        return True
    if "\U000e0020" <= ch <= "\U000e007f":  # emoji tag sequences (flags of regions)
        return True
    return unicodedata.category(ch).startswith("M")


def _continues(text: str, token_start: int, start: int) -> bool:
    """Does the match at ``start`` continue the token at ``token_start`` that ends there?

    Yes for a mark or joiner, for anything after a zero-width joiner, and for
    word characters after a word that ends in a combining mark (``cafe\u0301s``).
    """
    ch, before = text[start], text[start - 1]
    if ch < "\x80" and before < "\x80":
        return False  # the common case: nothing in ASCII attaches to anything
    if _attaches(ch) or before == "\u200d":
        return True
    return _attaches(before) and _WORD.match(ch) is not None and _WORD.match(text[token_start]) is not None


_WORD = re.compile(r"\w")


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``: runs of word characters or single other characters, never whitespace."""
    bounds: list[list[int]] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if bounds and bounds[-1][1] == start and _continues(text, bounds[-1][0], start):
            bounds[-1][1] = end
        else:
            bounds.append([start, end])
    return [Token(text[s:e], s, e, e < len(text) and text[e].isspace()) for s, e in bounds]


_SENTENCE_END = {".", "!", "?"}


def sentence_starts(text: str, tokens: list[Token], keep_together: list[tuple[int, int]] = ()) -> list[int]:
    """Indices of the tokens that start a sentence (always 0 when there are tokens).

    A sentence ends after ``.``, ``!`` or ``?`` followed by whitespace and a
    capital letter, or at a blank line. ``keep_together`` holds token ranges
    (first, last inclusive) that must not be split, such as entities.
    """
    if not tokens:
        return []
    inside = set()
    for first, last in keep_together:
        inside.update(range(first + 1, last + 1))
    starts = [0]
    for i in range(1, len(tokens)):
        if i in inside:
            continue
        prev, tok = tokens[i - 1], tokens[i]
        gap = text[prev.end : tok.start]
        if gap.count("\n") >= 2 and not gap.strip():
            starts.append(i)
        elif prev.text[-1] in _SENTENCE_END and gap and tok.text[0].isupper():
            starts.append(i)
    return starts


class Tokenized:
    """A text's tokens with the lookups the exporters need (span to token range)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self._starts = [t.start for t in self.tokens]
        self._ends = [t.end for t in self.tokens]

    def overlapping(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) indices of the tokens overlapping ``start``-``end``; None when none does."""
        first = bisect_right(self._ends, start)
        last = bisect_left(self._starts, end) - 1
        return (first, last) if first <= last else None

    def aligned(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) when ``start`` begins a token and ``end`` ends one; else None."""
        first = bisect_left(self._starts, start)
        last = bisect_left(self._ends, end)
        if first < len(self.tokens) and last < len(self.tokens) and self._starts[first] == start and self._ends[last] == end:
            return first, last
        return None


# -- importing: offsets of a file's raw text onto the stored text --------------------------------


def normalize_with_map(raw: str) -> tuple[str, Callable[[int], int]]:
    """The stored form of a text (no leading BOM, LF line ends) and a function moving offsets onto it.

    Importers keep texts in this form (see ``importers.text.normalize``), but a
    file's offsets count the raw text, so each offset moves back by the BOM and
    ``\\r`` characters removed before it. An offset between ``\\r`` and ``\\n``
    lands before the line break.
    """
    removed = ([0] if raw.startswith("\ufeff") else []) + [m.start() for m in _CRLF.finditer(raw)]
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    if not removed:
        return text, lambda offset: offset
    return text, lambda offset: offset - bisect_left(removed, offset)


_CRLF = re.compile("\r\n")
