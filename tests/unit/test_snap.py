"""text.snap: the one snapping function every way of selecting goes through, and grapheme bounds.

The cases come from the reference article (sample_docs/evin-prison-leak.txt) and from issue 10's
bug list; grapheme boundaries are checked against the
``regex`` module's ``\\X`` (an independent implementation of Unicode's extended grapheme clusters).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import text as textmod
from annotator.text import grapheme_end, grapheme_start, is_grapheme_boundary, move_edge, snap, word_at
from annotator.text.tokens import group_words, token_bounds

ARTICLE = (Path(__file__).resolve().parents[2] / "sample_docs" / "evin-prison-leak.txt").read_text(encoding="utf-8")


def cut(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """The offsets of the ``nth`` occurrence of ``needle``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def snapped(text: str, needle: str, nth: int = 0, *, words: bool = True) -> str | None:
    found = snap(text, *cut(text, needle, nth), words=words)
    return None if found is None else text[slice(*found)]


# -- the reference article and the bugs -------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "nth", "stored"),
    [
        # v + w x7 + s stored the comma; a single-word tag stripped it: now both strip it.
        ("National Council of Resistance of Iran (NCRI),", 0, "National Council of Resistance of Iran (NCRI)"),
        ("Iran (NCRI),", 0, "Iran (NCRI)"),
        ("(NCRI),", 0, "(NCRI)"),
        ("(NCRI)", 0, "(NCRI)"),
        ("Iran (NCRI", 0, "Iran (NCRI)"),  # the closer of an opener left open follows at once
        ("NCRI),", 0, "(NCRI)"),  # and the opener of a closer left open
        ("(NCR", 0, "(NCRI)"),
        ("Iran (", 0, "Iran"),
        # search hits inside a word: /hang stored 'hang' of "hanged", /Covid stored 'Covid' of "Covid-19"
        ("hang", 0, "hanged"),
        ("Covid", 0, "Covid-19"),
        ("vid-1", 0, "Covid-19"),
        ("swearing", 0, "swearing-in"),
        ("Raisi’", 0, "Raisi’s"),  # an apostrophe inside a word is no quote
        ("inmates’", 0, "inmates"),  # a lone closing quote at the end goes
        ("inmates’ health", 0, "inmates’ health"),
        # a quotation keeps both quotes or neither
        ("“According to the communications received by the AP, the hackers copied data", 0,
         "According to the communications received by the AP, the hackers copied data"),
        ("before releasing large quantities to the media in the wake of Ebrahim Raisi’s swearing-in as the "
         "regime’s new president earlier this month.”", 0,
         "before releasing large quantities to the media in the wake of Ebrahim Raisi’s swearing-in as the "
         "regime’s new president earlier this month"),
        ("“henchman of 1988,”", 0, "“henchman of 1988,”"),
        ("“henchman of 1988,", 0, "“henchman of 1988,”"),  # the closer after sentence punctuation
        ("“henchman of 1988", 0, "“henchman of 1988,”"),
        ("henchman of 1988,”", 0, "“henchman of 1988,”"),  # its opener comes just before
        ("“henchman of 1988,” Raisi has", 0, "“henchman of 1988,” Raisi has"),  # closed inside, not at the end
        ("The NCRI said, “", 0, "The NCRI said"),
        ("said, “The", 0, "said, “The"),  # an opener inside is no edge
        ("in 2020.", 0, "in 2020"),
        ("August 23 ", 0, "August 23"),
        (" Evin Prison, ", 0, "Evin Prison"),
        (" ", 0, None),
    ],
)
def test_the_reference_article(selected, nth, stored):
    assert snapped(ARTICLE, selected, nth) == stored


