"""The one snapping function, and the grapheme boundaries it never cuts.

Every way of selecting text (``v`` selections, shift+moves, mouse drags, search hits, the span
boundary keys, the word under the cursor, the review screen's edits) turns a raw ``(start, end)``
into what is stored through :func:`snap`. Its rules:

Always (both modes)
    The range is clamped to the text (reversed ends are swapped), widened to grapheme boundaries
    (:func:`grapheme_start`, :func:`grapheme_end`: an emoji with its skin tone, a flag, a ZWJ
    family, a letter with its combining accents, CRLF are never split) and trimmed of edge
    whitespace (whole graphemes whose first character is whitespace). None when nothing is left.

``words=False`` (the ``z`` exact-character mode)
    Only the above: the selection is kept as it was made.

``words=True``
    * an edge that cuts through a word (the words of :mod:`.tokens`: ``$48.6``, ``don't``,
      ``state-run``, ``Covid-19``) widens to the whole word;
    * a word of single letters separated by periods (``U.S``, ``e.g``, ``a.m``) takes the period
      that follows it (``U.S.``, ``e.g.``): that period belongs to the abbreviation, so it is never
      dropped, and the word under the cursor, word motion and selections all give ``U.S.``;
    * the closer of an opener left open inside the range is taken in when it follows the end at
      once, or after sentence punctuation (``Iran (NCRI`` -> ``Iran (NCRI)``,
      ``“Hello,`` -> ``“Hello,”``); the opener of a closer left open is taken in when it comes
      just before the start (``NCRI) said`` -> ``(NCRI) said``);
    * edge punctuation (Unicode category P, but the symbols that belong to words: ``% ‰ ‱ # @``)
      that is not part of a word is dropped, with the whitespace it uncovers, unless it is
      balanced inside the range: an opening bracket whose closer is inside, a closing bracket
      whose opener is inside, an opening quote whose closing quote is inside (anywhere:
      ``“Hello,” he said`` keeps its quote), a closing quote whose opening quote is inside
      (“…”, ‘…’, «…», »…«, ‹…›, „…“, „…”, ‚…‘, and straight quotes paired from the left: an odd
      one out is dropped). An apostrophe between two letters is no quote;
    * all of it repeats until nothing changes (``(“x”),`` -> ``(“x”)``);
    * if dropping punctuation would leave nothing (a selection of only ``—``), the range of the
      first rule is kept instead of None.

:func:`snap` is idempotent (``snap(*snap(r)) == snap(r)``) and works on a window around the
range's edges, never the whole text (a check for balance reads the range itself, with ``str.find``).
"""

from __future__ import annotations

import re
import unicodedata

from .tokens import _word_containing, is_attached_symbol

__all__ = ["grapheme_end", "grapheme_start", "is_grapheme_boundary", "snap"]


# -- graphemes --------------------------------------------------------------------------------
#
# Unicode's extended grapheme clusters (UAX #29), close enough for real text: neither Python's
# standard library nor Rich (rich.cells.split_graphemes splits flags into their two regional
# indicators and makes one cluster of "a\r\n") nor Textual offer segmentation, and the
# grapheme-break property is not in unicodedata, so the classes below are built from the general
# categories and a few ranges.

_ZWJ = "\u200d"
_ZWNJ = "\u200c"
#: Prepended concatenation marks and the other Prepend characters: they join the character after.
_PREPEND = frozenset(
    [*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0xD4E, 0x110BD, 0x110CD, 0x111C2, 0x111C3,
     0x1193F, 0x11941, 0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46, 0x11F02]
)


def _extends(ch: str) -> bool:
    """Grapheme_Cluster_Break Extend, SpacingMark or ZWJ: joins the character before it."""
    if ch == _ZWJ or ch == _ZWNJ or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f":
        return True  # joiners, emoji modifiers (skin tones), emoji tags (subdivision flags)
    if ch in "\uff9e\uff9f\u0e33\u0eb3":  # half-width katakana sound marks; Thai and Lao SARA AM (SpacingMark)
        return True
    return unicodedata.category(ch)[0] == "M"  # combining marks, variation selectors, spacing marks


