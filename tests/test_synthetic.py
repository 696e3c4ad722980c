"""The synthetic generator: deterministic, exact sizes, valid word-aligned spans, importable corpora."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotator.models import LabelSchema, document_id_for
from annotator.store import ImportRecord, Store
from tests.support import REPO
from tests.support.synthetic import synthetic_corpus, synthetic_spans, synthetic_text

#: What synthetic_spans trims off the edges of a whitespace-separated token.
EDGE_PUNCT = ".,;:!?\"'()[]{}“”‘’«»—–…"

seeds = st.integers(0, 2**64 - 1)
#: Generating a 20,000-character text takes a few ms; no per-example deadline on a loaded CI box.
no_deadline = settings(deadline=None)


@pytest.mark.parametrize("unicode", [False, True])
def test_same_seed_same_text_other_seed_other_text(unicode):
    assert synthetic_text(5000, 7, unicode=unicode) == synthetic_text(5000, 7, unicode=unicode)
    assert synthetic_text(5000, 7, unicode=unicode) != synthetic_text(5000, 8, unicode=unicode)
    assert synthetic_text(5000, 7, unicode=True) != synthetic_text(5000, 7, unicode=False)


def test_text_and_spans_do_not_depend_on_the_process(tmp_path):
    code = (
        "from tests.support.synthetic import synthetic_text, synthetic_spans\n"
        "t = synthetic_text(3000, 11, unicode=True)\n"
        "print(ascii((t, synthetic_spans(t, 50, 11))))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        for hash_seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


@no_deadline
@given(size=st.integers(1, 10_000), more=st.integers(1, 10_000), seed=seeds, unicode=st.booleans())
@example(size=50, more=9950, seed=2, unicode=False).via("the sizes checked before the property test")
@example(size=9999, more=1, seed=2, unicode=True).via("the sizes checked before the property test")
def test_a_shorter_text_is_a_prefix_of_a_longer_one(size, more, seed, unicode):
    big = synthetic_text(size + more, seed, unicode=unicode)
    small = synthetic_text(size, seed, unicode=unicode)
    head = small[: len(small) - len(small.split()[-1])]  # all but the (possibly cut) last word
    assert big.startswith(head)


@no_deadline
@given(size=st.integers(0, 25_000), seed=seeds, unicode=st.booleans())
@example(size=0, seed=0, unicode=False).via("empty")
@example(size=1, seed=0, unicode=True).via("one character")
@example(size=20_000, seed=4, unicode=True).via("the largest size checked before the property test")
def test_text_has_exactly_the_requested_size(size, seed, unicode):
    text = synthetic_text(size, seed, unicode=unicode)
    assert len(text) == size
    text.encode("utf-8")  # no lone surrogates
    if text:
        assert not text[0].isspace() and not text[-1].isspace()
        assert "\r" not in text


def test_negative_size_is_refused():
    with pytest.raises(ValueError):
        synthetic_text(-1)


@pytest.mark.parametrize("unicode", [False, True])
def test_headline_then_paragraphs_separated_by_blank_lines(unicode):
    text = synthetic_text(20_000, 3, unicode=unicode)
    blocks = text.split("\n\n")
    assert len(blocks) > 10
    assert all(block and "\n" not in block for block in blocks)
    assert all(block == block.strip() for block in blocks)
    assert len(blocks[0]) < 200  # a headline, not a paragraph


def test_ascii_mode_is_ascii_and_news_like():
    text = synthetic_text(20_000, 1)
    assert text.isascii()
    assert any(ch.isdigit() for ch in text)
    assert "%" in text or "percent" in text
    assert "$" in text
    assert "according to" in text.lower()
    assert " said" in text


def test_unicode_mode_mixes_in_every_kind_of_character():
    text = synthetic_text(50_000, 2, unicode=True)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), "CJK"
    assert "\u200d" in text, "emoji ZWJ sequence"
    assert any("\U0001f3fb" <= ch <= "\U0001f3ff" for ch in text), "skin-tone modifier"
    assert any("\u0590" <= ch <= "\u06ff" for ch in text), "Hebrew or Arabic"
    assert any(unicodedata.category(ch) == "Mn" for ch in text), "combining mark"
    assert any(ord(ch) > 0xFFFF for ch in text), "astral plane"
    assert "€" in text and "—" in text and "\u00a0" in text
    assert "é" in text or "ñ" in text


@no_deadline
@given(size=st.integers(1, 5000), seed=seeds)
@example(size=840, seed=10**15).via("found by this test: 'Ka' cut off the combining mark of 'Ka\u0308stner'")
def test_cut_never_splits_an_emoji_or_combining_sequence(size, seed):
    text = synthetic_text(size, seed, unicode=True)
    assert len(text) == size
    last = text[-1]
    assert last != "\u200d"
    # the text ends where the full text would end a cluster, or in ASCII filler
    full = synthetic_text(size + 50, seed, unicode=True)
    if full[:size] != text:  # the tail was replaced
        assert text[-1] in "x."
    else:
        nxt = full[size]
        assert not (unicodedata.category(nxt) == "Mn" or nxt in "\u200d\ufe0f" or "\U0001f3fb" <= nxt <= "\U0001f3ff")


def _check_spans(text, spans, labels=("CLAIM", "FIGURE", "SOURCE", "ENTITY")):
    assert spans == sorted(spans)
    assert len(set(spans)) == len(spans)
    for start, end, label in spans:
        assert 0 <= start < end <= len(text)
        covered = text[start:end]
        assert covered == covered.strip(), (start, end, covered)
        assert not covered[0].isspace() and not covered[-1].isspace()
        assert "\n\n" not in covered  # within a paragraph
        # word-aligned: nothing but whitespace or edge punctuation next to the span
        assert start == 0 or text[start - 1].isspace() or text[start - 1] in EDGE_PUNCT, (start, covered)
        assert end == len(text) or text[end].isspace() or text[end] in EDGE_PUNCT, (end, covered)
        assert label in labels


@settings(deadline=None, max_examples=30)  # ~10 ms an example
@given(size=st.integers(6000, 20_000), count=st.integers(50, 300), text_seed=seeds, seed=seeds,
       unicode=st.booleans())
@example(size=20_000, count=300, text_seed=4, seed=9, unicode=True).via("the case checked before the property test")
def test_spans_are_valid_word_aligned_and_deterministic(size, count, text_seed, seed, unicode):
    text = synthetic_text(size, text_seed, unicode=unicode)
    spans = synthetic_spans(text, count, seed=seed)
    assert len(spans) == count  # a text this long has words enough
    _check_spans(text, spans)
    assert spans == synthetic_spans(text, count, seed=seed)
    assert spans != synthetic_spans(text, count, seed=seed + 1)


def test_spans_start_and_end_on_word_boundaries():
    text = synthetic_text(5000, 6, unicode=True)
    words = text.split()
    word_starts, word_ends, pos = set(), set(), 0
    for word in words:
        pos = text.index(word, pos)
        word_starts.add(pos)
        word_ends.add(pos + len(word))
        pos += len(word)
    for start, end, _ in synthetic_spans(text, 200, seed=1):
        # the span edge is a whitespace word edge, or one moved past edge punctuation only
        s = start
        while s not in word_starts:
            s -= 1
            assert text[s] in EDGE_PUNCT
        e = end
        while e not in word_ends:
            assert text[e] in EDGE_PUNCT
            e += 1


def test_some_spans_nest_and_some_overlap():
    text = synthetic_text(20_000, 5)
    spans = synthetic_spans(text, 400, seed=3)
    nested = overlapping = 0
    for i, (s1, e1, _) in enumerate(spans):
        for s2, e2, _ in spans[i + 1 : i + 40]:
            if s2 >= e1:
                break
            if e2 <= e1 and (s1, e1) != (s2, e2):
                nested += 1
            elif e2 > e1:
                overlapping += 1
    assert nested > 10
    assert overlapping > 10


def test_spans_on_small_and_odd_texts():
    assert synthetic_spans("", 10) == []
    assert synthetic_spans("   \n\n  ", 10) == []
    assert synthetic_spans("...", 10) == []
    assert synthetic_spans("word", 0) == []
    spans = synthetic_spans("  Sony  ", 10)
    assert {(s, e) for s, e, _ in spans} == {(2, 6)}
    assert len(spans) <= 4  # one word, four labels: no more distinct spans exist
    assert synthetic_spans("Sony said.", 5, labels=["X"]) == sorted(set(synthetic_spans("Sony said.", 5, labels=["X"])))
    with pytest.raises(ValueError):
        synthetic_spans("text", 1, labels=())


def test_spans_over_any_text_including_the_sample_docs():
    for path in sorted((REPO / "sample_docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _check_spans(text, synthetic_spans(text, 100, seed=2))


@pytest.mark.parametrize("unicode", [False, True])
def test_corpus_records_are_distinct_valid_and_deterministic(unicode):
    records = list(synthetic_corpus(30, 12, seed=1, unicode=unicode))
    assert len(records) == 30
    assert all(isinstance(r, ImportRecord) for r in records)
    texts = [r.document.text for r in records]
    assert len(set(texts)) == 30
    assert len({r.document.name for r in records}) == 30
    schema = LabelSchema.default()
    for record in records:
        doc = record.document
        assert doc.id == document_id_for(doc.text)
        assert len(doc.text) == 400
        assert len(record.spans) == 12
        for span in record.spans:
            assert span.document_id == doc.id
            span.check(doc.text, schema)
        _check_spans(doc.text, [s.key() for s in record.spans])
    again = list(synthetic_corpus(30, 12, seed=1, unicode=unicode))
    assert [r.document.text for r in again] == texts
    assert [[(s.id, *s.key()) for s in r.spans] for r in again] == [
        [(s.id, *s.key()) for s in r.spans] for r in records
    ]


def test_corpus_imports_into_a_store(store: Store):
    summary = store.import_records(synthetic_corpus(20, 8, seed=4, size_chars=600, unicode=True), actor="test")
    assert summary.documents_added == 20
    assert summary.spans_added == 160
    again = store.import_records(synthetic_corpus(20, 8, seed=4, size_chars=600, unicode=True), actor="test")
    assert again.documents_added == 0 and again.spans_added == 0


def test_corpus_refuses_sizes_too_small_for_distinct_texts():
    with pytest.raises(ValueError):
        list(synthetic_corpus(500, 1, size_chars=1))


def test_module_writes_a_file(tmp_path):
    out = tmp_path / "big.txt"
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.synthetic", "--size", "12345", "--seed", "3", "--unicode", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "12345" in result.stderr
    assert out.read_bytes().decode("utf-8") == synthetic_text(12345, 3, unicode=True)