def test_exact_mode_keeps_what_was_selected_minus_edge_whitespace():
    assert snapped(ARTICLE, "Iran (NCRI),", words=False) == "Iran (NCRI),"
    assert snapped(ARTICLE, "hang", words=False) == "hang"
    assert snapped(ARTICLE, " Evin Prison, ", words=False) == "Evin Prison,"
    assert snapped(ARTICLE, "\n\nThe NCRI", words=False) == "The NCRI"
    assert snap(ARTICLE, 5, 5, words=False) is None and snap(ARTICLE, 5, 5) is None


@pytest.mark.parametrize(
    ("text", "selected", "stored"),
    [
        ("“Hello,” he said.", "“Hello,” he said.", "“Hello,” he said"),  # closed inside: it stays
        ("“Hello,” he said.", "Hello,” he", "“Hello,” he"),  # its opener comes just before
        ("(“x”), then", "(“x”),", "(“x”)"),  # repeat until stable
        ("(“x”), then", "“x”),", "(“x”)"),
        ('He said "no" twice.', '"no"', '"no"'),
        ('He said "no" twice.', 'said "no', 'said "no"'),
        ('He said "no" twice.', 'no" twice', '"no" twice'),
        ('"a" "b" c', '"a" "b', '"a" "b"'),
        ("'quoted' text", "'quoted'", "'quoted'"),
        ("'quoted' text", "quoted'", "'quoted'"),
        ("don't 'x", "don't 'x", "don't 'x"),  # an interior lone quote stays (only edges are checked)
        ("rock ‘n’ roll", "‘n’", "‘n’"),
        ("«Bonjour», dit-il", "«Bonjour»,", "«Bonjour»"),
        ("« Bonjour », dit-il", "« Bonjour »", "« Bonjour »"),
        ("„Guten Tag“, sagte er", "„Guten Tag“,", "„Guten Tag“"),
        ("„Dzień dobry”", "„Dzień dobry”", "„Dzień dobry”"),
        ("[1] (a) {b}", "[1] (a) {b}", "[1] (a) {b}"),
        ("((a) b", "((a) b", "(a) b"),
        ("(a) b)", "(a) b)", "(a) b"),
        ("f(x)", "f(x", "f(x)"),
        ("the U.S. economy", "U.S.", "U.S."),  # an abbreviation keeps its period
        ("the U.S. economy", "the U.S", "the U.S."),  # and takes it
        ("in the U.S.", "U.S", "U.S."),
        ("e.g. this", "e.g", "e.g."),
        ("was 2020.", "2020.", "2020"),  # no abbreviation
        ("Ph.D.", "Ph.D.", "Ph.D"),  # letters, not single letters
        ("rose 5% to $48.6 million...", "5% to $48.6 million...", "5% to $48.6 million"),
        ("#tag and @name", "#tag and @name", "#tag and @name"),
        ("a — b", "—", "—"),  # only punctuation: kept as selected
        ("a — b", " — ", "—"),
        ("a 👍🏽 b", "👍🏽", "👍🏽"),
        ("a 👍🏽, b", "👍🏽,", "👍🏽"),
        ("...", "...", "..."),
        ("x -- y", "x --", "x"),
    ],
)
def test_edge_punctuation(text, selected, stored):
    assert snapped(text, selected) == stored


def test_snapping_the_word_under_the_cursor_changes_nothing():
    for offset in range(len(ARTICLE)):
        word = word_at(ARTICLE, offset)
        if word is not None:
            assert snap(ARTICLE, *word) == word
    text = "the U.S. economy"
    assert text[slice(*word_at(text, 4))] == "U.S."
    assert ARTICLE[slice(*word_at(ARTICLE, ARTICLE.index("(NCRI)")))] == "NCRI"


