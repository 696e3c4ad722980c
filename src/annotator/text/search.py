"""Finding literal text in a document as a reader sees it: smart case, Unicode folding, exact offsets.

:func:`find` looks for a query (literal text, never a pattern) and returns a :class:`SearchHit`
whose ``start``/``end`` are code points into the *original* text, never splitting a character
(a base with its combining marks, an emoji with its modifiers, selectors and ZWJ partners, a flag).

How text matches, decided by the query alone:

* **Smart case**: a query with an uppercase or titlecase letter (``query != query.lower()``) is
  case-sensitive; otherwise matching uses full Unicode case folding (``strasse`` finds ``Straße``
  and ``STRASSE``, ``σ`` finds ``ς`` and ``Σ``, ``dž`` finds ``ǅ``, ``s`` finds ``ſ``).
* **Smart accents**: a query with no mark (no combining accent, enclosing mark, emoji skin tone,
  and none of the invisible soft hyphen, zero-width space or non-joiner, word joiner, BOM) skips
  them in the text too: ``cafe`` finds ``café`` and ``cafe\\u0301``, ``👍`` finds ``👍🏽``,
  ``information`` finds ``infor\\u00admation``. A query with one is exact about them: ``café``
  finds ``café`` precomposed or decomposed, never ``cafe``.
* **Compatibility forms** always match their plain letters (NFKD): ``office`` finds ``oﬃce``
  (PDF ligatures), ``ABC`` finds fullwidth ``ＡＢＣ``, a space finds a no-break space, ``2`` finds ``²``.
  Canonical equivalents always match each other (precomposed and decomposed).

A match must start and end on character boundaries of the text: ``s`` does not match half of
``ß``, ``f`` not a third of ``ﬃ``, ``e`` not the ``e`` of a decomposed ``é`` when accents count.

Speed: the text is folded once per (text, mode) into a copy plus an offset map (only the characters
that do not fold one-to-one are listed) and kept in a small cache, so the next search in the same
document is a ``str.find`` plus a bisection. Characters are the grapheme clusters of
:mod:`.snapping` (:func:`~annotator.text.snapping.is_grapheme_boundary`), the ones snapping never cuts.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .snapping import is_grapheme_boundary

__all__ = ["SearchHit", "SearchMode", "find", "find_all", "fold", "search_mode"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A match: ``text[start:end]`` in the original text; ``wrapped`` when the search went round an end."""

    start: int
    end: int
    wrapped: bool = False


class SearchMode(NamedTuple):
    """How a query matches: ``case`` (case-sensitive), ``marks`` (accents and invisibles count)."""

    case: bool
    marks: bool


#: Invisible characters skipped like marks when the query has none of them.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u2060\ufeff")
_ZWJ = "\u200d"


def _is_mark(ch: str) -> bool:
    """Skipped by an accent-insensitive search: nonspacing and enclosing marks (variation selectors
    among them), emoji skin tones, and the invisible characters of :data:`_INVISIBLE`."""
    return (
        unicodedata.category(ch) in ("Mn", "Me")
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or ch in _INVISIBLE
    )


def _attaches(ch: str) -> bool:
    """Belongs to the character before it (as :mod:`.tokens` keeps them together)."""
    return (
        ch in ("\u200d", "\u20e3", "\u200c")
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
        or unicodedata.category(ch).startswith("M")
        or unicodedata.combining(ch) != 0
    )


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def search_mode(query: str) -> SearchMode:
    """The mode a query searches in: smart case and smart accents (see the module's text)."""
    return SearchMode(
        case=query != query.lower(),
        marks=any(_is_mark(ch) for ch in unicodedata.normalize("NFKD", query)),
    )


