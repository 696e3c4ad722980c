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
into ``doc.spans[KEY]``).

Memory stays flat however large the project: Docs go into a DocBin of at most
:data:`CHUNK` documents, whose parts are spooled to temporary files, and the
file is then written as one stream, byte for byte what ``DocBin.to_bytes()``
of all the Docs would give (``zlib`` of one msgpack map). Every span is checked
as its document is tokenized: after the first span off the token boundaries
nothing more is built, every document is still checked, and the export is
refused with them all before anything is written. spaCy's serializer asks
catalogue for its msgpack encoders for every Doc it adds (three times), which
filters every installed package's entry points: they are read once per export.

spaCy is an optional dependency: ``pip install 'annotator[spacy]'``.
"""

from __future__ import annotations

import tempfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


#: Documents in one DocBin before its parts go to the spool files.
CHUNK = 250
#: Documents tokenized by one blank pipeline: its vocabulary and its tokenizer's cache keep every new
#: word, so a fresh one is made after this many (70 ms) and memory stays flat.
RELOAD = 5000


def write(records: Iterable[ExportRecord], out: IO[bytes], options: ExportOptions) -> ExportSummary:
    nlp = load_blank(options.lang)
    from spacy.tokens import DocBin

    summary = ExportSummary(FORMAT)
    off_tokens = Problems(
        f"spans do not start and end on spaCy token boundaries (--lang {options.lang})",
        "correct these spans, or export jsonl, which keeps character offsets",
    )
    overlaps = Problems(
        "spans would overlap in doc.ents",
        "doc.ents cannot overlap: pass --ents labels that never overlap (every span stays in doc.spans)",
    )
    with encoders_read_once(), _DocBinSpool() as spool:
        chunk = DocBin(store_user_data=True)
        for number, record in enumerate(records, start=1):
            if number % RELOAD == 0:
                nlp = load_blank(options.lang)
            doc = make_doc(nlp, record, options, off_tokens, overlaps)
            summary.count(record)
            if off_tokens.items or overlaps.items:
                continue  # refused in the end: only check the rest
            chunk.add(doc)
            if len(chunk) >= CHUNK:
                spool.add(chunk)
                chunk = DocBin(store_user_data=True)
        off_tokens.raise_any()
        overlaps.raise_any()
        spool.add(chunk)
        spool.write(out)
    return summary


@contextmanager
def encoders_read_once() -> Iterator[None]:
    """srsly's msgpack Packer (one for each Doc's user data, span group and span groups) asks
    catalogue for every msgpack encoder, and catalogue filters all installed entry points each
    time: more than half of an export. Nothing registers an encoder during an export: read them once."""
    try:
        from srsly.msgpack import msgpack_encoders
    except ImportError:  # another srsly: nothing to spare
        yield
        return
    found = msgpack_encoders.get_all()
    msgpack_encoders.get_all = lambda: dict(found)  # the instance's, in front of the class's method
    try:
        yield
    finally:
        del msgpack_encoders.get_all


def _array_header(n: int) -> bytes:
    """msgpack's header of an array of ``n`` items."""
    if n < 16:
        return bytes([0x90 | n])
    return b"\xdc" + n.to_bytes(2, "big") if n < 1 << 16 else b"\xdd" + n.to_bytes(4, "big")


def _bin_header(n: int) -> bytes:
    """msgpack's header of ``n`` bytes of binary data (srsly packs with use_bin_type=True)."""
    if n < 1 << 8:
        return b"\xc4" + n.to_bytes(1, "big")
    return b"\xc5" + n.to_bytes(2, "big") if n < 1 << 16 else b"\xc6" + n.to_bytes(4, "big")


class _DocBinSpool:
    """The parts of a DocBin, added a chunk (a small DocBin) at a time and kept in temporary files,
    then written as the one DocBin ``DocBin.to_bytes()`` makes: ``zlib.compress`` of the msgpack map
    ``{version, attrs, tokens, spaces, lengths, strings, cats, flags, span_groups, user_data}``, whose
    arrays are their items' bytes one after another (so are msgpack arrays, after a header)."""

    #: Parts spooled as raw bytes (the DocBin's numpy arrays), then the msgpack arrays, in map order.
    ARRAYS = ("tokens", "spaces")
    LISTS = ("cats", "flags", "span_groups", "user_data")

    def __init__(self) -> None:
        self.files: dict[str, IO[bytes]] = {}
        self.items = dict.fromkeys(self.LISTS, 0)
        self.lengths = array("i")  # numpy int32, as DocBin writes them
        self.strings: set[str] = set()
        self.version: str | None = None
        self.attrs: list[int] | None = None
        self.user_data = True

    def __enter__(self) -> _DocBinSpool:
        for name in (*self.ARRAYS, *self.LISTS):
            self.files[name] = tempfile.TemporaryFile(prefix=f"annotator-spacy-{name}-")
        return self

    def __exit__(self, *exc: object) -> None:
        for spooled in self.files.values():
            spooled.close()

    def add(self, chunk: Any) -> None:
        import srsly

        if self.version is None:
            self.version, self.attrs, self.user_data = chunk.version, list(chunk.attrs), chunk.store_user_data
        for tokens in chunk.tokens:
            self.files["tokens"].write(tokens.tobytes("C"))
        for spaces in chunk.spaces:
            self.files["spaces"].write(spaces.tobytes("C"))
        self.lengths.extend(len(tokens) for tokens in chunk.tokens)
        self.strings.update(chunk.strings)
        for name in self.LISTS:
            for item in getattr(chunk, name):
                self.files[name].write(srsly.msgpack_dumps(item))
            self.items[name] += len(getattr(chunk, name))

    def write(self, out: IO[bytes]) -> None:
        """The DocBin file, streamed through zlib in pieces of :data:`PIECE` bytes."""
        import srsly
        from spacy.tokens import DocBin

        if self.version is None:  # nothing added: what an empty DocBin writes
            out.write(DocBin(store_user_data=True).to_bytes())
            return
        pack = srsly.msgpack_dumps
        compressor = zlib.compressobj()
        keys = ["version", "attrs", *self.ARRAYS, "lengths", "strings", *self.LISTS]
        if not self.user_data:
            keys.remove("user_data")
        out.write(compressor.compress(bytes([0x80 | len(keys)])))
        for key in keys:
            out.write(compressor.compress(pack(key)))
            if key == "version":
                out.write(compressor.compress(pack(self.version)))
            elif key == "attrs":
                out.write(compressor.compress(pack(self.attrs)))
            elif key == "lengths":
                out.write(compressor.compress(pack(self.lengths.tobytes())))
            elif key == "strings":
                out.write(compressor.compress(pack(sorted(self.strings))))
            else:
                spooled = self.files[key]
                size = spooled.tell()
                header = _bin_header(size) if key in self.ARRAYS else _array_header(self.items[key])
                out.write(compressor.compress(header))
                spooled.seek(0)
                while piece := spooled.read(PIECE):
                    out.write(compressor.compress(piece))
        out.write(compressor.flush())


#: Bytes read from a spool file at a time.
PIECE = 1 << 20


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