def test_the_boundary_keys_move_by_what_snapping_keeps():
    start, end = cut(ARTICLE, "Iran")
    grown = move_edge(ARTICLE, start, end, "end", 1)
    assert ARTICLE[slice(*grown)] == "Iran (NCRI)"  # was 'Iran (NCRI'
    assert ARTICLE[slice(*move_edge(ARTICLE, *grown, "end", 1))] == "Iran (NCRI), the"
    assert ARTICLE[slice(*move_edge(ARTICLE, *grown, "end", -1))] == "Iran"  # not back to 'Iran (NCRI)'
    start, end = cut(ARTICLE, "the Associated")
    assert ARTICLE[slice(*move_edge(ARTICLE, start, end, "start", -1))] == "(NCRI), the Associated"
    start, end = cut(ARTICLE, "“henchman")
    assert ARTICLE[slice(*move_edge(ARTICLE, start, end, "end", 1))] == "henchman of"  # an open quote goes
    start, end = cut(ARTICLE, "“henchman of")
    assert ARTICLE[slice(*move_edge(ARTICLE, start, end, "end", 1))] == "“henchman of 1988,”"
    start, end = cut(ARTICLE, "“henchman of 1988,” Raisi")
    assert ARTICLE[slice(*move_edge(ARTICLE, start, end, "end", -1))] == "“henchman of 1988,”"
    # exact mode moves by tokens and keeps punctuation
    start, end = cut(ARTICLE, "Iran")
    assert ARTICLE[slice(*move_edge(ARTICLE, start, end, "end", 1, words=False))] == "Iran ("
    text = "President Ebrahim Raisi’s swearing-in"
    start, end = cut(text, "Raisi’s")
    assert text[slice(*move_edge(text, start, end, "end", -1, words=False))] == "Raisi’"
    assert move_edge(text, start, end, "end", -1) is None


def test_the_text_module_exports_the_function_not_the_module():
    import annotator.text.snapping  # noqa: F401  (importing it sets the package's attribute "snapping")

    assert callable(textmod.snap) and textmod.snap is snap
    assert textmod.snap_to_words(ARTICLE, *cut(ARTICLE, "Iran (NCRI),")) == snap(ARTICLE, *cut(ARTICLE, "Iran (NCRI),"))


# -- graphemes ---------------------------------------------------------------------------------

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        ("a\r\nb", ["a", "\r\n", "b"]),
        ("cafe\u0301s", ["c", "a", "f", "e\u0301", "s"]),
        ("👍🏽👍", ["👍🏽", "👍"]),
        ("🇮🇷🇺🇸🇫", ["🇮🇷", "🇺🇸", "🇫"]),
        (FAMILY + "x", [FAMILY, "x"]),
        ("a\u200db", ["a\u200d", "b"]),  # a ZWJ joins two pictographs only
        (ENGLAND + "!", [ENGLAND, "!"]),
        ("1\ufe0f\u20e3", ["1\ufe0f\u20e3"]),
        ("\u1100\u1161\u11a8\u1100", ["\u1100\u1161\u11a8", "\u1100"]),  # Hangul L V T, L
        ("\u0600\u0661", ["\u0600\u0661"]),  # a prepended concatenation mark
        ("\n\u0301", ["\n", "\u0301"]),  # a mark after a line break stands alone
        ("क्षि", ["क्षि"]),  # a conjunct
        ("\u2764\ufe0f", ["\u2764\ufe0f"]),
    ],
)
def test_grapheme_clusters(text, clusters):
    bounds = [i for i in range(len(text) + 1) if is_grapheme_boundary(text, i)]
    assert [text[a:b] for a, b in zip(bounds, bounds[1:])] == clusters
    assert [m.group() for m in regex.finditer(r"\X", text)] == clusters
    for i in range(len(text) + 1):
        assert grapheme_start(text, i) == max(b for b in bounds if b <= i)
        assert grapheme_end(text, i) == min(b for b in bounds if b >= i)


