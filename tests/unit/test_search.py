"""text.search: smart case, Unicode folding and normalisation, exact offsets, wrap, no split characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotator import text as textmod
from annotator.text import search as search_module
from annotator.text.search import SearchHit, SearchMode, find, find_all, fold, search_mode
from annotator.text.snapping import is_grapheme_boundary


def hits(text: str, query: str) -> list[str]:
    """What each match covers, as text."""
    return [text[h.start : h.end] for h in find_all(text, query)]


# -- what matches what --------------------------------------------------------------------------

DOC = (
    "Die Straße, STRASSE und strasse. Reuters and REUTERS. cafe\u0301, café, cafe. ΟΔΟΣ, οδός, οδοσ. "
    "ǅemal, Ǆemal, džemal. ſeal, seal. 👍🏽 👍 ❤\ufe0f 👩\u200d💻 \U0001f1fa\U0001f1f8\U0001f1ec\U0001f1e7. "
    "oﬃce, ＡＢＣ, 5\u00a0percent, infor\u00admation, İstanbul."
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # smart case: no capital, any case; a capital, that case only
        ("reuters", ["Reuters", "REUTERS"]),
        ("Reuters", ["Reuters"]),
        ("REUTERS", ["REUTERS"]),
        # full case folding: ß is ss, in both directions
        ("strasse", ["Straße", "STRASSE", "strasse"]),
        ("straße", ["Straße", "STRASSE", "strasse"]),
        ("Straße", ["Straße"]),
        ("STRASSE", ["STRASSE"]),
        # long s folds to s; a capital S query is case-sensitive and does not find it
        ("seal", ["ſeal", "seal"]),
        ("ſeal", ["ſeal", "seal"]),
        # Greek: final and medial sigma and capital sigma are one letter; accents skipped without one
        ("οδος", ["ΟΔΟΣ", "οδός", "οδοσ"]),
        ("οδοσ", ["ΟΔΟΣ", "οδός", "οδοσ"]),
        ("οδός", ["οδός"]),
        ("ΟΔΟΣ", ["ΟΔΟΣ"]),
        # the dz digraphs: titlecase counts as a capital, the lowercase folds all three
        ("džemal", ["ǅemal", "Ǆemal", "džemal"]),
        ("ǅemal", ["ǅemal"]),
        # precomposed and decomposed are one text, whichever is typed
        ("café", ["cafe\u0301", "café"]),
        ("cafe\u0301", ["cafe\u0301", "café"]),
        # no accent typed: accents skipped (the decomposed one's mark comes with it)
        ("cafe", ["cafe\u0301", "café", "cafe"]),
        # emoji: a skin tone or selector is skipped without one in the query, exact with one
        ("👍", ["👍🏽", "👍"]),
        ("👍🏽", ["👍🏽"]),
        ("❤", ["❤\ufe0f"]),
        ("👩", []),  # a ZWJ sequence is one character: the woman technologist is not a woman
        ("👩\u200d💻", ["👩\u200d💻"]),
        ("\U0001f1ec\U0001f1e7", ["\U0001f1ec\U0001f1e7"]),
        ("\U0001f1f8\U0001f1ec", []),  # the halves of two flags are no flag
        # compatibility forms: ligatures, fullwidth, no-break space; never a part of one character
        ("office", ["oﬃce"]),
        ("ff", []),
        ("abc", ["ＡＢＣ"]),
        ("ABC", ["ＡＢＣ"]),
        ("5 percent", ["5\u00a0percent"]),
        ("information", ["infor\u00admation"]),
        ("infor\u00admation", ["infor\u00admation"]),
        ("istanbul", ["İstanbul"]),
        # literal text, not a pattern
        (".", ["."] * DOC.count(".")),
        ("c.fe", []),
        ("", []),
        ("zzz", []),
    ],
)
def test_what_a_query_finds(query, expected):
    assert hits(DOC, query) == expected


def test_a_part_of_one_character_is_never_a_match():
    assert hits("Straße", "s") == ["S"]  # not half of the ß
    assert hits("oﬃce", "f") == []
    assert hits("cafe\u0301", "\u0301") == []  # a mark alone is no character
    assert hits("cafe\u0301", "cafe\u0301") == ["cafe\u0301"]
    assert hits("x\r\ny", "\n") == [] and hits("x\r\ny", "\r\n") == ["\r\n"]
    assert hits("대한민국", "한") == ["한"]
    assert hits("대한민국", "ㅎ") == []  # a jamo is a third of a syllable


def test_offsets_count_the_original_text():
    text = "ß ﬃ cafe\u0301 👍🏽 İ Berlin"
    hit = find(text, "berlin")
    assert hit == SearchHit(text.index("Berlin"), len(text), False)
    assert text[hit.start : hit.end] == "Berlin"
    # a hit that folds longer or shorter than it is
    hit = find(text, "ss")
    assert (hit.start, hit.end) == (0, 1)
    hit = find(text, "cafe")
    assert text[hit.start : hit.end] == "cafe\u0301"


@pytest.mark.parametrize(
    ("query", "mode"),
    [
        ("reuters", SearchMode(case=False, marks=False)),
        ("Reuters", SearchMode(case=True, marks=False)),
        ("ǅ", SearchMode(case=True, marks=True)),  # titlecase, and its ž has a caron
        ("ß", SearchMode(case=False, marks=False)),
        ("café", SearchMode(case=False, marks=True)),
        ("cafe\u0301", SearchMode(case=False, marks=True)),
        ("Café", SearchMode(case=True, marks=True)),
        ("👍🏽", SearchMode(case=False, marks=True)),
        ("5%", SearchMode(case=False, marks=False)),
    ],
)
def test_the_mode_comes_from_the_query(query, mode):
    assert search_mode(query) == mode


# -- direction, offsets and wrapping -----------------------------------------------------------

TEXT = "one fish two fish red fish blue fish"
FISH = [i for i in range(len(TEXT)) if TEXT.startswith("fish", i)]


def test_forward_finds_the_first_match_at_or_after_the_offset():
    assert find(TEXT, "fish", 0) == SearchHit(FISH[0], FISH[0] + 4, False)
    assert find(TEXT, "fish", FISH[0]) == SearchHit(FISH[0], FISH[0] + 4, False)
    assert find(TEXT, "fish", FISH[0] + 1) == SearchHit(FISH[1], FISH[1] + 4, False)
    assert find(TEXT, "fish", FISH[3] + 1) == SearchHit(FISH[0], FISH[0] + 4, True)  # wrapped to the top
    assert find(TEXT, "fish", len(TEXT)) == SearchHit(FISH[0], FISH[0] + 4, True)


def test_backward_finds_the_last_match_before_the_offset():
    assert find(TEXT, "fish", len(TEXT), -1) == SearchHit(FISH[3], FISH[3] + 4, False)
    assert find(TEXT, "fish", FISH[3], -1) == SearchHit(FISH[2], FISH[2] + 4, False)
    assert find(TEXT, "fish", FISH[3] + 1, -1) == SearchHit(FISH[3], FISH[3] + 4, False)  # starts before
    assert find(TEXT, "fish", FISH[0], -1) == SearchHit(FISH[3], FISH[3] + 4, True)  # wrapped to the bottom
    assert find(TEXT, "fish", 0, -1) == SearchHit(FISH[3], FISH[3] + 4, True)


def test_a_single_match_wraps_round_to_itself_and_none_is_none():
    assert find("a fish", "fish", 3) == SearchHit(2, 6, True)
    assert find("a fish", "fish", 2, -1) == SearchHit(2, 6, True)
    assert find("a fish", "bird", 0) is None and find("a fish", "bird", 0, -1) is None
    assert find("a fish", "", 0) is None and find("", "fish", 0) is None


def test_overlapping_matches_are_all_found():
    assert [(h.start, h.end) for h in find_all("aaaa", "aa")] == [(0, 2), (1, 3), (2, 4)]
    assert find("aaaa", "aa", 1) == SearchHit(1, 3, False)
    assert find("aaaa", "aa", 2, -1) == SearchHit(1, 3, False)


def test_an_offset_inside_a_character_counts_from_its_end():
    text = "cafe\u0301 cafe\u0301"
    second = text.index("cafe", 1)
    assert find(text, "cafe", 4) == SearchHit(second, second + 5, False)  # 4 is inside the first "é"
    assert find(text, "cafe", 4, -1) == SearchHit(0, 5, False)


# -- the cache --------------------------------------------------------------------------------


def test_the_folded_copy_is_made_once_per_text_and_mode(monkeypatch):
    search_module._CACHE.clear()
    made = []
    original = search_module._Folded.__init__

    def counting(self, text, mode):
        made.append(mode)
        original(self, text, mode)

    monkeypatch.setattr(search_module._Folded, "__init__", counting)
    text = "Straße " * 100
    for offset in range(0, 700, 7):
        find(text, "strasse", offset)
        find(text, "strasse", offset, -1)
    assert made == [SearchMode(False, False)]
    find(text, "Straße")
    find("".join(["Straße "] * 100), "strasse")  # an equal text, another object
    assert made == [SearchMode(False, False), SearchMode(True, False)]
    changed = text.replace("ße", "ss")  # same length, other text
    assert len(changed) == len(text) and find(changed, "straße") is None
    assert len(made) == 3


def test_exported_from_the_text_package():
    assert textmod.find is find and textmod.SearchHit is SearchHit


# -- properties -------------------------------------------------------------------------------

#: Letters in several scripts and cases, every folding oddity above, marks, emoji, joiners, flags.
PIECES = [
    *"aAbBsSzZ .,-\n", "ß", "ẞ", "ſ", "σ", "ς", "Σ", "ǅ", "Ǆ", "ǆ", "İ", "ı", "ﬁ", "ﬃ", "Ａ", "²",
    "é", "e\u0301", "\u0301", "\u0323", "\u0308", "ö", "o\u0308", "\u00a0", "\u00ad", "\u200c",
    "👍", "👍🏽", "🏽", "❤\ufe0f", "\ufe0f", "👩\u200d💻", "\u200d", "\U0001f1fa", "\U0001f1f8", "\r\n",
    "한", "\u1112", "\u1161", "\u0600", "東", "ש", "\U0001d400",
]
texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


def graphemes(text: str) -> list[int]:
    return [i for i in range(len(text) + 1) if is_grapheme_boundary(text, i)]


def oracle(text: str, query: str) -> list[tuple[int, int]]:
    """Every match by brute force: grapheme-aligned slices that fold to the folded query, whose
    first and last characters fold to something (a skipped mark at an edge is not part of a match)."""
    mode = search_mode(query)
    needle = fold(query, mode)
    if not needle:
        return []
    bounds = graphemes(text)
    found = []
    for a, i in enumerate(bounds):
        for b in range(a + 1, len(bounds)):
            j = bounds[b]
            if (
                fold(text[i:j], mode) == needle
                and fold(text[i : bounds[a + 1]], mode)
                and fold(text[bounds[b - 1] : j], mode)
            ):
                found.append((i, j))
    return found


@st.composite
def text_and_query(draw):
    text = draw(texts)
    if text and draw(st.booleans()):
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i + 1, len(text)))
        query = text[i:j]
        query = draw(st.sampled_from([
            query, query.lower(), query.upper(), query.casefold(),
            unicodedata.normalize("NFC", query), unicodedata.normalize("NFD", query),
        ]))
    else:
        query = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join))
    return text, query


@settings(max_examples=400, deadline=None)
@given(text_and_query())
def test_every_hit_folds_to_the_query_and_cuts_no_character(case):
    text, query = case
    mode = search_mode(query)
    found = [(h.start, h.end) for h in find_all(text, query)]
    for start, end in found:
        assert is_grapheme_boundary(text, start) and is_grapheme_boundary(text, end)
        assert fold(text[start:end], mode) == fold(query, mode)
    assert found == oracle(text, query)


@settings(max_examples=300, deadline=None)
@given(text_and_query(), st.data())
def test_find_is_the_nearest_hit_either_way_with_the_wrap_said(case, data):
    text, query = case
    offset = data.draw(st.integers(0, len(text)))
    every = [(h.start, h.end) for h in find_all(text, query)]
    after = [h for h in every if h[0] >= offset]
    before = [h for h in every if h[0] < offset]
    forward = find(text, query, offset, 1)
    backward = find(text, query, offset, -1)
    if not every:
        assert forward is None and backward is None
        return
    assert forward == (SearchHit(*after[0]) if after else SearchHit(*every[0], wrapped=True))
    assert backward == (SearchHit(*before[-1]) if before else SearchHit(*every[-1], wrapped=True))


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_a_query_is_found_in_the_text_composed_or_decomposed(text, query):
    assume(fold(query, search_mode(query)) and not query.endswith("\r"))
    for form in ("NFC", "NFD"):
        inserted = unicodedata.normalize(form, query)
        document = text + "\n" + inserted + "\n"  # line breaks: grapheme boundaries whatever is around
        start = len(text) + 1
        assert find(document, query, start) == SearchHit(start, start + len(inserted))
