"""text.tokens: the one tokenizer, and the words the screen moves by, snaps to and tags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text import snap
from annotator.text import tokens as tokens_module
from annotator.text.tokens import (
    Tokenized,
    group_words,
    next_word_end,
    next_word_start,
    previous_word_end,
    previous_word_start,
    snap_to_words,
    token_bounds,
    tokenize,
    trim_whitespace,
    word_at,
)

#: Letters, digits, every joiner and attached symbol, breaking punctuation, marks, ZWJ, emoji, flags, whitespace.
PIECES = [
    *"ab Z9_ \n\t.,'’-&%$€#@+()\"/:;!?“”", "e\u0301", "\u0301", "\u200d", "\ufe0f", "😀", "👍🏽", "👩🏽\u200d💻",
    "\U0001f1eb\U0001f1f7", "東京", "שלום", "\u00a0",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
#: Longer than the motions' first window (64 code points), so windows start and grow mid-text.
long_texts = st.lists(st.sampled_from(PIECES), min_size=30, max_size=120).map("".join)


def whole_text_words(text: str) -> list[tuple[int, int]]:
    return group_words(text, token_bounds(text))


# -- tokens ------------------------------------------------------------------------------------


@given(texts)
@settings(max_examples=300)
def test_tokens_are_exact_non_space_and_cover_every_non_space_character(text):
    tokens = tokenize(text)
    covered = set()
    previous_end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.start >= previous_end and token.end > token.start
        assert not any(ch.isspace() for ch in token.text)
        assert token.ws == (token.end < len(text) and text[token.end].isspace())
        covered.update(range(token.start, token.end))
        previous_end = token.end
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}


def test_tokens_keep_marks_and_emoji_sequences_together():
    assert [t.text for t in tokenize("Cafe\u0301s 👩🏽\u200d💻 5%.")] == ["Cafe\u0301s", "👩🏽\u200d💻", "5", "%", "."]
    assert [t.text for t in tokenize("a 🇫🇷 $48.6")] == ["a", "🇫🇷", "$", "48", ".", "6"]


def reference_bounds(text: str) -> list[tuple[int, int]]:
    """The tokenizer's rule written as plainly as possible: every match of ``\\w+|\\S``, joined
    to the token before it when it touches it and ``_continues`` says so."""
    bounds: list[list[int]] = []
    for match in tokens_module._TOKEN.finditer(text):
        s, e = match.span()
        if bounds and bounds[-1][1] == s and tokens_module._continues(text, bounds[-1][0], s):
            bounds[-1][1] = e
        else:
            bounds.append([s, e])
    return [(s, e) for s, e in bounds]


@given(texts | long_texts, st.booleans())
@settings(max_examples=500)
def test_the_fast_tokenizer_gives_exactly_the_tokens_of_the_plain_rule(text, long_path):
    """tokenize looks only next to the characters that can join (_JOINING); the plain rule looks
    everywhere. Both paths (short texts: one list of matches; long ones: three passes) agree."""
    expected = reference_bounds(text)
    saved = tokens_module._KEEP_MATCHES
    tokens_module._KEEP_MATCHES = 1 if long_path else saved
    try:
        assert [(t.start, t.end) for t in tokenize(text)] == expected
        assert token_bounds(text) == expected
        tokenized = Tokenized(text)
    finally:
        tokens_module._KEEP_MATCHES = saved
    assert list(zip(tokenized.starts, tokenized.ends)) == expected
    assert tokenized.texts == [text[s:e] for s, e in expected]
    assert tokenized.tokens == tokenize(text)


def test_only_characters_the_fast_tokenizer_looks_at_can_join_a_token():
    """The fast path skips every place without a _JOINING character next to it: no character that
    attaches (marks, joiners, selectors, modifiers, tags), no regional indicator may be outside it,
    in this Python's Unicode database."""
    missed = [
        f"U+{cp:04X}" for cp in range(0x80, 0x110000)
        if (tokens_module._attaches(chr(cp)) or tokens_module._regional(chr(cp)) or chr(cp) == "\u200d")
        and not tokens_module._JOINING.match(chr(cp))
    ]
    assert missed == []


def test_token_ranges_of_spans():
    tokenized = Tokenized("Sony said 5%.")
    assert tokenized.aligned(0, 4) == (0, 0)
    assert tokenized.aligned(10, 12) == (2, 3)
    assert tokenized.aligned(1, 4) is None
    assert tokenized.overlapping(1, 6) == (0, 1)
    assert tokenized.overlapping(4, 5) is None