@pytest.mark.parametrize(
    ("text", "selected", "exact", "words"),
    [
        ("a 👍🏽 b", "👍", "👍🏽", "👍🏽"),  # the skin tone stays with its hand
        ("a 👍🏽 b", "🏽", "👍🏽", "👍🏽"),
        ("go 🇮🇷🇺🇸 now", "🇷🇺", "🇮🇷🇺🇸", "🇮🇷🇺🇸"),  # flags pair from the start of the run
        ("us: " + FAMILY + ".", "👩", FAMILY, FAMILY),
        ("cafe\u0301, tea", "cafe", "cafe\u0301", "cafe\u0301"),  # decomposed é: the accent stays
        ("cafe\u0301, tea", "caf", "caf", "cafe\u0301"),
        ("a\r\nb", "a\r", "a", "a"),  # CRLF is one character, and whitespace
        ("x \u0301y", " \u0301y", "y", "y"),  # a space with a mark on it is whitespace
    ],
)
def test_graphemes_are_never_split(text, selected, exact, words):
    assert snapped(text, selected, words=False) == exact
    assert snapped(text, selected) == words


# -- properties over random Unicode text -------------------------------------------------------

PIECES = [
    "Iran", "don't", "Raisi’s", "$48.6", "5%", "Covid-19", "U.S.", "e.g.", " ", " ", "\n", "\r\n", "\t",
    *"()[]{}“”‘’«»„\"'.,;:!?—-…#@&/", "e\u0301", "\u0301", "\u200d", "\ufe0f", "👍🏽", "👨\u200d👩\u200d👧",
    "\U0001f1ee", "\U0001f1f7", ENGLAND, "\u1100\u1161", "\u11a8", "東京", "क्ष", "\u00a0",
]
characters = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
texts = st.lists(st.sampled_from(PIECES) | characters, max_size=40).map("".join)


def words_of(text: str) -> list[tuple[int, int]]:
    return group_words(text, token_bounds(text))


