"""The one tokenizer, and the words built from its tokens.

Two granularities, one source:

* A **token** is a run of word characters, or one other non-space character.
  Combining marks, zero-width joiners, variation selectors and emoji modifiers
  stay with the character they modify, so ``café`` (decomposed) and ``👩🏽‍💻``
  are one token each. Tokens are exact (``text[start:end]`` is the token), never
  whitespace, never overlapping. CoNLL, the ``tokens`` of the native JSONL,
  agreement's token counts and the review screen's boundary keys count them.
* A **word** is a run of touching tokens as a reader sees one word: word tokens
  joined by one of ``. , ' ’ - &`` between them (``48.6``, ``don't``,
  ``state-run``, ``AT&T``), with the symbols that belong to them on either side
  (``$48.6``, ``5%``, ``#tag``, ``@name``, ``€3``, ``C++``). The annotation
  screen's word motion (``w``/``b``), the word under the cursor, snapping a
  selection to whole words and the span boundary keys all use words.

Every word starts and ends on token boundaries, so a span made by snapping
always lines up with the tokens an exporter writes.

The word functions take a code point offset into a whole document and look at
a window around it, never the whole text: the window is widened to *cuts*
(positions no token or word crosses: next to whitespace, before a bracket,
quote, dash or other punctuation that never joins a word, between two ASCII
punctuation marks), so its words are exactly those of the whole text, and the
work is proportional to the distance moved.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import add
from typing import NamedTuple


class Token(NamedTuple):
    """A token: ``text == document[start:end]``; ``ws`` when whitespace follows it."""

    text: str
    start: int
    end: int
    ws: bool  # followed by whitespace


_TOKEN = re.compile(r"\w+|\S")
_WORD = re.compile(r"\w")
_ZWJ_KEYCAP = {"\u200d", "\u20e3"}  # zero-width joiner, combining enclosing keycap


def _attaches(ch: str) -> bool:
    """Does ``ch`` belong to the character before it (a mark, selector, modifier)?"""
    if ch in _ZWJ_KEYCAP or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":
        return True
    if "\U000e0020" <= ch <= "\U000e007f":  # emoji tag sequences (flags of regions)
        return True
    return unicodedata.category(ch).startswith("M")


def _regional(ch: str) -> bool:
    """A regional indicator symbol: two of them make one flag."""
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


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
    if _regional(ch) and _regional(before):  # a flag: regional indicators pair up from the first
        i = start - 1
        while i > token_start and _regional(text[i - 1]):
            i -= 1
        return (start - i) % 2 == 1
    return _attaches(before) and _WORD.match(ch) is not None and _WORD.match(text[token_start]) is not None


#: Every character that attaches (:func:`_attaches`), a zero-width joiner, a regional indicator,
#: and some others: two touching matches of ``_TOKEN`` can only join next to one of these
#: (``_continues`` is False unless the character at the join attaches or is a regional indicator,
#: or the one before it attaches or is a ZWJ). Left out: word characters (none attaches), ASCII, and
#: the blocks most text is made of that hold none of them (Latin letters and punctuation, general
#: punctuation, currency, symbols and arrows, CJK punctuation, full-width forms, emoji but their
#: modifiers). tests/unit/test_tokens.py checks every code point against the rule.
_JOINING = re.compile(
    r"[^\w\s\x00-\x7f\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20cf\u2100-\u2bff"
    r"\u3000-\u3029\u3030-\u303f\uff00-\uffef\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff]"
)
#: Up to this many code points, the text is split once (:data:`_PIECES`); above, it is matched three
#: times (no list of every gap and offset: memory stays proportional to the tokens, not twice that).
_KEEP_MATCHES = 50_000
_match_start = re.Match.start
_match_end = re.Match.end
#: ``_TOKEN`` captured: ``split`` gives gap, token, gap, token, ..., gap (a gap may be ""), every piece
#: of the text in order, so the running sum of their lengths holds every token's start and end.
_PIECES = re.compile(f"({_TOKEN.pattern})")


def _columns(text: str, start: int, end: int) -> tuple[list[int], list[int], list[str]]:
    """The starts, ends and texts of the tokens of ``text[start:end]``: the matches of ``_TOKEN``,
    with the touching ones that :func:`_continues` joins joined.

    Every loop over all the tokens runs in C (``split``, ``map``, ``accumulate``, slices: no match
    object a token); only the places next to a :data:`_JOINING` character (few in most texts, none
    in ASCII) are looked at in Python, in order, each against the token as joined so far.
    """
    if end - start <= _KEEP_MATCHES:
        pieces = _PIECES.split(text if start == 0 and end == len(text) else text[start:end])
        bounds = list(accumulate(map(len, pieces), initial=start))  # bounds[k]: where piece k starts
        starts, ends, texts = bounds[1:-1:2], bounds[2:-1:2], pieces[1::2]
    else:  # a long text: three passes, each match freed at once
        starts = list(map(_match_start, _TOKEN.finditer(text, start, end)))
        ends = list(map(_match_end, _TOKEN.finditer(text, start, end)))
        texts = _TOKEN.findall(text, start, end)
    joins = _joins(text, start, end, starts, ends) if starts and not text.isascii() else []
    if not joins:
        return starts, ends, texts
    return _without(starts, joins), _without(ends, [i - 1 for i in joins]), _joined(texts, joins)


def _joined(texts: list[str], joins: list[int]) -> list[str]:
    """``texts`` with each text at the (ascending) indices ``joins`` appended to the one before
    (joined matches touch: the concatenation is the joined token's text)."""
    out: list[str] = []
    k = 0
    for i in joins:
        out += texts[k:i]
        out[-1] += texts[i]
        k = i + 1
    out += texts[k:]
    return out


def _joins(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> list[int]:
    """The indices ``i`` (ascending) of the matches that join the token holding match ``i - 1``."""
    places = set(map(_match_start, _JOINING.finditer(text, start, end)))
    places.update([p + 1 for p in places])
    n = len(starts)
    heads: dict[int, int] = {}  # match index -> start of the token it joined
    joins: list[int] = []
    for p in sorted(places):
        i = bisect_left(starts, p)
        if i == 0 or i >= n or starts[i] != p or ends[i - 1] != p:
            continue  # no match starts here right where the one before ends
        head = heads.get(i - 1, starts[i - 1])
        if _continues(text, head, p):
            heads[i] = head
            joins.append(i)
    return joins


def _without(values: list[int], skip: list[int]) -> list[int]:
    """``values`` without the items at the (ascending) indices ``skip``, in linear time."""
    out: list[int] = []
    k = 0
    for i in skip:
        out += values[k:i]
        k = i + 1
    out += values[k:]
    return out


def token_bounds(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each token of ``text[start:end]``, in offsets of ``text``.

    ``start`` and ``end`` must be cuts (0, ``len(text)``, or next to whitespace):
    a token is never cut there, so the tokens are those of the whole text.
    """
    starts, ends, _ = _columns(text, start, len(text) if end is None else end)
    return list(zip(starts, ends))


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``: runs of word characters or single other characters, never whitespace."""
    return _tokens(text, *_columns(text, 0, len(text)))


def _tokens(text: str, starts: list[int], ends: list[int], texts: list[str]) -> list[Token]:
    """The :class:`Token` s of these columns, built by C loops (``map``), not a Python one per token."""
    return list(map(tuple.__new__, repeat(Token), zip(texts, starts, ends, _followed_by_space(text, ends))))


def _followed_by_space(text: str, ends: list[int]) -> list[bool]:
    """For each end, whether whitespace follows it (``text[e:e + 1]`` is "" at the end of the text,
    and "".isspace() is False)."""
    return list(map(str.isspace, map(text.__getitem__, map(slice, ends, map(add, ends, repeat(1))))))


class Tokenized:
    """A text's tokens with the lookups the exporters need (span to token range, sentences).

    Made once per document and shared by every record of it (``annotator.exporters.DocumentCache``):
    the tokens are kept as columns (:attr:`starts`, :attr:`ends`, :attr:`texts`); the
    :class:`Token` s and the sentence breaks are made on first use and kept.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts, self.ends, self.texts = _columns(text, 0, len(text))
        self._tokens: list[Token] | None = None
        self._sentence_breaks: list[int] | None = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = _tokens(self.text, self.starts, self.ends, self.texts)
        return self._tokens

    def overlapping(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) indices of the tokens overlapping ``start``-``end``; None when none does."""
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        return (first, last) if first <= last else None

    def aligned(self, start: int, end: int) -> tuple[int, int] | None:
        """(first, last) when ``start`` begins a token and ``end`` ends one; else None."""
        first = bisect_left(self.starts, start)
        last = bisect_left(self.ends, end)
        n = len(self.starts)
        if first < n and last < n and self.starts[first] == start and self.ends[last] == end:
            return first, last
        return None

    def sentence_starts(self, keep_together: list[tuple[int, int]] = ()) -> list[int]:
        """:func:`annotator.text.sentences.sentence_starts` of these tokens (the breaks found once)."""
        from .sentences import sentence_breaks

        if not self.starts:
            return []
        if self._sentence_breaks is None:
            self._sentence_breaks = sentence_breaks(self.text, self.starts, self.ends)
        breaks = self._sentence_breaks
        if keep_together and breaks:
            breaks = _outside(breaks, keep_together)
        return [0, *breaks]


def _outside(breaks: list[int], ranges: list[tuple[int, int]]) -> list[int]:
    """The ``breaks`` that no (first, last) range holds (``first < b <= last``): the ranges merged, then
    one bisection a break (not a set of every token inside a range)."""
    firsts: list[int] = []
    lasts: list[int] = []
    for first, last in sorted(ranges):
        if lasts and first <= lasts[-1]:  # overlaps or touches the one before: one range
            lasts[-1] = max(lasts[-1], last)
        else:
            firsts.append(first)
            lasts.append(last)
    out = []
    for b in breaks:
        k = bisect_left(firsts, b) - 1  # the last range starting before b
        if k < 0 or b > lasts[k]:
            out.append(b)
    return out


# -- words ------------------------------------------------------------------------------------

#: Between two word tokens, one of these joins them into one word (``48.6``, ``don't``, ``AT&T``).
WORD_JOINERS = ".,'’-&"
_SYMBOLS = "%‰‱°#@+"
#: Punctuation that is never part of a word and never joins the token before it (unless that ends in
#: a zero-width joiner): a cut falls before it.
_BREAKERS = "!\"()*/:;<=>?[\\]^`{|}~–—―‐‑‒…‥“”‘„‚«»‹›•·¡¿†‡§¶、。，．：；！？（）［］｛｝【】「」『』《》〈〉〔〕"
#: ASCII punctuation that is no attached symbol: no word crosses between two of them (``...``, ``.-``).
_ASCII_PUNCTUATION = "".join(sorted(set("!\"'()*,-./:;<=>?[\\]^_`{|}~&") - {"_"}))


def is_attached_symbol(char: str) -> bool:
    """A symbol that belongs to the word it touches: ``$48.6``, ``5%``, ``#tag``, ``@name``, ``€3``."""
    return char in _SYMBOLS or unicodedata.category(char) == "Sc"


def _kind(text: str, start: int, end: int) -> str:
    """'w' word token, 'j' joiner, 's' attached symbol, '' anything else."""
    if _WORD.match(text, start) is not None:
        return "w"
    if end - start == 1:
        char = text[start]
        if char in WORD_JOINERS:
            return "j"
        if is_attached_symbol(char):
            return "s"
    return ""


def group_words(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The words made of the tokens ``bounds`` (in order): ``(start, end)`` of each.

    A word is ``symbols* W ((joiner | symbols+) W)* symbols*`` over touching tokens.
    """
    kinds = [_kind(text, s, e) for s, e in bounds]
    n = len(bounds)

    def touching(i: int) -> bool:  # token i + 1 starts where token i ends
        return i + 1 < n and bounds[i + 1][0] == bounds[i][1]

    words: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if kinds[i] not in ("w", "s"):
            i += 1
            continue
        j = i
        while kinds[j] == "s" and touching(j):
            j += 1
        if kinds[j] != "w":
            i += 1  # symbols touching no word: not a word
            continue
        last = j
        while touching(last) and kinds[last + 1] in ("j", "s"):
            p = last + 1
            if kinds[p] == "s":
                while touching(p) and kinds[p + 1] == "s":
                    p += 1
            if touching(p) and kinds[p + 1] == "w":
                last = p + 1
            else:
                break
        while touching(last) and kinds[last + 1] == "s":
            last += 1
        words.append((bounds[i][0], bounds[last][1]))
        i = last + 1
    return words


_BREAKER_CLASS = "[" + re.escape(_BREAKERS) + "]"
_PUNCTUATION_CLASS = "[" + re.escape(_ASCII_PUNCTUATION) + "]"
#: Where a cut falls: before or after whitespace, before a breaker, between two ASCII punctuation
#: characters; never after a ZWJ (the character after one joins its token).
_CUT_AT = rf"(?=\s)|(?<=\s)|(?<!\u200d)(?={_BREAKER_CLASS})|(?<=[^\u200d]{_PUNCTUATION_CLASS})(?={_PUNCTUATION_CLASS})"
_CUT = re.compile(_CUT_AT)
#: Matched from a window's start, ends at the window's last cut (greedy, so the scan runs in C).
_LAST_CUT = re.compile(rf"[\s\S]*(?:{_CUT_AT})")
#: Matched from a stretch's start, ends just after its last word character.
_LAST_WORD_CHAR = re.compile(r"[\s\S]*\w")


def _cut_before(text: str, i: int) -> int:
    """The last cut at or before ``i``: no token and no word crosses it."""
    n = len(text)
    i = max(0, min(i, n))
    if i == 0 or i == n:
        return i
    size = 64
    while True:
        start = max(0, i - size)
        match = _LAST_CUT.match(text, start, i + 1)
        if match is not None:
            return min(match.end(), i)  # i + 1 only when text[i] is whitespace: i is a cut then
        if start == 0:
            return 0
        size *= 4


def _cut_after(text: str, i: int) -> int:
    """The first cut at or after ``i``."""
    n = len(text)
    i = max(0, min(i, n))
    if i == 0 or i == n:
        return i
    match = _CUT.search(text, i)
    return match.start() if match is not None else n


def words_between(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], int, int]:
    """The words of the smallest stretch around ``[lo, hi]`` bounded by cuts, and that stretch.

    Only the part from the cut before its first word character to the cut after
    its last is tokenized: every word holds a word character, and a stretch of
    punctuation or emoji without one (however long) holds no word.
    """
    lo, hi = _cut_before(text, lo), _cut_after(text, hi)
    first = _WORD.search(text, lo, hi)
    if first is None:
        return [], lo, hi
    last = _LAST_WORD_CHAR.match(text, first.start(), hi)
    assert last is not None
    start, end = _cut_before(text, first.start()), _cut_after(text, last.end())
    return group_words(text, token_bounds(text, start, end)), lo, hi


_WINDOW = 64


def _first_word(text: str, offset: int, test: Callable[[int, int], bool]) -> tuple[int, int] | None:
    """The first word (in reading order) from around ``offset`` on that passes ``test``.

    Windows grow as they go and each starts where the last ended (a cut), so the
    work is proportional to the distance to the word.
    """
    size, lo = _WINDOW, offset
    while True:
        words, _, hi = words_between(text, lo, lo + size)
        for word in words:
            if test(*word):
                return word
        if hi >= len(text):
            return None
        size, lo = size * 4, hi


def _last_word(text: str, offset: int, test: Callable[[int, int], bool]) -> tuple[int, int] | None:
    """The last word up to around ``offset`` that passes ``test`` (windows as in :func:`_first_word`)."""
    size, hi = _WINDOW, offset
    while True:
        words, lo, _ = words_between(text, hi - size, hi)
        for word in reversed(words):
            if test(*word):
                return word
        if lo <= 0:
            return None
        size, hi = size * 4, lo


def next_word_start(text: str, offset: int) -> int:
    """The start of the first word after ``offset`` (vim ``w``), or the end of the text."""
    word = _first_word(text, offset, lambda s, e: s > offset)
    return word[0] if word else len(text)


def previous_word_start(text: str, offset: int) -> int:
    """The start of the word before ``offset``, or of the word ``offset`` is inside (vim ``b``); else 0."""
    word = _last_word(text, offset, lambda s, e: s < offset)
    return word[0] if word else 0


def next_word_end(text: str, offset: int) -> int:
    """The end of the first word ending after ``offset``, or the end of the text."""
    word = _first_word(text, offset, lambda s, e: e > offset)
    return word[1] if word else len(text)


def previous_word_end(text: str, offset: int) -> int:
    """The end of the last word ending before ``offset``, or 0."""
    word = _last_word(text, offset, lambda s, e: e < offset)
    return word[1] if word else 0


def _word_containing(text: str, offset: int, *, strictly: bool) -> tuple[int, int] | None:
    """The word around ``offset``: ``start <= offset < end`` (``start < offset < end`` if ``strictly``)."""
    words, _, _ = words_between(text, offset, offset + (0 if strictly else 1))
    for start, end in words:
        if (start < offset if strictly else start <= offset) and offset < end:
            return start, end
    return None


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word under ``offset``, or on punctuation the word it touches (left first); None on whitespace.

    ``Evin,`` gives ``Evin``; ``(Reuters)`` gives ``Reuters`` from either bracket;
    ``5%`` and ``$4.5`` stay whole. None on whitespace or on punctuation alone. The result is
    what :func:`annotator.text.snap` makes of the word (so snapping it changes nothing).
    """
    word = _word_under(text, offset)
    if word is None:
        return None
    from .snapping import snap  # the word as snapping stores it: ``U.S`` takes its period (``U.S.``)

    return snap(text, *word)


def _word_under(text: str, offset: int) -> tuple[int, int] | None:
    if not 0 <= offset < len(text) or text[offset].isspace():
        return None
    word = _word_containing(text, offset, strictly=False)
    if word is not None:
        return word
    left = _last_word(text, offset, lambda s, e: e <= offset)
    if left is not None and not any(ch.isspace() for ch in text[left[1] : offset]):
        return left
    right = _first_word(text, offset, lambda s, e: s > offset)
    if right is not None and not any(ch.isspace() for ch in text[offset : right[0]]):
        return right
    return None


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without leading or trailing whitespace; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """:func:`annotator.text.snap` in word mode (whole words, balanced edge punctuation)."""
    from .snapping import snap

    return snap(text, start, end, words=True)


#: How far around an edge tokens are looked for when moving it by a token.
_EDGE_WINDOW = 512


def move_edge(text: str, start: int, end: int, edge: str, direction: int, *, words: bool = True) -> tuple[int, int] | None:
    """``[start, end)`` with its ``edge`` ('start' or 'end') moved one word (or one token) left
    (``direction`` -1) or right (+1), snapped (:func:`annotator.text.snap`, same mode);
    None when nothing would be left.

    The one boundary move both screens use: ``words`` follows the view's snap mode (``z``):
    whole words as snapping sees them (``$48.6`` moves as one; growing ``Iran`` by a word gives
    ``Iran (NCRI)``), else single tokens (``Raisi’s`` -> ``Raisi’`` -> ``Raisi``). A step that
    snapping would undo (``Iran (NCRI)`` shrunk to ``Iran (NCRI`` snaps back) goes on to the next
    word, so the edge always moves while it can.
    """
    from .snapping import snap

    current = snap(text, start, end, words=words)
    offset = start if edge == "start" else end
    while True:
        moved = _step_edge(text, offset, edge, direction, words)
        if moved == offset:  # nowhere further to go
            return current
        offset = moved
        new = (offset, end) if edge == "start" else (start, offset)
        if new[0] >= new[1]:
            return None
        snapped = snap(text, *new, words=words)
        if snapped is None or current is None:
            return snapped
        before, after = (current[0], snapped[0]) if edge == "start" else (current[1], snapped[1])
        if (after - before) * direction > 0:
            return snapped


def _step_edge(text: str, offset: int, edge: str, direction: int, words: bool) -> int:
    """The next word (or token) start or end from ``offset`` in ``direction``; ``offset`` if none."""
    if words:
        if edge == "start":
            return previous_word_start(text, offset) if direction < 0 else next_word_start(text, offset)
        return next_word_end(text, offset) if direction > 0 else previous_word_end(text, offset)
    lo = max(0, offset - _EDGE_WINDOW)
    window = token_bounds(text, _cut_before(text, lo), _cut_after(text, offset + _EDGE_WINDOW))
    points = sorted({s if edge == "start" else e for s, e in window})
    if direction < 0:
        return max((p for p in points if p < offset), default=offset)
    return min((p for p in points if p > offset), default=offset)