def fold(text: str, mode: SearchMode) -> str:
    """``text`` in the form matching compares: NFKD, case folded unless ``mode.case``, marks
    dropped unless ``mode.marks``. Folding is per character, so a text's folded form is the
    concatenation of its characters' (what the offset map relies on)."""
    folded = unicodedata.normalize("NFKD", text)
    if not mode.case:
        folded = unicodedata.normalize("NFKD", folded.casefold())
    if not mode.marks:
        folded = "".join(ch for ch in folded if not _is_mark(ch)) if any(map(_is_mark, folded)) else folded
    return folded


class _Folded:
    """A text's folded copy and the map between its offsets and the original's.

    The original is a sequence of *linear* characters (each folds to exactly one character) and
    *segments* (a grapheme holding a character that folds to zero or several characters, or that
    attaches: a letter with its accents, an emoji with its skin tone, a flag, a ligature). Only the segments are listed, as four parallel arrays; between
    two segments offsets move one for one. Matches may start and end only at a segment's edges or
    anywhere in the linear runs.
    """

    __slots__ = ("text", "folded", "o_start", "o_end", "f_start", "f_end")

    def __init__(self, text: str, mode: SearchMode) -> None:
        self.text = text
        o_start, o_end, f_start, f_end = array("q"), array("q"), array("q"), array("q")
        # Linear characters fold as str.casefold (or str) does them, a whole run at a time.
        plain = str.casefold if not mode.case else None
        lead: list[str] = []  # the characters that start (or belong to) a segment
        for ch in set(text):
            if ch.isascii():
                continue
            if _attaches(ch) or _regional(ch):
                lead.append(ch)
                continue
            folded = fold(ch, mode)
            if len(folded) != 1 or _attaches(folded) or folded != (ch if plain is None else plain(ch)):
                lead.append(ch)
        parts: list[str] = []
        pos = 0  # original offset reached
        fpos = 0  # folded offset reached
        if lead:
            find_lead = re.compile(f"[{re.escape(''.join(sorted(lead)))}]").search
            memo: dict[str, str] = {}
            breaks: dict[str, bool] = {}
            n = len(text)

            def boundary(i: int) -> bool:
                """is_grapheme_boundary, remembered by the pair of characters where only they decide."""
                if i <= 0 or i >= n:
                    return True
                pair = text[i - 1 : i + 1]
                known = breaks.get(pair)
                if known is None:
                    known = is_grapheme_boundary(text, i)
                    if pair[0] != _ZWJ and not _regional(pair[1]):  # else it depends on what comes before
                        breaks[pair] = known
                return known

            while (match := find_lead(text, pos)) is not None:
                # the whole character (grapheme) holding it: pos is a boundary, so start >= pos
                start = match.start()
                while not boundary(start):
                    start -= 1
                end = match.start() + 1
                while not boundary(end):
                    end += 1
                if start > pos:
                    run = text[pos:start]
                    parts.append(run if plain is None else plain(run))
                    fpos += start - pos
                segment = text[start:end]
                folded = memo.get(segment)
                if folded is None:
                    folded = memo[segment] = fold(segment, mode)
                parts.append(folded)
                o_start.append(start)
                o_end.append(end)
                f_start.append(fpos)
                fpos += len(folded)
                f_end.append(fpos)
                pos = end
        if pos < len(text) or not parts:
            run = text[pos:]
            parts.append(run if plain is None else plain(run))
        self.folded = "".join(parts) if len(parts) != 1 else parts[0]
        self.o_start, self.o_end, self.f_start, self.f_end = o_start, o_end, f_start, f_end

    def original_start(self, f: int) -> int | None:
        """The original offset a match starting at folded ``f`` starts at; None inside a segment."""
        i = bisect_right(self.f_start, f) - 1
        if i < 0:
            return f
        if f < self.f_end[i]:
            return self.o_start[i] if f == self.f_start[i] else None
        return self.o_end[i] + f - self.f_end[i]

    def original_end(self, f: int) -> int | None:
        """The original offset a match ending at folded ``f`` (> 0) ends at; None inside a segment."""
        i = bisect_right(self.f_start, f - 1) - 1
        if i < 0:
            return f
        if f - 1 < self.f_end[i]:
            return self.o_end[i] if f == self.f_end[i] else None
        return self.o_end[i] + f - self.f_end[i]

    def folded_at(self, offset: int) -> int:
        """The folded offset of the first character boundary at or after original ``offset``."""
        i = bisect_right(self.o_start, offset) - 1
        if i < 0:
            return offset
        if offset < self.o_end[i]:
            return self.f_start[i] if offset == self.o_start[i] else self.f_end[i]
        return self.f_end[i] + offset - self.o_end[i]

    def hit(self, f: int, length: int) -> tuple[int, int] | None:
        """The original range of a folded match at ``f``, or None when it cuts a character."""
        start = self.original_start(f)
        if start is None or not is_grapheme_boundary(self.text, start):
            return None  # (inside a run of linear characters: CR LF, Hangul jamo, a prepended mark)
        end = self.original_end(f + length)
        if end is None or not is_grapheme_boundary(self.text, end):
            return None
        return start, end


