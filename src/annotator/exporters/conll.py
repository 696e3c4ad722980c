"""CoNLL-2003 with IOB2 tags: one token a line, ``TOKEN POS CHUNK TAG``, a blank line between sentences.

The four columns are separated by single spaces, as in CoNLL-2003; there is no
part of speech or chunk to give, so every row has ``-X- O`` there, the values
the ``-DOCSTART-`` line has. Each record (document and annotator) starts with
``-DOCSTART- -X- O O`` and a blank line: the same number of columns as every
row (readers that split rows into a fixed number of columns need that), and the
exact line ``spacy convert FILE OUTDIR -c conll`` splits documents at. seqeval's
``get_entities`` reads the tags back. Tokens come from
:func:`annotator.text.tokenize` (never whitespace, so a row always has four
columns); sentences are :func:`annotator.text.sentence_starts` (the one rule:
after ``.``, ``!``, ``?`` or ``…`` before a capital, or at a blank line), never
breaking inside a span.

A tag covers whole tokens and one token has one tag, so CoNLL cannot hold a
span that starts or ends inside a token, nor two spans that overlap. Neither is
ever moved or dropped silently: spans off token boundaries are refused (listed),
and overlapping spans are refused (listed) unless ``--overlap outer`` (keep the
longest) or ``--overlap inner`` (keep the shortest) is given; then the summary
counts what was left out (``--verbose`` lists it). ``--labels`` picks the layer
to export first. Relations and notes are not part of the format.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from typing import IO

from ..errors import AnnotatorError
from ..models import Span
from ..text.tokens import Tokenized
from . import ExportOptions, ExportRecord, ExportSummary, Problems, describe

FORMAT = "conll"
TARGET = "text"
UNITS: tuple[str, ...] = ()

DOCSTART = "-DOCSTART- -X- O O"
#: The POS and chunk columns of every row: what -DOCSTART- has there (nothing to give).
NO_POS_CHUNK = " -X- O "
_O_ROW = f"{NO_POS_CHUNK}O\n"  # the rest of a row outside every span

TokenSpan = tuple[Span, int, int]  # span, first token, last token (inclusive)
_SPACE = re.compile(r"\s")  # what str.isspace() calls a space


def write(records: Iterable[ExportRecord], out: IO[str], options: ExportOptions) -> ExportSummary:
    summary = ExportSummary(FORMAT)
    off_tokens = Problems(
        "spans do not start and end on token boundaries",
        "CoNLL tags whole tokens: correct these spans, or export jsonl, which keeps character offsets",
    )
    overlaps = Problems(
        "overlapping spans",
        "CoNLL holds one tag a token: choose a layer with --labels, or pass --overlap outer or --overlap inner",
    )
    relations = 0
    fitting: set[str] = set()  # labels already checked
    for record in records:
        check_tag_labels(record, fitting)
        tokenized = record.tokenized  # shared by the document's records, sentence breaks included
        placed = place_spans(record, tokenized, off_tokens)
        kept = resolve_overlaps(record, placed, options.overlap, overlaps, summary)
        if off_tokens.items or overlaps.items:
            continue  # keep looking, to report every problem at once; nothing will be written
        out.write(record_block(record, tokenized, kept))
        summary.count(record, spans=len(kept), relations=0)
        relations += len(record.relations)
    off_tokens.raise_any()
    overlaps.raise_any()
    if summary.left_out:
        summary.left_out_reason = f"--overlap {options.overlap} kept the {options.overlap} ones"
    if relations:
        summary.notes.append(f"{relations} relations not written (CoNLL holds spans only)")
    return summary


def check_tag_labels(record: ExportRecord, fitting: set[str] | None = None) -> None:
    """Refuse (one line) a label a CoNLL column cannot hold: a space would split the tag into two columns,
    and no mapping could be read back (CoNLL has no place to declare one). ``fitting`` keeps the labels
    found fit, so each distinct label is searched once an export."""
    fitting = set() if fitting is None else fitting
    for span in record.spans:
        if span.label in fitting:
            continue
        if _SPACE.search(span.label) is None:
            fitting.add(span.label)
        else:
            raise AnnotatorError(
                f"label {span.label!r} holds a space, which CoNLL's space-separated columns cannot hold "
                f"(document {record.document.name}): leave it out with --labels, or export jsonl"
            )


def place_spans(record: ExportRecord, tokenized: Tokenized, problems: Problems) -> list[TokenSpan]:
    """Each span as a token range; spans off token boundaries go to ``problems``."""
    placed = []
    starts, ends = tokenized.starts, tokenized.ends
    n = len(starts)
    for span in record.spans:
        # Tokenized.aligned: the first token starts at span.start and the last ends at span.end, so the
        # tokens written are exactly the span's text (no slice to compare: it would be the same slice twice)
        first, last = bisect_left(starts, span.start), bisect_left(ends, span.end)
        if first < n and last < n and starts[first] == span.start and ends[last] == span.end:
            placed.append((span, first, last))
        else:
            problems.add(describe(record, span))
    return placed


def resolve_overlaps(
    record: ExportRecord, placed: list[TokenSpan], mode: str, problems: Problems, summary: ExportSummary
) -> list[TokenSpan]:
    """Spans that share no token: all of them, or (``outer``/``inner``) a choice, the rest reported."""
    if mode == "refuse":
        last_end, last = -1, None
        for item in sorted(placed, key=lambda p: (p[1], -p[2])):
            if last is not None and item[1] <= last_end:
                problems.add(f"{describe(record, last[0])} overlaps {item[0].label} {item[0].start}-{item[0].end}")
            if item[2] > last_end:
                last_end, last = item[2], item
        return placed
    longest_first = mode == "outer"
    order = sorted(placed, key=lambda p: ((p[2] - p[1]) * (-1 if longest_first else 1), p[1], p[0].label))
    taken = bytearray(max((p[2] for p in placed), default=-1) + 1)  # 1 for each token a kept span holds
    kept = []
    for item in order:
        first, last = item[1], item[2] + 1
        if 1 not in taken[first:last]:
            taken[first:last] = b"\x01" * (last - first)
            kept.append(item)
        else:
            summary.left_out.append(describe(record, item[0]))
    return sorted(kept, key=lambda p: p[1])


def record_block(record: ExportRecord, tokenized: Tokenized, kept: list[TokenSpan]) -> str:
    """The lines of one record: the document marker, then sentences of ``TOKEN -X- O TAG``.

    Built as one join of each token's text and the rest of its row (``" -X- O TAG\n"``, and one more
    line break at the end of a sentence): no row, no list of lines."""
    rests = [_O_ROW] * len(tokenized)
    for span, first, last in kept:
        rests[first] = f"{NO_POS_CHUNK}B-{span.label}\n"
        rests[first + 1 : last + 1] = [f"{NO_POS_CHUNK}I-{span.label}\n"] * (last - first)
    for start in tokenized.sentence_starts([(first, last) for _, first, last in kept])[1:]:
        rests[start - 1] += "\n"  # a blank line between sentences
    pieces: list[str] = [""] * (2 * len(rests))
    pieces[0::2] = tokenized.texts
    pieces[1::2] = rests
    return f"{DOCSTART}\n\n{''.join(pieces)}\n"