def reference_bounds(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


def whitespace_grapheme(text: str, start: int) -> bool:
    return text[start].isspace()


_QUOTE_PAIRS = {"“": "”", "‘": "’", "«": "»", "»": "«", "‹": "›", "›": "‹", "„": "“”", "‚": "‘’",
                "(": ")", "[": "]", "{": "}"}


def edge_is_balanced(text: str, s: int, e: int, words: list[tuple[int, int]]) -> bool:
    """The rule as plainly as possible: an edge that is punctuation (and no part of a word) opens
    or closes a pair whose other half is inside."""
    inner = text[s:e]

    def loose(i: int) -> bool:  # a bracket, or a quote character that is no apostrophe between letters
        if text[i] in "()[]{}" or not 0 < i < len(text) - 1:
            return True
        before, after = text[i - 1], text[i + 1]
        return not ((before.isalnum() or before == "_" or unicodedata.category(before)[0] == "M")
                    and (after.isalnum() or after == "_"))

    first = text[s]
    if unicodedata.category(first)[0] == "P" and first not in "%#@" and not any(ws == s for ws, _ in words):
        if first in "\"'":
            if sum(1 for i in range(s, e) if text[i] == first and loose(i)) < 2:
                return False
        elif first in _QUOTE_PAIRS:
            if not any(ch in _QUOTE_PAIRS[first] and loose(s + 1 + k) for k, ch in enumerate(inner[1:])):
                return False
        else:
            return False
    last_at = grapheme_start(text, e - 1)
    last = text[last_at]
    if unicodedata.category(last)[0] == "P" and last not in "%#@" and not any(we == e for _, we in words):
        if last in "\"'":
            if sum(1 for i in range(s, e) if text[i] == last and loose(i)) % 2:
                return False
        elif last == ".":
            if not re.search(r"(?<![\w.])(?:[^\W\d_]\.)+[^\W\d_]\.$", text[: last_at + 1]):
                return False
        else:
            openers = [o for o, closers in _QUOTE_PAIRS.items() if last in closers]
            if not openers or not any(text[i] in openers for i in range(s, last_at)):
                return False
    return True


@given(texts, st.data())
@settings(max_examples=1000)
def test_snap_properties(text, data):
    n = len(text)
    start = data.draw(st.integers(-2, n + 2))
    end = data.draw(st.integers(-2, n + 2))
    graphemes = reference_bounds(text)
    words = words_of(text)
    lo, hi = max(0, min(start, end, n)), min(n, max(0, max(start, end)))
    starts = sorted(graphemes)
    # what was selected: the characters of graphemes that do not start with whitespace (" \u0301" is a space)
    selected = [i for i in range(lo, hi) if not text[starts[bisect_right(starts, i) - 1]].isspace()]
    for mode in (False, True):
        found = snap(text, start, end, words=mode)
        if not selected:  # only whitespace (or a mark on a space): nothing
            assert found is None
            continue
        assert found is not None
        s, e = found
        assert 0 <= s < e <= n
        if not any(ch in text for ch in "\u094d\u09cd"):  # regex joins a virama to any consonant
            assert s in graphemes and e in graphemes
        assert is_grapheme_boundary(text, s) and is_grapheme_boundary(text, e)
        assert not text[s].isspace() and not text[grapheme_start(text, e - 1)].isspace()
        assert snap(text, s, e, words=mode) == found  # idempotent
        if not mode:  # exact: what was selected, widened to graphemes, minus whitespace
            assert all(s <= i < e for i in selected)
            assert starts[bisect_right(starts, lo) - 1] <= s and e <= starts[bisect_left(starts, hi)]
            continue
        for ws, we in words:
            assert not ws < s < we and not ws < e < we  # never splits a word
            if ws < hi and lo < we:
                assert s <= ws and we <= e  # and keeps every word it touches
        if found != snap(text, start, end, words=False) or any(s <= ws and we <= e for ws, we in words):
            assert edge_is_balanced(text, s, e, words), text[s:e]
        # else only punctuation or symbols were selected: kept as selected when nothing else is left


@given(texts)
@settings(max_examples=300)
def test_the_word_under_the_cursor_is_a_fixed_point(text):
    for offset in range(len(text)):
        word = word_at(text, offset)
        if word is not None:
            assert snap(text, *word) == word


@given(texts, st.data())
@settings(max_examples=500)
def test_boundary_moves_give_snapped_ranges_and_move_the_edge(text, data):
    n = len(text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    edge = data.draw(st.sampled_from(["start", "end"]))
    direction = data.draw(st.sampled_from([-1, 1]))
    for mode in (False, True):
        current = snap(text, start, end, words=mode)
        moved = move_edge(text, start, end, edge, direction, words=mode)
        if moved is None:
            continue
        assert snap(text, *moved, words=mode) == moved
        if current is not None and moved != current:
            side = 0 if edge == "start" else 1
            assert (moved[side] - current[side]) * direction > 0


def test_grapheme_boundaries_agree_with_the_regex_module():
    """An independent implementation of UAX #29 on every pair and triple of the characters the
    rules are about (controls, marks, joiners, modifiers, flags, tags, Hangul, prepend)."""
    alphabet = [
        "a", " ", "\r", "\n", "\t", "\x00", "\u2028", "\u00ad", "\u200b", "\u0301", "\u0903", "\u200d", "\u200c",
        "\ufe0f", "👍", "🏽", "👩", "\u2764", "©", "\U0001f1ee", "\U0001f1f7", "\U0001f3f4", "\U000e0067",
        "\U000e007f", "\u1100", "\u1161", "\u11a8", "가", "각", "\u0600", "\u20e3", "ก", "\u0e33", "ｶ", "\uff9e",
        "\u0915", "\u094d", "\u093f",
    ]
    mismatches = []
    for a in alphabet:
        for b in alphabet:
            for c in alphabet:
                text = a + b + c
                if text.startswith("\u094d") or text[1:].startswith("\u094d"):
                    continue  # regex joins a virama to the next consonant without one before it
                mine = {i for i in range(len(text) + 1) if is_grapheme_boundary(text, i)}
                if mine != reference_bounds(text):
                    mismatches.append(text)
    assert mismatches == []
