"""Inter-annotator agreement: pure functions over spans, no database access.

Definitions (what ``annotator agreement`` reports):

* **Documents compared**: a document counts when at least two of the chosen
  annotators annotated it (have spans in it, or marked it done with none). A
  document only one of them annotated is left out and counted as
  ``single_annotator``. Each pair of annotators is compared on the documents
  both annotated.
* **Exact span match**: the same ``(start, end, label)``. For a pair (A, B),
  the first name in alphabetical order is the reference: precision = matches
  / B's spans, recall = matches / A's spans, F1 = 2 x matches / (A's + B's
  spans), which does not depend on the order. Overall and per-label figures
  sum the counts over all pairs and documents (micro-average).
* **Partial (overlap) match**: a span *matches* when the other annotator has a
  span with the same label overlapping it by at least one character.
  Precision = B's spans that match / B's spans, recall = A's spans that match /
  A's spans, F1 their harmonic mean. (Each span is judged on its own, so one
  long span may match two short ones.)
* **Token-level Cohen's kappa**: the text is tokenized; each annotator's spans
  become IOB2 tags (a token belongs to a span it overlaps; where one
  annotator's spans overlap each other, the earlier-starting, then longer one
  wins). Kappa is computed per pair over the tokens of the documents both
  annotated; the overall figure is the mean over pairs. Per label, tags of
  other labels count as ``O``. Undefined (``null``) when chance agreement is 1
  (e.g. nobody used that label).
* **Krippendorff's alpha** (nominal): units are the tokens of the compared
  documents, values the IOB2 tags; an annotator who did not annotate a
  document is a missing value there. Meaningful for two or more annotators.

Each figure carries the number of documents, spans (or tokens) it rests on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..text.tokens import token_bounds

SpanKey = tuple[int, int, str]
Token = tuple[int, int]

def token_spans(text: str) -> list[Token]:
    """(start, end) of each token as the exports count them (the one tokenizer, :mod:`annotator.text.tokens`)."""
    return token_bounds(text)


# -- basic measures ----------------------------------------------------------------------------


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def exact_counts(a: Iterable[SpanKey], b: Iterable[SpanKey]) -> tuple[int, int, int]:
    """(matches, len(a), len(b)) for exact (start, end, label) matching."""
    sa, sb = set(a), set(b)
    return len(sa & sb), len(sa), len(sb)


def partial_counts(a: Iterable[SpanKey], b: Iterable[SpanKey]) -> tuple[int, int, int, int]:
    """(a spans matched, len(a), b spans matched, len(b)); matched = same label, overlapping."""
    la, lb = sorted(set(a)), sorted(set(b))

    def matched(xs: list[SpanKey], ys: list[SpanKey]) -> int:
        return sum(1 for (s, e, lab) in xs if any(lab == l2 and s < e2 and s2 < e for (s2, e2, l2) in ys))

    return matched(la, lb), len(la), matched(lb, la), len(lb)


def iob_tags(tokens: Sequence[Token], spans: Iterable[SpanKey], label: str | None = None) -> list[str]:
    """IOB2 tags of ``tokens`` for ``spans`` (only ``label``'s when given). A token belongs to a span it overlaps."""
    tags = ["O"] * len(tokens)
    starts = [t[0] for t in tokens]
    import bisect

    for start, end, lab in sorted(set(spans), key=lambda s: (s[0], -s[1], s[2])):
        if label is not None and lab != label:
            continue
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(tokens) and tokens[i][1] <= start:
            i += 1
        first = True
        while i < len(tokens) and tokens[i][0] < end:
            if tags[i] != "O":  # taken by an earlier span of the same annotator
                break
            tags[i] = ("B-" if first else "I-") + lab
            first = False
            i += 1
    return tags


def cohen_kappa(x: Sequence[str], y: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None when chance agreement is 1."""
    n = len(x)
    if n == 0 or n != len(y):
        return None
    observed = sum(1 for a, b in zip(x, y) if a == b) / n
    cx, cy = Counter(x), Counter(y)
    expected = sum(cx[c] * cy.get(c, 0) for c in cx) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[str | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists the coders' values (None = missing).

    Units with fewer than two values are not pairable and left out. None when undefined
    (no pairable values, or only one value used overall).
    """
    o: Counter[tuple[str, str]] = Counter()
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    o[(c, k)] += pairs / (m - 1)
    n_c: Counter[str] = Counter()
    for (c, _k), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    disagree_observed = sum(v for (c, k), v in o.items() if c != k)
    disagree_expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if disagree_expected == 0:
        return None
    return 1.0 - (n - 1) * disagree_observed / disagree_expected


# -- whole reports -----------------------------------------------------------------------------


@dataclass
class DocumentAnnotations:
    """What one document contributes: its text and each annotator's span keys."""

    id: str
    name: str
    text: str
    spans: dict[str, list[SpanKey]] = field(default_factory=dict)  # every annotator who annotated it


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _figures(
    docs: Sequence[DocumentAnnotations], annotators: Sequence[str], label: str | None,
    tokens_of: dict[str, list[Token]],
) -> dict[str, Any]:
    """All figures over ``docs`` (already limited to compared documents), for one label or all."""

    def keys(doc: DocumentAnnotations, who: str) -> list[SpanKey]:
        return [k for k in doc.spans.get(who, []) if label is None or k[2] == label]

    ex = [0, 0, 0]
    pa = [0, 0, 0, 0]
    kappas: list[float] = []
    pairs: list[dict[str, Any]] = []
    doc_ids: set[str] = set()
    for a, b in combinations(annotators, 2):
        both = [d for d in docs if a in d.spans and b in d.spans]
        if not both:
            continue
        pex = [0, 0, 0]
        ppa = [0, 0, 0, 0]
        ta: list[str] = []
        tb: list[str] = []
        for doc in both:
            doc_ids.add(doc.id)
            ka, kb = keys(doc, a), keys(doc, b)
            for i, v in enumerate(exact_counts(ka, kb)):
                pex[i] += v
            for i, v in enumerate(partial_counts(ka, kb)):
                ppa[i] += v
            toks = tokens_of[doc.id]
            ta += iob_tags(toks, ka, label)
            tb += iob_tags(toks, kb, label)
        kappa = cohen_kappa(ta, tb)
        if kappa is not None:
            kappas.append(kappa)
        ex = [x + y for x, y in zip(ex, pex)]
        pa = [x + y for x, y in zip(pa, ppa)]
        pairs.append(
            {"annotators": [a, b], "documents": len(both), **_span_figures(pex, ppa), "kappa": _rounded(kappa),
             "tokens": len(ta)}
        )
    units: list[list[str | None]] = []
    for doc in docs:
        coders = [who for who in annotators if who in doc.spans]
        if len(coders) < 2:
            continue
        toks = tokens_of[doc.id]
        tags = [iob_tags(toks, keys(doc, who), label) if who in doc.spans else None for who in annotators]
        for i in range(len(toks)):
            units.append([t[i] if t is not None else None for t in tags])
    spans = sum(len(keys(d, who)) for d in docs for who in annotators if who in d.spans)
    return {
        "documents": len(doc_ids),
        "spans": spans,
        **_span_figures(ex, pa),
        "kappa": _rounded(sum(kappas) / len(kappas)) if kappas else None,
        "alpha": _rounded(krippendorff_alpha_nominal(units)),
        "tokens": len(units),
        "pairs": pairs,
    }


def _span_figures(ex: Sequence[int], pa: Sequence[int]) -> dict[str, Any]:
    tp, na, nb = ex
    ma, na2, mb, nb2 = pa
    p, r = ratio(tp, nb), ratio(tp, na)
    pp, pr = ratio(mb, nb2), ratio(ma, na2)
    return {
        "exact": {"precision": _rounded(p), "recall": _rounded(r),
                  "f1": _rounded(ratio(2 * tp, na + nb)), "matches": tp},
        "partial": {"precision": _rounded(pp), "recall": _rounded(pr), "f1": _rounded(f1(pp, pr))},
    }


def agreement_report(
    docs: Iterable[DocumentAnnotations], annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None, by_document: bool = False,
    tokenize: Callable[[str], list[Token]] | None = None,
) -> dict[str, Any]:
    """Agreement figures, overall, per label and (optionally) per document, as plain data (JSON-ready).

    ``docs`` give, per document, the annotators who annotated it (an empty list counts:
    they found nothing). ``annotators`` limits who is compared (default: everyone seen);
    ``labels`` limits which labels count (default: every label seen).
    """
    tokenize = tokenize or token_spans
    docs = list(docs)
    names = sorted(annotators) if annotators else sorted({who for d in docs for who in d.spans})
    label_set = set(labels) if labels else None
    kept: list[DocumentAnnotations] = []
    single = unannotated = 0
    for doc in docs:
        spans = {
            who: [k for k in doc.spans[who] if label_set is None or k[2] in label_set]
            for who in names if who in doc.spans
        }
        if len(spans) >= 2:
            kept.append(DocumentAnnotations(doc.id, doc.name, doc.text, spans))
        elif len(spans) == 1:
            single += 1
        else:
            unannotated += 1
    label_names = sorted(labels) if labels else sorted({k[2] for d in kept for ks in d.spans.values() for k in ks})
    tokens_of = {d.id: tokenize(d.text) for d in kept}
    report: dict[str, Any] = {
        "annotators": names,
        "labels": label_names,
        "documents": {"compared": len(kept), "single_annotator": single, "not_annotated": unannotated},
        "overall": _figures(kept, names, None, tokens_of),
        "per_label": {lab: _figures(kept, names, lab, tokens_of) for lab in label_names},
    }
    if by_document:
        report["by_document"] = [
            {"id": d.id, "name": d.name, "annotators": sorted(d.spans), **_figures([d], names, None, tokens_of)}
            for d in kept
        ]
    return report