def _spacing(ch: str) -> bool:
    """Grapheme_Cluster_Break SpacingMark (roughly): joins the character before it, but is no Extend."""
    return ch in "\u0e33\u0eb3" or unicodedata.category(ch) == "Mc"


def _control(ch: str) -> bool:
    """Grapheme_Cluster_Break Control, CR or LF: a break on both sides (but CR LF)."""
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp"):
        return True
    return category == "Cf" and ch != _ZWJ and ch != _ZWNJ and not "\U000e0020" <= ch <= "\U000e007f" and ord(ch) not in _PREPEND


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _pictographic(ch: str) -> bool:
    """Extended_Pictographic, approximately: what a ZWJ joins to an emoji before it."""
    cp = ord(ch)
    if cp >= 0x1F000:
        return cp <= 0x1FFFD and not 0x1F1E6 <= cp <= 0x1F1FF and not 0x1F3FB <= cp <= 0x1F3FF
    return (
        cp in (0xA9, 0xAE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299)
        or 0x2194 <= cp <= 0x21AA or 0x2300 <= cp <= 0x23FF or 0x25AA <= cp <= 0x27BF
        or 0x2934 <= cp <= 0x2935 or 0x2B05 <= cp <= 0x2B55
    )


def _hangul(ch: str) -> str:
    """Hangul_Syllable_Type: 'L', 'V', 'T', 'LV', 'LVT', or '' for anything else."""
    cp = ord(ch)
    if cp < 0x1100:
        return ""
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    return ""


_HANGUL_JOINS = {
    ("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"),
    ("LV", "V"), ("LV", "T"), ("V", "V"), ("V", "T"),
    ("LVT", "T"), ("T", "T"),
}


#: The viramas that join two consonants into one conjunct (Indic_Conjunct_Break=Linker).
_LINKERS = "\u094d\u09cd\u0acd\u0b4d\u0c4d\u0d4d"


def _indic_consonant(ch: str) -> bool:
    """Indic_Conjunct_Break=Consonant, approximately: a letter of Devanagari, Bengali, Gujarati,
    Oriya, Telugu or Malayalam."""
    return ("\u0900" <= ch <= "\u09ff" or "\u0a80" <= ch <= "\u0b7f" or "\u0c00" <= ch <= "\u0c7f"
            or "\u0d00" <= ch <= "\u0d7f") and unicodedata.category(ch) == "Lo"


def _conjunct(text: str, i: int) -> bool:
    """GB9c: ``text[i]`` is a consonant after consonant (extend|linker)* linker (extend|linker)*."""
    if not _indic_consonant(text[i]):
        return False
    j, linked = i - 1, False
    while j >= 0 and (text[j] in _LINKERS or (_extends(text[j]) and text[j] != _ZWJ) or text[j] == _ZWJ):
        linked = linked or text[j] in _LINKERS
        j -= 1
    return linked and j >= 0 and _indic_consonant(text[j])


def is_grapheme_boundary(text: str, i: int) -> bool:
    """Is there a grapheme cluster boundary between ``text[i - 1]`` and ``text[i]``?

    Looks back only as far as a rule needs (the run of regional indicators before a flag, the
    marks between an emoji and its ZWJ). 0, ``len(text)`` and offsets outside are boundaries.
    """
    if i <= 0 or i >= len(text):
        return True
    a, b = text[i - 1], text[i]
    if a < "\x80" and b < "\x80":
        return not (a == "\r" and b == "\n")  # GB3; everything else in ASCII breaks (GB4, GB5, GB999)
    if _control(a) or _control(b):
        return True  # GB4, GB5
    if a >= "\u1100" and b >= "\u1100" and (_hangul(a), _hangul(b)) in _HANGUL_JOINS:
        return False  # GB6-GB8
    if _extends(b):
        return False  # GB9, GB9a
    if ord(a) in _PREPEND:
        return False  # GB9b
    if a == _ZWJ and _pictographic(b):  # GB11: pictographic Extend* ZWJ x pictographic
        j = i - 2
        while j >= 0 and _extends(text[j]) and text[j] != _ZWJ and not _spacing(text[j]):
            j -= 1  # Extend*, not SpacingMark
        return not (j >= 0 and _pictographic(text[j]))
    if a in _LINKERS or (_extends(a) and _indic_consonant(b)):  # GB9c: consonant (extend|linker)* linker x consonant
        return not _conjunct(text, i)
    if _regional(a) and _regional(b):  # GB12, GB13: flags pair up from the start of the run
        j = i - 1
        while j > 0 and _regional(text[j - 1]):
            j -= 1
        return (i - j) % 2 == 0
    return True


