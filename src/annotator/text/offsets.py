"""Offset units: code points inside, UTF-16 code units at the edges that count them.

Inside the program an offset is a Unicode code point index (Python's ``str``
index). Label Studio, doccano and brat's web client count UTF-16 code units
instead: every character outside the Basic Multilingual Plane (most emoji,
rare CJK) is two units there and one code point here. :class:`Utf16` converts
both ways, exactly, and refuses an offset that falls between the two halves of
a surrogate pair rather than rounding it. Importers convert on the way in and
exporters on the way out; nothing else sees UTF-16.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

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


# -- importing: offsets of a file's raw text onto the stored text --------------------------------

_CRLF = re.compile("\r\n")


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