#: The folded copies last used, by (hash, length, mode): a few texts in a few modes.
_CACHE: OrderedDict[tuple[int, int, SearchMode], _Folded] = OrderedDict()
_CACHE_SIZE = 4


def _folded(text: str, mode: SearchMode) -> _Folded:
    key = (hash(text), len(text), mode)
    entry = _CACHE.get(key)
    if entry is not None and (entry.text is text or entry.text == text):
        _CACHE.move_to_end(key)
        return entry
    entry = _Folded(text, mode)
    _CACHE[key] = entry
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return entry


def _forward(index: _Folded, needle: str, f: int, limit: int | None = None) -> tuple[int, int] | None:
    """The first match starting at folded ``f`` or later (and before ``limit``)."""
    folded = index.folded
    while True:
        f = folded.find(needle, f)
        if f < 0 or (limit is not None and f >= limit):
            return None
        hit = index.hit(f, len(needle))
        if hit is not None:
            return hit
        f += 1


def _backward(index: _Folded, needle: str, limit: int) -> tuple[int, int] | None:
    """The last match starting before folded ``limit``."""
    folded = index.folded
    end = limit - 1 + len(needle)
    while True:
        f = folded.rfind(needle, 0, end)
        if f < 0:
            return None
        hit = index.hit(f, len(needle))
        if hit is not None:
            return hit
        end = f + len(needle) - 1


def find(text: str, query: str, offset: int = 0, step: int = 1) -> SearchHit | None:
    """The match of ``query`` nearest ``offset`` in direction ``step``, round the end if need be.

    ``step`` +1: the first match starting at ``offset`` or after; -1: the last one starting before
    ``offset``. When there is none that way, the search goes on from the other end of the text and
    the hit says ``wrapped``. None when the query (or what it folds to) is empty or not in the text.
    """
    if not query:
        return None
    mode = search_mode(query)
    needle = fold(query, mode)
    if not needle:
        return None
    index = _folded(text, mode)
    at = index.folded_at(max(0, min(offset, len(text))))
    if step >= 0:
        hit = _forward(index, needle, at)
        if hit is None:
            hit = _forward(index, needle, 0, at)
            return None if hit is None else SearchHit(*hit, wrapped=True)
    else:
        hit = _backward(index, needle, at)
        if hit is None:
            hit = _backward(index, needle, len(index.folded) + 1)
            return None if hit is None else SearchHit(*hit, wrapped=True)
    return SearchHit(*hit)


def find_all(text: str, query: str) -> Iterator[SearchHit]:
    """Every match in order, overlapping ones too (``aa`` in ``aaa`` twice)."""
    if not query:
        return
    mode = search_mode(query)
    needle = fold(query, mode)
    if not needle:
        return
    index = _folded(text, mode)
    folded = index.folded
    f = folded.find(needle)
    while f >= 0:
        hit = index.hit(f, len(needle))
        if hit is not None:
            yield SearchHit(*hit)
        f = folded.find(needle, f + 1)
