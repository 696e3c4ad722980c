"""CoNLL column files: one token a line, the tag in the last column, a blank line between sentences.

Read as real files are written:

* columns are separated by tabs (when the line holds one) or by spaces: 2
  columns (``TOKEN TAG``, as WNUT and most IOB2 files) or CoNLL-2003's 4
  (``TOKEN POS CHUNK TAG``); any other count of 2 or more works the same way;
* a line whose first column is ``-DOCSTART-`` (``-DOCSTART- -X- O O``,
  ``-DOCSTART- -X- -X- O``, ``-DOCSTART- O``...) starts a document; a file
  without one is one document;
* tags: ``O``, or a prefix, a hyphen and a label: IOB1 (CoNLL-2003: ``I-``
  throughout, ``B-`` only between two adjacent entities of one type), IOB2
  (``B-`` starts every entity) and BIOES (``S-`` single, ``E-`` end; BILOU's
  ``U-``/``L-`` and BMES's ``M-`` as well). The scheme is detected per file
  (``--scheme`` to name it). Entities are read as seqeval's ``get_entities``
  reads them whatever the scheme (an ``I-`` after ``O`` starts an entity), so
  the scheme only decides which tags are irregular: those are counted in the
  summary line.

A document's text is its tokens joined with single spaces, its sentences joined
with a newline; ``meta["conll"]`` records the token offsets (code points), the
sentences, the first line, the scheme and any middle columns (POS, chunk), so
nothing of the file is lost. The spans are ``--annotator``'s. A label the schema
lacks stops the import naming label and line (``--skip-invalid``: that entity is
listed and left out); a line that is not ``TOKEN ... TAG`` stops it too
(``--skip-invalid``: that document is listed and left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AnnotatorError
from ..ids import new_id, now
from ..models import Document, Span
from ..store import ImportRecord
from .jsonio import MAX_LINE_BYTES, open_regular
from .text import decode

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "conll"
SUFFIXES = (".conll", ".conll03", ".iob", ".iob2", ".bio", ".bioes", ".bmes")

DOCSTART = "-DOCSTART-"
SCHEMES = ("iob1", "iob2", "bioes")
SCHEME_NAMES = {"iob1": "IOB1", "iob2": "IOB2", "bioes": "BIOES"}

#: The prefixes of a tag (``B-LABEL``). M (BMES) continues like I; L and U (BILOU) are E and S.
PREFIXES = frozenset("BIESLUM")
_CONTINUES = frozenset("IMEL")  # prefixes that continue an open entity of their label
_ENDS = frozenset("ESLU")  # prefixes that close the entity at this token
_BIOES_ONLY = frozenset("ESLUM")


def sniff(path: Path, head: bytes) -> bool:
    """The first lines are ``-DOCSTART-`` or ``TOKEN ... TAG`` with a tag in the last column."""
    lines = [
        line for line in head.decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n")[:-1]
        if line.strip()
    ][:5]
    if not lines:
        return False
    for line in lines:
        cols = columns(line)
        if cols[0] == DOCSTART:
            continue
        if len(cols) < 2 or parse_tag(cols[-1]) is None:
            return False
    return True


def parse_tag(tag: str) -> tuple[str, str] | None:
    """``("O", "")`` for ``O``, ``(prefix, label)`` for ``B-LABEL`` and the like, None for anything else."""
    if tag == "O":
        return ("O", "")
    if len(tag) > 2 and tag[1] == "-" and tag[0] in PREFIXES and not tag[2].isspace():
        return (tag[0], tag[2:])
    return None


def columns(line: str) -> list[str]:
    """The columns of a row: split at tabs when it has one (tokens may then hold spaces), else at spaces."""
    if line.endswith("\r"):
        line = line[:-1]
    if "\t" in line:
        return [c.strip(" ") for c in line.split("\t") if c.strip(" ")]
    cols = line.split(" ")
    return [c for c in cols if c] if "" in cols else cols


def is_blank(line: str) -> bool:
    return not line.strip(" \t\r")


@dataclass
class Row:
    number: int  # line number, 1-based
    token: str
    prefix: str  # "O" or B I E S L U M
    label: str
    middle: list[str]  # the columns between token and tag
    tag: str


@dataclass
class Block:
    """One document of the file: its sentences of rows, and whether a bad line spoilt it."""

    index: int  # 1-based, among the file's documents
    sentences: list[list[Row]] = field(default_factory=list)
    bad: bool = False


def text_lines(path: Path, max_line: int = MAX_LINE_BYTES, chunk: int = 1 << 20) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, streamed in chunks: a regular file only, UTF-8 (a BOM
    dropped), each line at most ``max_line`` bytes, and one-line errors naming the line."""
    number = 0

    def text(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AnnotatorError(
                f"{path} line {number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}): "
                "convert the file to UTF-8 (e.g. iconv -t UTF-8)"
            ) from None

    def too_long(line: int) -> AnnotatorError:
        return AnnotatorError(f"{path} line {line}: longer than the limit of {max_line} bytes for one line")

    with open_regular(path) as fh:

        def chunks() -> Iterator[bytes]:
            try:
                head = fh.read(8192)
                if b"\x00" in head:  # binary, or UTF-16
                    decode(head, str(path))
                fh.seek(0)
                yield fh.read(max(chunk, 3)).removeprefix(b"\xef\xbb\xbf")
                while data := fh.read(chunk):
                    yield data
            except OSError as exc:
                raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None

        pending: list[bytes] = []  # the start of a line that goes on in the next chunk
        pending_size = 0
        for data in chunks():
            if b"\n" not in data:
                pending.append(data)
                pending_size += len(data)
                if pending_size > max_line:
                    raise too_long(number + 1)
                continue
            if pending:
                data = b"".join(pending) + data
                pending, pending_size = [], 0
            cut = data.rindex(b"\n")
            try:
                lines = data[:cut].decode("utf-8").split("\n")  # the whole chunk at once (no line ends inside
            except UnicodeDecodeError:  # a UTF-8 sequence, so cutting at a newline never splits a character)
                for raw in data[:cut].split(b"\n"):  # find the line at fault
                    number += 1
                    text(raw)
                raise AssertionError("unreachable") from None
            for line in lines:
                number += 1
                if len(line) > max_line // 4 and len(line.encode("utf-8")) > max_line:
                    raise too_long(number)
                yield number, line
            rest = data[cut + 1 :]
            pending, pending_size = ([rest], len(rest)) if rest else ([], 0)
            if pending_size > max_line:
                raise too_long(number + 1)
        if pending:
            number += 1
            yield number, text(b"".join(pending))


def blocks(path: Path, context: ImportContext | None) -> Iterator[Block]:
    """The documents of the file, numbered from 1; a bad line goes to ``context.invalid`` (None: ignored)."""
    count = 0
    block = Block(0)
    sentence: list[Row] = []
    for number, line in text_lines(path):
        if is_blank(line):
            if sentence:
                block.sentences.append(sentence)
                sentence = []
            continue
        cols = columns(line)
        if cols[0] == DOCSTART:
            if sentence:
                block.sentences.append(sentence)
                sentence = []
            if block.sentences or block.bad:
                count += 1
                block.index = count
                yield block
            block = Block(0)
            continue
        tag = parse_tag(cols[-1]) if len(cols) >= 2 else None
        if tag is None:
            if context is not None:
                what = (
                    f"{cols[-1]!r} is not a tag (O, or B-/I-/E-/S- and a label)" if len(cols) >= 2
                    else "expected a token and a tag separated by spaces or a tab"
                )
                context.invalid(AnnotatorError(
                    f"{path} line {number} (document {count + 1} of the file): {what}: CoNLL rows are TOKEN [POS CHUNK] TAG"
                ))
            block.bad = True
            continue
        sentence.append(Row(number, cols[0], tag[0], tag[1], cols[1:-1], cols[-1]))
    if sentence:
        block.sentences.append(sentence)
    if block.sentences or block.bad:
        block.index = count + 1
        yield block


@dataclass
class Survey:
    """What one pass over the file tells before reading it: is there anything, are there
    ``-DOCSTART-`` lines, and which scheme the tags follow."""

    rows: int = 0
    docstart: bool = False
    bioes: bool = False
    lone_i: int = 0  # I- tags after no entity of their label (IOB1 writes these; IOB2 should not)
    b_after_other: int = 0  # B- tags after no entity of their label (IOB2 writes these; IOB1 should not)

    @property
    def scheme(self) -> str:
        """BIOES if any E-/S-/L-/U-/M- tag; else IOB1 if I- tags after no entity of their label outnumber
        B- tags there (IOB1 uses B- only between two adjacent entities of one label); else IOB2."""
        if self.bioes:
            return "bioes"
        return "iob1" if self.lone_i > self.b_after_other else "iob2"


def survey(path: Path) -> Survey:
    found = Survey()
    prev_label = None  # label of the previous row's entity, None after O or a sentence break
    for _, line in text_lines(path):
        if is_blank(line):
            prev_label = None
            continue
        cols = columns(line)
        if cols[0] == DOCSTART:
            found.docstart = True
            prev_label = None
            continue
        found.rows += 1
        tag = parse_tag(cols[-1]) if len(cols) >= 2 else None
        if tag is None or tag[0] == "O":
            prev_label = None
            continue
        prefix, label = tag
        if prefix in _BIOES_ONLY:
            found.bioes = True
        elif label != prev_label:
            if prefix == "I":
                found.lone_i += 1
            elif prefix == "B":
                found.b_after_other += 1
        prev_label = label
    return found


#: What each scheme counts as irregular, as shown in the summary line.
IRREGULAR = {
    "lone": "{s} {p}- tags not continuing an entity of their label, each read as the start of one (as seqeval does)",
    "b_iob1": "IOB1 B- tags after no entity of their label, read as a start",
    "open": "BIOES entities not closed by E- or S-, read as ending at their last tag",
    "prefix": "{s} tags with a prefix the scheme has not ({p}-), read as BIOES",
}


def entities(sentence: list[Row], scheme: str, context: ImportContext) -> list[tuple[Row, int, int]]:
    """(first row, first index, last index inclusive) of each entity, as seqeval's get_entities finds
    them; the tags irregular in ``scheme`` are counted in ``context.notes``."""
    found: list[tuple[Row, int, int]] = []
    open_: list = []  # first row, first index, prefix of the last tag
    scheme_name = SCHEME_NAMES[scheme]

    def repaired(kind: str, prefix: str = "") -> None:
        context.notes[IRREGULAR[kind].format(s=scheme_name, p=prefix)] += 1

    def close(last: int) -> None:
        if open_:
            first, start, prefix = open_
            if scheme == "bioes" and prefix in "BIM":
                repaired("open")
            found.append((first, start, last))
            open_.clear()

    for i, row in enumerate(sentence):
        p = row.prefix
        if p == "O":
            close(i - 1)
            continue
        foreign = scheme != "bioes" and p in _BIOES_ONLY
        if foreign:
            repaired("prefix", p)
        if p in _CONTINUES and open_ and open_[0].label == row.label:
            open_[2] = p
        else:
            after_same = bool(open_) and open_[0].label == row.label
            close(i - 1)
            if foreign:
                pass
            elif p in _CONTINUES and not (scheme == "iob1" and p == "I"):
                repaired("lone", p)
            elif scheme == "iob1" and p == "B" and not after_same:
                repaired("b_iob1")
            open_[:] = [row, i, p]
        if p in _ENDS:
            close(i)
    close(len(sentence) - 1)
    return found


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    if context.offsets not in (None, "codepoints"):
        raise AnnotatorError(f"--offsets {context.offsets}: CoNLL files have no offsets (tokens are joined with spaces)")
    found = survey(path)  # one pass first: the scheme and the documents' names need the whole file
    if not found.rows and not found.docstart:
        raise AnnotatorError(f"{path} is empty: there is nothing to import")
    scheme = context.scheme or found.scheme
    if scheme not in SCHEMES:
        raise AnnotatorError(f"--scheme {scheme}: use one of {', '.join(SCHEMES)}")
    labels = set(context.schema.label_names)
    documents = 0
    for block in blocks(path, context):
        documents += 1
        if block.bad:
            continue  # its bad line went to context.invalid
        yield record(path, block, scheme, found.docstart, labels, context)
    if not documents:
        raise AnnotatorError(f"{path} holds no tokens (only -DOCSTART- lines): there is nothing to import")


def record(
    path: Path, block: Block, scheme: str, has_docstart: bool, labels: set[str], context: ImportContext,
) -> ImportRecord:
    """One document: tokens joined with spaces, sentences with newlines, the entities as spans."""
    parts: list[str] = []
    tokens: list[list[int]] = []
    sentences: list[list[int]] = []
    middle: list[list[str]] = []
    pos = 0
    placed: list[tuple[Row, int, int]] = []  # entity, start and end offsets
    for s, sentence in enumerate(block.sentences):
        if s:
            parts.append("\n")
            pos += 1
        sentence_start = pos
        first_token = len(tokens)
        for j, row in enumerate(sentence):
            if j:
                parts.append(" ")
                pos += 1
            parts.append(row.token)
            tokens.append([pos, pos + len(row.token)])
            middle.append(row.middle)
            pos += len(row.token)
        sentences.append([sentence_start, pos])
        for first, a, b in entities(sentence, scheme, context):
            placed.append((first, tokens[first_token + a][0], tokens[first_token + b][1]))
    text = "".join(parts)
    first_line = block.sentences[0][0].number
    conll: dict = {"document": block.index, "line": first_line, "scheme": SCHEME_NAMES[scheme],
                   "tokens": tokens, "sentences": sentences}
    if any(middle):
        conll["columns"] = middle
    name = f"{path.stem}-{block.index}" if has_docstart else path.name
    doc = Document.from_text(name, text, {"path": str(path), "conll": conll})
    spans = []
    stamp = now()
    for first, start, end in placed:
        if first.label not in labels:
            context.invalid(AnnotatorError(
                f"{path} line {first.number}: unknown label {first.label!r} (tag {first.tag!r}; the schema has "
                f"{', '.join(sorted(labels))}): add it to the schema (--schema FILE) or pass --skip-invalid"
            ))
            continue
        # valid by construction (0 <= start < end <= len(text), a label of the schema): no validation per span
        spans.append(Span.model_construct(id=new_id(), document_id=doc.id, start=start, end=end, label=first.label,
                                          annotator=context.annotator, note="", created=stamp, updated=stamp))
    return ImportRecord(doc, spans)
