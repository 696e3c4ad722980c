"""The one set of sentence and paragraph rules (CoNLL sentences and the screen's ``(`` ``)`` ``{`` ``}``).

A **paragraph** break is a stretch of whitespace holding two or more line
breaks (a blank line, spaces and tabs on it allowed).

A **sentence** break is a paragraph break, or whitespace after ``.``, ``!``,
``?`` or ``…`` (closing quotes and brackets may follow the mark) when the next
word begins with a capital or with a letter of a script without case (opening
quotes and brackets skipped): ``rose. Then`` and ``fell!” “Evin`` break;
``e.g. this`` and ``No. 5`` do not.

A sentence or paragraph starts where the whitespace of its break ends. Offsets
are code points; the searches look at the text near the offset only, so moving
costs the distance moved, not the length of the document.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .tokens import Token

SENTENCE_END = ".!?…"
_CLOSERS = "\"'”’)]»›"
_OPENERS = "\"'“‘([«‹¿¡"

#: Where a sentence may end: an end mark (closers after it) then whitespace, or a paragraph break.
#: ``[.!?…][closers]*\s+|\n\s*\n\s*``, written to start with one character class (the scan then skips
#: every other character without trying each branch: half the time): each starts on a mark or a newline.
_CANDIDATE = re.compile(r"[.!?…\n](?:(?<=\n)\s*\n\s*|(?<!\n)[\"'”’)\]»›]*\s+)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n\s*")

#: How far back a backward search looks at first; it grows until it finds something.
_BACK_WINDOW = 2048


def is_paragraph_break(gap: str) -> bool:
    """``gap`` (whitespace between two words) separates paragraphs."""
    return gap.count("\n") >= 2


def breaks_sentence(text: str, end: int, start: int) -> bool:
    """Whether the whitespace ``text[end:start]`` (between two non-space characters) ends a sentence."""
    if end >= start:
        return False
    if is_paragraph_break(text[end:start]):
        return True
    i = end
    while i > 0 and text[i - 1] in _CLOSERS:
        i -= 1
    if i == 0 or text[i - 1] not in SENTENCE_END:
        return False
    j, n = start, len(text)
    while j < n and text[j] in _OPENERS:
        j += 1
    return j < n and text[j].isalpha() and not text[j].islower()


def sentence_starts(text: str, tokens: list[Token], keep_together: list[tuple[int, int]] = ()) -> list[int]:
    """Indices of the tokens that start a sentence (always 0 when there are tokens).

    ``keep_together`` holds token ranges (first, last inclusive) that must not
    be split, such as entities.
    """
    if not tokens:
        return []
    inside = set()
    for first, last in keep_together:
        inside.update(range(first + 1, last + 1))
    breaks = sentence_breaks(text, [t.start for t in tokens], [t.end for t in tokens])
    return [0, *(i for i in breaks if i not in inside)]


def sentence_breaks(text: str, starts: list[int], ends: list[int]) -> list[int]:
    """Indices ``i >= 1`` of the tokens (given by their ``starts`` and ``ends``) that
    :func:`breaks_sentence` separates from token ``i - 1``, in order.

    Only the whitespace that :data:`_CANDIDATE` finds (after an end mark, or holding a line break)
    can break a sentence, so only the tokens right after it are checked, not every token.
    """
    found: list[int] = []
    n = len(starts)
    for match in _CANDIDATE.finditer(text, starts[0] if starts else 0):
        i = bisect_left(starts, match.end())
        # a match on a newline is a paragraph break, all of it whitespace between the two tokens: a break
        if 0 < i < n and starts[i] == match.end() and (
            text[match.start()] == "\n" or breaks_sentence(text, ends[i - 1], starts[i])
        ):
            if not found or found[-1] != i:
                found.append(i)
    return found


def _sentence_breaks(text: str, lo: int):
    """The ends of the sentence breaks from ``lo`` on (each where the next sentence starts)."""
    for match in _CANDIDATE.finditer(text, lo):
        gap_start = match.start()
        while gap_start < match.end() and not text[gap_start].isspace():
            gap_start += 1
        if match.end() < len(text) and breaks_sentence(text, gap_start, match.end()):
            yield match.end()


def next_sentence_start(text: str, offset: int) -> int:
    """The start of the next sentence after ``offset``, or the end of the text."""
    lo = offset  # back onto the end mark when the cursor is on the whitespace after it
    while lo > 0 and (text[lo - 1].isspace() or text[lo - 1] in _CLOSERS or text[lo - 1] in SENTENCE_END):
        lo -= 1
    for start in _sentence_breaks(text, lo):
        if start > offset:
            return start
    return len(text)


def previous_sentence_start(text: str, offset: int) -> int:
    """The start of the sentence the cursor is in, or of the one before if already at a start."""
    return _previous(lambda lo: _sentence_breaks(text, lo), offset)


def next_paragraph_start(text: str, offset: int) -> int:
    """The start of the next paragraph after ``offset``, or the end of the text."""
    lo = offset
    while lo > 0 and text[lo - 1].isspace():
        lo -= 1
    for match in _PARAGRAPH_BREAK.finditer(text, lo):
        if match.end() > offset:
            return match.end()
    return len(text)


def previous_paragraph_start(text: str, offset: int) -> int:
    """The start of the paragraph the cursor is in, or of the one before if already at a start."""
    return _previous(lambda lo: (m.end() for m in _PARAGRAPH_BREAK.finditer(text, lo)), offset)


def _previous(breaks, offset: int) -> int:
    """The last break (a start) strictly before ``offset``, searching backwards in growing windows.

    ``breaks(lo)`` yields break ends in order from ``lo`` on. A window's start can cut a break in
    two; that break is then missed only if a later one exists, which is the answer anyway.
    """
    window = _BACK_WINDOW
    while True:
        lo = max(0, offset - window)
        best = 0
        for end in breaks(lo):
            if end >= offset:
                break
            best = end
        if best or lo == 0:
            return best
        window *= 4