# -- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Port faces $48.6 million gap, rose 5% in 2023.", ["Port", "faces", "$48.6", "million", "gap", "rose", "5%",
                                                            "in", "2023"]),
        ("don't state-run AT&T C++ #tag @bob US$5 €3", ["don't", "state-run", "AT&T", "C++", "#tag", "@bob", "US$5", "€3"]),
        ("(Reuters) “Evin,” e.g. 10:30 a--b", ["Reuters", "Evin", "e.g", "10", "30", "a", "b"]),
        ("cafe\u0301s 😀 👍🏽 🇫🇷 $ %", ["cafe\u0301s"]),  # emoji, flags and lone symbols are no words
    ],
)
def test_words(text, words):
    assert [text[s:e] for s, e in whole_text_words(text)] == words


@given(texts)
@settings(max_examples=300)
def test_every_word_starts_and_ends_on_a_token_boundary(text):
    """A span made by word motion or snapping always lines up with the tokens an exporter writes."""
    starts = {s for s, _ in token_bounds(text)}
    ends = {e for _, e in token_bounds(text)}
    for start, end in whole_text_words(text):
        assert start in starts and end in ends
        assert not any(ch.isspace() for ch in text[start:end])


@given(texts | long_texts)
@settings(max_examples=300)
def test_word_motion_stops_at_exactly_the_words_of_the_whole_text(text):
    """The motions look at a window around the cursor; they must see the words the whole text has."""
    words = whole_text_words(text)
    n = len(text)
    forward, offset = [], 0
    while (offset := next_word_start(text, offset)) < n:
        forward.append(offset)
    assert forward == [s for s, _ in words if s > 0]
    backward, offset = [], n
    while (offset := previous_word_start(text, offset)) > 0:
        backward.append(offset)
    assert backward == [s for s, _ in reversed(words) if s > 0]
    ends, offset = [], 0
    while offset < n and (offset := next_word_end(text, offset)) < n:
        ends.append(offset)
    assert ends == [e for _, e in words if e < n]
    ends, offset = [], n
    while (offset := previous_word_end(text, offset)) > 0:
        ends.append(offset)
    assert ends == [e for _, e in reversed(words) if e < n]


@given(long_texts, st.data())
@settings(max_examples=300)
def test_word_motion_from_anywhere_agrees_with_the_whole_text(text, data):
    """From any offset (inside a word, on punctuation), each motion lands where the whole text says."""
    words = whole_text_words(text)
    n = len(text)
    for offset in data.draw(st.lists(st.integers(0, n), min_size=1, max_size=10)):
        assert next_word_start(text, offset) == next((s for s, _ in words if s > offset), n)
        assert previous_word_start(text, offset) == next((s for s, _ in reversed(words) if s < offset), 0)
        assert next_word_end(text, offset) == next((e for _, e in words if e > offset), n)
        assert previous_word_end(text, offset) == next((e for _, e in reversed(words) if e < offset), 0)
        under = next(((s, e) for s, e in words if s <= offset < e), None)
        if under is not None:  # as snapping stores it: an abbreviation (U.S) takes its period
            assert word_at(text, offset) == snap_to_words(text, *under)