def grapheme_start(text: str, i: int) -> int:
    """The grapheme boundary at or before ``i`` (clamped to the text)."""
    i = max(0, min(i, len(text)))
    while not is_grapheme_boundary(text, i):
        i -= 1
    return i


def grapheme_end(text: str, i: int) -> int:
    """The grapheme boundary at or after ``i`` (clamped to the text)."""
    i = max(0, min(i, len(text)))
    while not is_grapheme_boundary(text, i):
        i += 1
    return i


# -- exact ranges ---------------------------------------------------------------------------


def _exact(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Grapheme-aligned and without edge whitespace (whole whitespace graphemes); None if empty."""
    start, end = grapheme_start(text, start), grapheme_end(text, end)
    while start < end and text[start].isspace():
        start = grapheme_end(text, start + 1)
    while end > start:
        last = grapheme_start(text, end - 1)
        if not text[last].isspace():
            break
        end = last
    return (start, end) if start < end else None


# -- punctuation ------------------------------------------------------------------------------

_BRACKETS = ["()", "[]", "{}", "（）", "［］", "｛｝", "【】", "「」", "『』", "《》", "〈〉", "〔〕", "⟨⟩", "⦅⦆", "〘〙", "〚〛"]
_CLOSE_OF = {pair[0]: pair[1] for pair in _BRACKETS}
_OPEN_OF = {pair[1]: pair[0] for pair in _BRACKETS}
#: Each opening quote and the quotes that close it (straight quotes close themselves, see _STRAIGHT).
_QUOTE_CLOSERS = {"“": "”", "‘": "’", "„": "“”", "‚": "‘’", "«": "»", "»": "«", "‹": "›", "›": "‹"}
_QUOTE_OPENERS: dict[str, str] = {}
for _opener, _closers in _QUOTE_CLOSERS.items():
    for _closer in _closers:
        _QUOTE_OPENERS[_closer] = _QUOTE_OPENERS.get(_closer, "") + _opener
_STRAIGHT = "\"'"
#: What may come between the end of a range and the closer it takes in (``“Hello,”``).
_SENTENCE_PUNCTUATION = ".,;:!?…"
_CLOSE_RUN = 3
#: A word of single letters separated by periods: ``U.S``, ``e.g``, ``a.m``.
_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")


def _punctuation(ch: str) -> bool:
    """Edge punctuation snapping may drop (category P, but the symbols that stay with words)."""
    if ch < "\x80":
        return ch in _ASCII_PUNCTUATION
    return unicodedata.category(ch)[0] == "P" and not is_attached_symbol(ch)


_ASCII_PUNCTUATION = frozenset(
    ch for ch in map(chr, range(128)) if unicodedata.category(ch)[0] == "P" and not is_attached_symbol(ch)
)


def _letterlike(ch: str) -> bool:
    """A word character or a mark on one (``cafe\u0301's``)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def _apostrophe(text: str, p: int) -> bool:
    """Is the quote character at ``p`` an apostrophe inside a word (``don't``, ``Raisi’s``)?"""
    return 0 < p < len(text) - 1 and _letterlike(text[p - 1]) and (text[p + 1].isalnum() or text[p + 1] == "_")


def _find_quote(text: str, chars: str, lo: int, hi: int) -> int:
    """The first of ``chars`` in ``text[lo:hi]`` that is no apostrophe, or -1."""
    best = -1
    for ch in chars:
        p = text.find(ch, lo, hi if best < 0 else best)
        while p >= 0 and _apostrophe(text, p):
            p = text.find(ch, p + 1, hi if best < 0 else best)
        if p >= 0:
            best = p
    return best


def _rfind_quote(text: str, chars: str, lo: int, hi: int) -> int:
    """The last of ``chars`` in ``text[lo:hi]`` that is no apostrophe, or -1."""
    best = -1
    for ch in chars:
        p = text.rfind(ch, max(lo, best + 1), hi)
        while p >= 0 and _apostrophe(text, p):
            p = text.rfind(ch, max(lo, best + 1), p)
        if p >= 0:
            best = p
    return best


def _count_quotes(text: str, ch: str, lo: int, hi: int) -> int:
    """How many ``ch`` in ``text[lo:hi]`` are no apostrophe."""
    count, p = 0, text.find(ch, lo, hi)
    while p >= 0:
        if not _apostrophe(text, p):
            count += 1
        p = text.find(ch, p + 1, hi)
    return count


def _closed_after(text: str, p: int, e: int, opener: str, closer: str) -> bool:
    """Does the bracket ``opener`` at ``p`` (or one just before ``text[p + 1:e]``) close before ``e``
    (nesting counted)?"""
    depth, pos = 1, p + 1
    while True:
        q = text.find(closer, pos, e)
        if q < 0:
            return False
        depth += text.count(opener, pos, q) - 1
        if depth <= 0:
            return True
        pos = q + 1


def _opened_before(text: str, s: int, p: int, opener: str, closer: str) -> bool:
    """Was the bracket ``closer`` at ``p`` (or one just after ``text[s:p]``) opened at or after ``s``
    (nesting counted)?"""
    depth, pos = 1, p
    while True:
        q = text.rfind(opener, s, pos)
        if q < 0:
            return False
        depth += text.count(closer, q + 1, pos) - 1
        if depth <= 0:
            return True
        pos = q


def _start_balanced(text: str, s: int, e: int) -> bool:
    """Is the punctuation at ``s`` an opener closed inside ``[s, e)``?"""
    ch = text[s]
    if ch in _CLOSE_OF:
        return _closed_after(text, s, e, ch, _CLOSE_OF[ch])
    if ch in _STRAIGHT:
        return _count_quotes(text, ch, s, e) >= 2
    if ch in _QUOTE_CLOSERS:
        return _find_quote(text, _QUOTE_CLOSERS[ch], s + 1, e) >= 0
    return False


def _end_balanced(text: str, s: int, p: int, e: int) -> bool:
    """Is the punctuation at ``p`` (the last grapheme of ``[s, e)``) a closer opened inside?"""
    ch = text[p]
    if ch in _OPEN_OF:
        return _opened_before(text, s, p, _OPEN_OF[ch], ch)
    if ch in _STRAIGHT:
        return _count_quotes(text, ch, s, e) % 2 == 0
    if ch in _QUOTE_OPENERS:
        return _rfind_quote(text, _QUOTE_OPENERS[ch], s, p) >= 0
    if ch == ".":
        return _abbreviation_before(text, p)
    return False


def _abbreviation_before(text: str, p: int) -> bool:
    """Is ``text[p]`` a period right after a word of single letters and periods (``U.S`` + ``.``)?"""
    if p < 3 or text[p - 2] != "." or not text[p - 1].isalpha():
        return False
    word = _word_containing(text, p - 1, strictly=False)
    return word is not None and word[1] == p and _ABBREVIATION.fullmatch(text, word[0], p) is not None


def _in_word(text: str, p: int) -> bool:
    return _word_containing(text, p, strictly=False) is not None


# -- the passes -------------------------------------------------------------------------------


def _widen_to_words(text: str, s: int, e: int) -> tuple[int, int]:
    word = _word_containing(text, s, strictly=True)
    if word is not None:
        s = word[0]
    word = _word_containing(text, e, strictly=True)
    if word is not None:
        e = word[1]
    if e < len(text) and text[e] == "." and _abbreviation_before(text, e):
        e += 1
    return s, e


def _take_closers(text: str, s: int, e: int) -> tuple[int, int]:
    """Take in the closer of an opener left open inside, right after the end (or after sentence
    punctuation), and the opener of a closer left open, right before the start."""
    n = len(text)
    j = e
    while j < n and j - e < _CLOSE_RUN and text[j] in _SENTENCE_PUNCTUATION:
        j += 1
    if j < n:
        ch = text[j]
        if ch in _OPEN_OF:
            if _opened_before(text, s, e, _OPEN_OF[ch], ch):  # it would close an opener inside
                e = j + 1
        elif ch in _STRAIGHT:
            if not _apostrophe(text, j) and _count_quotes(text, ch, s, e) % 2 == 1:
                e = j + 1
        elif ch in _QUOTE_OPENERS:
            p = _rfind_quote(text, _QUOTE_OPENERS[ch], s, e)
            if p >= 0 and _find_quote(text, _QUOTE_CLOSERS[text[p]], p + 1, e) < 0:
                e = j + 1
    if s > 0:
        ch = text[s - 1]
        if ch in _CLOSE_OF:
            if _closed_after(text, s - 1, e, ch, _CLOSE_OF[ch]):  # it would open a closer inside
                s -= 1
        elif ch in _STRAIGHT:
            if not _apostrophe(text, s - 1) and _count_quotes(text, ch, s, e) % 2 == 1:
                s -= 1
        elif ch in _QUOTE_CLOSERS:
            p = _find_quote(text, _QUOTE_CLOSERS[ch], s, e)
            if p >= 0 and _rfind_quote(text, _QUOTE_OPENERS[text[p]], s, p) < 0:
                s -= 1
    return s, e


def _drop_punctuation(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop unbalanced edge punctuation that is no part of a word, and the whitespace it uncovers."""
    while s < e:
        if _punctuation(text[s]) and not _balanced_or_word_start(text, s, e):
            s = grapheme_end(text, s + 1)
            while s < e and text[s].isspace():
                s = grapheme_end(text, s + 1)
            continue
        last = grapheme_start(text, e - 1)
        if _punctuation(text[last]) and not _balanced_or_word_end(text, s, last, e):
            e = last
            while e > s:
                last = grapheme_start(text, e - 1)
                if not text[last].isspace():
                    break
                e = last
            continue
        break
    return s, e


def _balanced_or_word_start(text: str, s: int, e: int) -> bool:
    return _in_word(text, s) or _start_balanced(text, s, e)


def _balanced_or_word_end(text: str, s: int, last: int, e: int) -> bool:
    return _in_word(text, last) or _end_balanced(text, s, last, e)


#: More passes than any text needs (each grows or shrinks the range; they settle in two or three).
_MAX_PASSES = 32


def snap(text: str, start: int, end: int, *, words: bool = True) -> tuple[int, int] | None:
    """The range every selection stores: see the module's docstring for the rules.

    None when nothing but whitespace is selected (or an empty range).
    """
    n = len(text)
    if start > end:
        start, end = end, start
    start, end = max(0, min(start, n)), max(0, min(end, n))
    if start >= end:
        return None
    exact = _exact(text, start, end)
    if exact is None or not words:
        return exact
    s, e = exact
    for _ in range(_MAX_PASSES):
        s2, e2 = grapheme_start(text, s), grapheme_end(text, e)
        s2, e2 = _widen_to_words(text, s2, e2)
        s2, e2 = _take_closers(text, s2, e2)
        s2, e2 = _drop_punctuation(text, s2, e2)
        if s2 >= e2:
            return exact  # only punctuation: keep what was selected
        if (s2, e2) == (s, e):
            break
        s, e = s2, e2
    return s, e
