"""spaCy's binary DocBin (``.spacy``), the training format of ``spacy train``.

Every span goes in ``doc.spans[KEY]`` (``--spans-key``, default ``sc``), where
spans may overlap. ``--ents L1,L2`` also fills ``doc.ents`` from the spans with
those labels; ``doc.ents`` cannot overlap, so overlapping ones are refused
(listed), never dropped. Docs are made with a blank pipeline's tokenizer
(``--lang``, default ``en``); a span that does not start and end on a token
boundary of that tokenizer is refused (listed) rather than snapped.

``doc.user_data`` carries what spaCy has no place for: ``name``,
``document_id``, ``annotator``, ``meta``, ``notes`` (one string per span of
``doc.spans[KEY]``) and ``relations`` (``[head, child, label]`` with indices
into ``doc.spans[KEY]``). A DocBin is written in one piece, so it is built in
memory: for very large projects export jsonl (streamed) and convert in chunks.

spaCy is an optional dependency: ``pip install 'annotator[spacy]'``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from ..errors import AnnotatorError
from . import ExportOptions, ExportRecord, ExportSummary, Problems, check_text, describe, sorted_relations

FORMAT = "spacy"
TARGET = "binary"
UNITS: tuple[str, ...] = ()


def load_blank(lang: str) -> Any:
    """A blank spaCy pipeline (just a tokenizer), with a clear error when spaCy is missing."""
    try:
        import spacy
    except ImportError:
        raise AnnotatorError(
            "the spacy format needs spaCy, which is not installed: pip install 'annotator[spacy]'"
        ) from None
    try:
        return spacy.blank(lang)
    except (ImportError, OSError, ValueError) as exc:  # unknown language code
        raise AnnotatorError(f"--lang {lang}: spaCy has no such language ({exc})") from None


def write(records: Iterable[ExportRecord], out: IO[bytes], options: ExportOptions) -> ExportSummary:
    nlp = load_blank(options.lang)
    from spacy.tokens import DocBin
    summary = ExportSummary(FORMAT)
    doc_bin = DocBin(store_user_data=True)
    off_tokens = Problems(
        f"spans do not start and end on spaCy token boundaries (--lang {options.lang})",
        "correct these spans, or export jsonl, which keeps character offsets",
    )
    overlaps = Problems(
        "spans would overlap in doc.ents",
        "doc.ents cannot overlap: pass --ents labels that never overlap (every span stays in doc.spans)",
    )
    for record in records:
        doc_bin.add(make_doc(nlp, record, options, off_tokens, overlaps))
        summary.count(record)
    off_tokens.raise_any()
    overlaps.raise_any()
    out.write(doc_bin.to_bytes())
    return summary


def make_doc(nlp: Any, record: ExportRecord, options: ExportOptions, off_tokens: Problems, overlaps: Problems) -> Any:
    """The Doc of one record, with every span in ``doc.spans`` (and ``--ents`` ones in ``doc.ents``)."""
    doc = nlp.make_doc(record.document.text)
    spans = []
    for span in record.spans:
        placed = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if placed is None:
            off_tokens.add(describe(record, span))
            continue
        check_text(record, span, placed.text)
        spans.append(placed)
    if len(spans) < len(record.spans):
        return doc  # the export will stop; keep looking for more problems
    doc.spans[options.spans_key] = spans
    if options.ents:
        doc.ents = entities(record, spans, options.ents, overlaps)
    position = {span.id: i for i, span in enumerate(record.spans)}
    doc.user_data.update(
        {
            "name": record.document.name, "document_id": record.document.id, "annotator": record.annotator,
            "meta": record.document.meta, "notes": [span.note for span in record.spans],
            "relations": [[position[r.head], position[r.child], r.label] for r in sorted_relations(record)],
        }
    )
    return doc


def entities(record: ExportRecord, spans: list[Any], labels: list[str], overlaps: Problems) -> list[Any]:
    """The spans with ``labels``, refusing any two that share a token."""
    chosen = sorted((s for s in spans if s.label_ in labels), key=lambda s: (s.start, -s.end))
    kept: list[Any] = []
    for span in chosen:
        if kept and span.start < kept[-1].end:
            other = kept[-1]
            overlaps.add(
                f"{record.document.name}: {other.label_} {other.start_char}-{other.end_char} overlaps "
                f"{span.label_} {span.start_char}-{span.end_char}"
            )
            continue
        kept.append(span)
    return kept
