"""text.offsets: UTF-16 conversion both ways, slicing, raw offsets onto the stored text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.text.offsets import (
    CODEPOINTS,
    UTF16,
    Utf16,
    convert_in,
    convert_out,
    normalize_with_map,
    slice_in,
    utf16_slice,
)

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


@given(texts, st.data())
def test_converting_out_and_back_in_selects_the_same_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for unit in (UTF16, CODEPOINTS):
        out = convert_out(text, start, end, unit)
        assert slice_in(text, *out, unit) == text[start:end]
        assert convert_in(text, *out, unit) == (start, end)


def test_a_slice_cutting_a_surrogate_pair_never_equals_a_text():
    assert slice_in("a😀b", 0, 2, UTF16) == "\ufffd"


def test_raw_offsets_move_onto_the_stored_text():
    text, move = normalize_with_map("\ufeffab\r\ncd")
    assert text == "ab\ncd"
    assert [move(i) for i in (1, 3, 5, 7)] == [0, 2, 3, 5]