@given(texts, st.data())
@settings(max_examples=300)
def test_snapping_never_cuts_a_word_and_keeps_what_was_selected(text, data):
    """Every word the selection touches is kept whole (edge punctuation may go: text.snap's rules,
    tested in tests/unit/test_snap.py; this test used to require the whole selection kept)."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    snapped = snap_to_words(text, start, end)
    trimmed = snap(text, start, end, words=False)  # whole graphemes: " \u0301" is whitespace
    if trimmed is None:
        assert snapped is None or start == end
        return
    assert snapped is not None
    s, e = snapped
    assert not text[s].isspace() and not text[e - 1].isspace()
    for ws, we in whole_text_words(text):
        assert not ws < s < we and not ws < e < we
        if ws < trimmed[1] and trimmed[0] < we:
            assert s <= ws and we <= e


@given(texts, st.data())
@settings(max_examples=300)
def test_the_word_under_the_cursor_is_a_word_of_the_text_touching_the_cursor(text, data):
    if not text:
        return
    offset = data.draw(st.integers(0, len(text) - 1))
    found = word_at(text, offset)
    if text[offset].isspace():
        assert found is None
        return
    if found is None:  # punctuation with no word in its run of non-space
        run_start, run_end = offset, offset
        while run_start > 0 and not text[run_start - 1].isspace():
            run_start -= 1
        while run_end < len(text) and not text[run_end].isspace():
            run_end += 1
        assert not any(run_start <= s and e <= run_end for s, e in whole_text_words(text))
        return
    assert found in [snap_to_words(text, *word) for word in whole_text_words(text)]  # U.S -> U.S.
    s, e = found
    assert not any(ch.isspace() for ch in text[min(s, offset) : max(e, offset + 1)])


def test_word_helpers_of_the_annotation_screen():
    text = "He said (Reuters) that 5% rose. Then “Evin,” fell!"
    assert text[slice(*word_at(text, text.index("Reuters") + 2))] == "Reuters"
    assert text[slice(*word_at(text, text.index("(")))] == "Reuters"  # on a bracket: the word it holds
    assert text[slice(*word_at(text, text.index(")")))] == "Reuters"
    assert text[slice(*word_at(text, text.index("5%")))] == "5%"
    assert text[slice(*word_at(text, text.index("%")))] == "5%"
    assert text[slice(*word_at(text, text.index("Evin")))] == "Evin"
    assert text[slice(*word_at(text, text.index("”")))] == "Evin"
    assert word_at(text, 2) is None  # a space
    assert word_at("a — b", 2) is None  # punctuation alone
    assert snap_to_words(text, 1, 5) == (0, 7)  # "e sa" -> "He said"
    assert snap_to_words(text, 2, 3) is None  # only a space
    figures = "rose to $48.6 million, don't"
    assert figures[slice(*snap_to_words(figures, 8, 12))] == "$48.6"
    assert figures[slice(*snap_to_words(figures, 9, 11))] == "$48.6"  # "48": the dollar and the decimals join
    assert figures[slice(*snap_to_words(figures, 23, 25))] == "don't"
    assert figures[slice(*snap_to_words(figures, 14, 21))] == "million"  # the comma ends the word


def test_word_motion_moves_over_whole_figures():
    text = "Port faces $48.6 million gap, rose 5% in 2023.\n"
    stops, offset = [], 0
    while (offset := next_word_start(text, offset)) < len(text):
        stops.append(offset)
    assert [text[s:].split()[0] for s in stops] == ["faces", "$48.6", "million", "gap,", "rose", "5%", "in", "2023."]
    assert text[: previous_word_end(text, text.index(" gap"))] == "Port faces $48.6"
    assert text[: next_word_end(text, text.index("$48.6") + 5)] == "Port faces $48.6 million"


@pytest.mark.parametrize("between", [" " * 3000, "(" * 3000, "—" * 3000, "\n" * 3000])
def test_word_motion_reaches_words_far_away(between):
    text = "alpha" + between + "omega"
    far = text.index("omega")
    assert next_word_start(text, 0) == far and previous_word_start(text, len(text)) == far
    assert previous_word_start(text, far) == 0 and previous_word_end(text, far) == 5
    assert next_word_end(text, 5) == len(text)


def test_a_word_longer_than_the_window_is_one_word():
    text = "x " + "a" * 5000 + "'s b"
    assert word_at(text, 3000) == (2, 5004)
    assert next_word_start(text, 2) == len(text) - 1
    assert snap_to_words(text, 2000, 3000) == (2, 5004)


def test_the_window_cuts_at_brackets_but_never_inside_a_token():
    """A bracket after an ASCII character starts a window; after a ZWJ it belongs to the ZWJ's token."""
    text = "a\u200d(b) (c)"
    assert token_bounds(text) == [(0, 3), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9)]
    assert whole_text_words(text) == [(0, 3), (3, 4), (7, 8)]
    assert word_at(text, 3) == (3, 4) and word_at(text, 6) == (7, 8) and word_at(text, 2) == (0, 3)
    assert next_word_start(text, 0) == 3 and previous_word_start(text, 7) == 3


def test_move_edge_by_words_or_tokens_is_the_one_boundary_move_of_both_screens():
    from annotator.text import move_edge

    text = "President Ebrahim Raisi’s swearing-in cost $48.6 million."
    s, e = text.index("Ebrahim"), text.index(" swearing")
    assert text[slice(*move_edge(text, s, e, "end", -1, words=False))] == "Ebrahim Raisi’"
    assert text[slice(*move_edge(text, s, e, "end", -1, words=True))] == "Ebrahim"
    cost = text.index("cost")
    assert text[slice(*move_edge(text, cost, cost + 4, "end", 1))] == "cost $48.6"
    assert text[slice(*move_edge(text, cost, cost + 4, "start", -1))] == "swearing-in cost"
    assert move_edge(text, cost, cost + 4, "end", -1) is None  # nothing would be left
