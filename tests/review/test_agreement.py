"""Agreement figures: hand-computed cases, and comparisons with scikit-learn and krippendorff."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.review.agreement import (
    DocumentAnnotations,
    agreement_report,
    cohen_kappa,
    exact_counts,
    iob_tags,
    krippendorff_alpha_nominal,
    partial_counts,
    token_spans,
)

TEXT = "a b c d"  # tokens a(0-1) b(2-3) c(4-5) d(6-7)


def test_hand_computed_pair():
    docs = [DocumentAnnotations("d1", "one", TEXT, {"A": [(0, 1, "X")], "B": [(0, 1, "X"), (4, 5, "Y")]})]
    report = agreement_report(docs, tokenize=token_spans)
    overall = report["overall"]
    assert overall["documents"] == 1 and overall["spans"] == 3 and overall["tokens"] == 4
    # one match; A has 1 span, B has 2 (A is the reference)
    assert overall["exact"] == {"precision": 0.5, "recall": 1.0, "f1": round(2 / 3, 4), "matches": 1}
    # tags A: B-X O O O; B: B-X O B-Y O -> po = 3/4, pe = (1*1 + 3*2)/16 = 7/16, kappa = 5/9
    assert overall["kappa"] == round(5 / 9, 4)
    # coincidences: B-X 2, O 5, B-Y 1 (n = 8); observed disagreement 2 -> alpha = 1 - 7*2/34 = 10/17
    assert overall["alpha"] == round(10 / 17, 4)
    per = report["per_label"]
    assert set(per) == {"X", "Y"}
    assert per["X"]["exact"]["f1"] == 1.0 and per["X"]["spans"] == 2
    assert per["Y"]["exact"]["f1"] == 0.0 and per["Y"]["exact"]["recall"] is None  # A has no Y span


def test_partial_overlap_matches_same_label_only():
    a = [(0, 3, "X"), (10, 12, "X")]
    b = [(2, 5, "X"), (10, 12, "Y")]
    # (0,3,X) overlaps (2,5,X); (10,12,X) overlaps only a Y span
    assert partial_counts(a, b) == (1, 2, 1, 2)
    assert exact_counts(a, b) == (0, 2, 2)
    docs = [DocumentAnnotations("d", "d", "abcdefghijklmn", {"A": a, "B": b})]
    report = agreement_report(docs, tokenize=token_spans)
    assert report["overall"]["partial"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert report["overall"]["exact"]["f1"] == 0.0


def test_adjacent_spans_do_not_overlap():
    assert partial_counts([(0, 2, "X")], [(2, 4, "X")]) == (0, 1, 0, 1)


def test_single_annotator_documents_are_left_out_and_counted():
    docs = [
        DocumentAnnotations("d1", "one", TEXT, {"A": [(0, 1, "X")], "B": [(0, 1, "X")]}),
        DocumentAnnotations("d2", "two", TEXT, {"A": [(0, 1, "X"), (2, 3, "X")]}),
        DocumentAnnotations("d3", "three", TEXT, {}),
    ]
    report = agreement_report(docs, tokenize=token_spans, by_document=True)
    assert report["documents"] == {"compared": 1, "single_annotator": 1, "not_annotated": 1}
    assert report["overall"]["spans"] == 2
    assert report["overall"]["exact"]["f1"] == 1.0
    assert [d["id"] for d in report["by_document"]] == ["d1"]


def test_an_annotator_who_found_nothing_counts():
    docs = [DocumentAnnotations("d1", "one", TEXT, {"A": [(0, 1, "X")], "B": []})]
    report = agreement_report(docs, tokenize=token_spans)
    assert report["documents"]["compared"] == 1
    assert report["overall"]["exact"] == {"precision": None, "recall": 0.0, "f1": 0.0, "matches": 0}


def test_iob_tags_follow_token_overlap_and_keep_the_first_of_overlapping_spans():
    tokens = token_spans("Sony said revenue rose 5%.")
    assert iob_tags(tokens, [(0, 4, "E"), (23, 25, "F")]) == ["B-E", "O", "O", "O", "B-F", "I-F", "O"]
    # a span ending mid-token still tags that token; a nested span loses to the longer one
    assert iob_tags(tokens, [(0, 7, "C"), (5, 9, "E")]) == ["B-C", "I-C", "O", "O", "O", "O", "O"]
    assert iob_tags(tokens, [(0, 4, "E"), (23, 25, "F")], label="F") == ["O", "O", "O", "O", "B-F", "I-F", "O"]


def test_kappa_undefined_when_chance_agreement_is_one():
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None
    assert krippendorff_alpha_nominal([["O", "O"], ["O", "O"]]) is None


@pytest.mark.parametrize("seed", range(20))
def test_kappa_matches_scikit_learn(seed):
    rng = random.Random(seed)
    values = ["O", "B-X", "I-X", "B-Y"][: rng.randint(2, 4)]
    n = rng.randint(5, 60)
    x = [rng.choice(values) for _ in range(n)]
    y = [v if rng.random() < 0.6 else rng.choice(values) for v in x]
    ours = cohen_kappa(x, y)
    theirs = cohen_kappa_score(x, y)
    if ours is None:
        assert np.isnan(theirs) or len(set(x) | set(y)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_alpha_matches_krippendorff_package(seed):
    rng = random.Random(seed)
    coders = rng.randint(2, 5)
    values = ["O", "B-X", "I-X", "B-Y"]
    units = []
    for _ in range(rng.randint(10, 80)):
        truth = rng.choice(values)
        units.append([
            None if rng.random() < 0.2 else (truth if rng.random() < 0.7 else rng.choice(values))
            for _ in range(coders)
        ])
    codes = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if u[c] is None else codes[u[c]] for u in units] for c in range(coders)], dtype=float)
    ours = krippendorff_alpha_nominal(units)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_report_matches_reference_implementations_on_random_documents():
    rng = random.Random(7)
    words = "Sony said revenue rose 5% in Tokyo on Monday according to Reuters and the AP".split()
    docs = []
    for d in range(6):
        text = " ".join(rng.choice(words) for _ in range(40))
        tokens = token_spans(text)
        spans = {}
        for who in ("ann", "bob", "cat"):
            if d == 5 and who != "ann":
                continue  # one document only ann annotated: left out
            keys = set()
            for _ in range(rng.randint(0, 8)):
                i = rng.randrange(len(tokens))
                j = min(len(tokens) - 1, i + rng.randint(0, 2))
                keys.add((tokens[i][0], tokens[j][1], rng.choice("XY")))
            spans[who] = sorted(keys)
        docs.append(DocumentAnnotations(f"d{d}", f"doc{d}", text, spans))
    report = agreement_report(docs, tokenize=token_spans)
    assert report["documents"] == {"compared": 5, "single_annotator": 1, "not_annotated": 0}
    kept = docs[:5]

    def tags(who):
        return [t for doc in kept for t in iob_tags(token_spans(doc.text), doc.spans[who])]

    pair_kappas = {
        tuple(p["annotators"]): p["kappa"] for p in report["overall"]["pairs"]
    }
    for a, b in (("ann", "bob"), ("ann", "cat"), ("bob", "cat")):
        assert pair_kappas[(a, b)] == pytest.approx(cohen_kappa_score(tags(a), tags(b)), abs=1e-4)
    assert report["overall"]["kappa"] == pytest.approx(sum(pair_kappas.values()) / 3, abs=1e-4)
    labels = sorted({t for who in ("ann", "bob", "cat") for t in tags(who)})
    data = np.array([[labels.index(t) for t in tags(who)] for who in ("ann", "bob", "cat")], dtype=float)
    assert report["overall"]["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-4
    )
    # exact F1 summed over pairs and documents
    tp = na = nb = 0
    for a, b in (("ann", "bob"), ("ann", "cat"), ("bob", "cat")):
        for doc in kept:
            sa, sb = set(doc.spans[a]), set(doc.spans[b])
            tp, na, nb = tp + len(sa & sb), na + len(sa), nb + len(sb)
    assert report["overall"]["exact"]["f1"] == round(2 * tp / (na + nb), 4)
    assert report["overall"]["spans"] == sum(len(doc.spans[w]) for doc in kept for w in ("ann", "bob", "cat"))
