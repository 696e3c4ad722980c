"""offsets.py: UTF-16 conversion both ways, the tokenizer and sentence splitter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.offsets import Tokenized, Utf16, normalize_with_map, sentence_starts, tokenize, utf16_slice

ALPHABET = st.sampled_from(list("ab Z.!?\n\t,é") + ["e\u0301", "😀", "👩🏽\u200d💻", "東京", "שלום", "\U0001f1eb\U0001f1f7"])
texts = st.lists(ALPHABET, max_size=30).map("".join)


def test_utf16_offsets_after_an_emoji():
    text = "😀 Sony"
    index = Utf16(text)
    assert index.to_units(2) == 3 and index.to_units(6) == 7
    assert utf16_slice(text.encode("utf-16-le"), 3, 7) == "Sony"
    assert index.to_codepoints(3) == 2


def test_utf16_offset_inside_a_surrogate_pair_is_refused():
    with pytest.raises(ValueError, match="surrogate pair"):
        Utf16("a😀b").to_codepoints(2)
    with pytest.raises(ValueError, match="out of range"):
        Utf16("ab").to_codepoints(3)


@given(texts)
def test_utf16_conversion_is_exact_both_ways(text):
    index = Utf16(text)
    encoded = text.encode("utf-16-le")
    assert len(index) == len(encoded) // 2
    for i in range(len(text) + 1):
        unit = index.to_units(i)
        assert unit == len(text[:i].encode("utf-16-le")) // 2
        assert index.to_codepoints(unit) == i
        assert utf16_slice(encoded, 0, unit) == text[:i]


@given(texts)
@settings(max_examples=200)
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


def test_sentences_split_after_end_marks_before_capitals_and_at_blank_lines():
    text = "Sony rose 5%. Shares fell. e.g. this\n\nNew para"
    tokens = tokenize(text)
    starts = sentence_starts(text, tokens)
    assert [tokens[i].text for i in starts] == ["Sony", "Shares", "New"]  # not before "e.g." (lower case)
    # never inside a span kept together
    shares = [t.text for t in tokens].index("Shares")
    assert shares not in sentence_starts(text, tokens, [(shares - 2, shares)])


def test_token_ranges_of_spans():
    tokenized = Tokenized("Sony said 5%.")
    assert tokenized.aligned(0, 4) == (0, 0)
    assert tokenized.aligned(10, 12) == (2, 3)
    assert tokenized.aligned(1, 4) is None
    assert tokenized.overlapping(1, 6) == (0, 1)
    assert tokenized.overlapping(4, 5) is None


def test_raw_offsets_move_onto_the_stored_text():
    text, move = normalize_with_map("\ufeffab\r\ncd")
    assert text == "ab\ncd"
    assert [move(i) for i in (1, 3, 5, 7)] == [0, 2, 3, 5]
