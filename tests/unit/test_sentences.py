"""text.sentences: one set of sentence and paragraph rules for CoNLL and the screen."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text.sentences import (
    breaks_sentence,
    next_paragraph_start,
    next_sentence_start,
    previous_paragraph_start,
    previous_sentence_start,
    sentence_starts,
)
from annotator.text.tokens import Tokenized, tokenize

PIECES = [*"aZé9 .!?…\n\t”“)(\"'", "Then", "e.g.", " \n \n", "نص", "東京", "\u3000"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def test_sentences_split_after_end_marks_before_capitals_and_at_blank_lines():
    text = "Sony rose 5%. Shares fell. e.g. this\n\nnew para"
    tokens = tokenize(text)
    starts = sentence_starts(text, tokens)
    assert [tokens[i].text for i in starts] == ["Sony", "Shares", "new"]  # not before "e.g." (lower case)
    # never inside a span kept together
    shares = [t.text for t in tokens].index("Shares")
    assert shares not in sentence_starts(text, tokens, [(shares - 2, shares)])


@pytest.mark.parametrize(
    ("text", "first_words"),
    [
        ("He said “no.” Then he left.", ["He", "Then"]),  # closing quotes after the mark
        ("Really?! “Evin” fell… Next", ["Really?!", "“Evin”", "Next"]),  # an opening quote before the capital
        ("No. 5 and in 2019. 2020 was", ["No."]),  # figures do not start sentences
        ("قال. نص آخر", ["قال.", "نص"]),  # a script without case
        ("one\n \t\ntwo", ["one", "two"]),  # a blank line with spaces on it
    ],
)
def test_sentence_rules(text, first_words):
    stops, offset = [0], 0
    while (offset := next_sentence_start(text, offset)) < len(text):
        stops.append(offset)
    assert [text[s:].split()[0] for s in stops] == first_words


@given(texts)
@settings(max_examples=300)
def test_the_screen_and_conll_break_sentences_at_the_same_places(text):
    tokens = tokenize(text)
    first = tokens[0].start if tokens else 0
    conll = {tokens[i].start for i in sentence_starts(text, tokens)} - {first}
    forward, offset = set(), 0
    while (offset := next_sentence_start(text, offset)) < len(text):
        forward.add(offset)
    assert forward - {first} == conll
    backward, offset = set(), len(text)
    while (offset := previous_sentence_start(text, offset)) > 0:
        backward.add(offset)
    assert backward - {first} == conll


@given(texts)
@settings(max_examples=200)
def test_paragraph_motion_stops_after_each_blank_line(text):
    n = len(text)
    forward, offset = [], 0
    while (offset := next_paragraph_start(text, offset)) < n:
        forward.append(offset)
    for stop in forward:
        gap = text[:stop][len(text[:stop].rstrip()) :]
        assert gap.count("\n") >= 2 and not text[stop].isspace()
    backward, offset = [], n
    while (offset := previous_paragraph_start(text, offset)) > 0:
        backward.append(offset)
    assert backward == forward[::-1]


def test_screen_motions_from_inside_a_sentence_or_paragraph():
    text = "He said (Reuters) that 5% rose. Then “Evin,” fell! Next\n\nPara two."
    assert next_sentence_start(text, 0) == text.index("Then")
    assert next_sentence_start(text, text.index(". Then") + 1) == text.index("Then")  # from the space after it
    assert previous_sentence_start(text, text.index("Then") + 3) == text.index("Then")
    assert previous_sentence_start(text, text.index("Then")) == 0  # at a start: the one before
    assert next_paragraph_start(text, 0) == text.index("Para")
    assert previous_paragraph_start(text, text.index("Para") + 2) == text.index("Para")


def test_backward_motion_reaches_a_break_far_away():
    text = "One. Two " + "word " * 2000 + "end"
    assert previous_sentence_start(text, len(text)) == 5
    text = "One\n\n" + "word " * 2000
    assert previous_paragraph_start(text, len(text)) == 5


@given(texts, st.data())
@settings(max_examples=300)
def test_sentence_starts_check_only_the_whitespace_that_can_break_yet_find_every_break(text, data):
    """sentence_starts looks only after end marks and line breaks; the rule (breaks_sentence) holds
    between every two tokens. Tokenized (the exporters' per-document cache) gives the same starts."""
    tokens = tokenize(text)
    keep = []
    if tokens:
        first = data.draw(st.integers(0, len(tokens) - 1))
        keep = [(first, data.draw(st.integers(first, len(tokens) - 1)))]
    inside = {i for first, last in keep for i in range(first + 1, last + 1)}
    expected = [0] + [
        i for i in range(1, len(tokens))
        if i not in inside and breaks_sentence(text, tokens[i - 1].end, tokens[i].start)
    ] if tokens else []
    assert sentence_starts(text, tokens, keep) == expected
    assert Tokenized(text).sentence_starts(keep) == expected
