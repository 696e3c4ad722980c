"""Importers: one module a format, each turning files into :class:`ImportRecord` s.

The common interface is small: a module-level ``FORMAT`` name, ``SUFFIXES``
(file endings it claims), ``sniff(path, head)`` (does this file look like mine?)
and ``read(path, context)`` yielding records. Errors are raised as
:class:`~annotator.errors.AnnotatorError` naming the file and line. The store
writes everything of one import in one transaction, so a bad file anywhere
leaves the database as it was.

Files are read through :mod:`.jsonio` (regular files only, strict JSON with
documented limits). Every record an importer yields passes :func:`checked_records`
here: annotator names follow the ``--annotator`` rule (no control characters),
and a document holds at most :data:`MAX_SPANS_PER_DOCUMENT` spans.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..errors import AnnotatorError
from ..models import LabelSchema
from ..store import ImportRecord
from . import jsonl, text
from .jsonio import check_regular, open_regular

#: Most spans one document may bring in one import (memory and the screens stay bounded; a
#: million spans took 55 s and 2.9 GB to import and froze the screen for 45 s). Importers check
#: it before building spans (:meth:`ImportContext.check_span_count`); every record is checked again.
MAX_SPANS_PER_DOCUMENT = 50_000


@dataclass
class ImportContext:
    """What an importer needs besides the file: who annotated, which labels exist, and where to
    account for what it does not keep.

    Nothing is dropped silently: an importer that leaves something out (a kind of annotation
    the project cannot hold yet, a prediction, an example answered 'reject') calls :meth:`skip`,
    and the summary line counts it by reason. A record that is *invalid* raises
    :class:`AnnotatorError` naming file and line, unless ``skip_invalid`` (``--skip-invalid``):
    then :meth:`invalid` records it and the import goes on (exit status 1).
    """

    annotator: str
    schema: LabelSchema
    #: unit of the file's offsets ("utf16" or "codepoints"); None: the format's own default
    offsets: str | None = None
    #: whether --annotator was given (it then wins over names guessed from file names)
    annotator_given: bool = False
    #: --skip-invalid: import the valid records, list the invalid ones
    skip_invalid: bool = False
    #: --answers: the Prodigy answers whose examples are imported (jsonl); the others are counted as skipped
    answers: frozenset[str] = frozenset({"accept"})
    #: --text-key: the data field holding the text (label-studio; None: "text")
    text_key: str | None = None
    #: --doccano-labels: doccano's label export, naming the label ids of its 1.0-1.2 JSONL export
    doccano_labels: Path | None = None
    #: --scheme: the tag scheme of CoNLL files (iob1, iob2, bioes; None: detected per file)
    scheme: str | None = None
    #: what was left out on purpose, by reason ("brat attribute (A)": 3)
    skipped: Counter[str] = field(default_factory=Counter)
    #: where each was (file:line: reason), for -v
    skipped_where: list[str] = field(default_factory=list)
    #: invalid records left out under --skip-invalid (file:line: what is wrong)
    invalid_records: list[str] = field(default_factory=list)
    #: --discontinuous: what brat's discontinuous spans become (refuse, outer, split, skip)
    discontinuous: str = "refuse"
    #: things the user should know that are neither skipped nor invalid, counted
    #: ("read as brat (an .ann beside the .txt; --format text reads the text alone)": 3)
    notes: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, where: str = "", n: int = 1) -> None:
        """Count ``n`` things of one kind left out on purpose (``where``: file and line)."""
        self.skipped[reason] += n
        if where:
            self.skipped_where.append(f"{where}: {reason}")

    def invalid(self, error: AnnotatorError) -> None:
        """A bad record: raise it, or under --skip-invalid keep it for the report and go on."""
        if not self.skip_invalid:
            raise error
        self.invalid_records.append(str(error))

    def check_span_count(self, count: int, where: str) -> None:
        """Refuse a document of more than :data:`MAX_SPANS_PER_DOCUMENT` spans (call it before building them)."""
        if count > MAX_SPANS_PER_DOCUMENT:
            raise AnnotatorError(
                f"{where}: {count:,} spans in one document, over the limit of {MAX_SPANS_PER_DOCUMENT:,} spans a "
                "document: split the document"
            )

    def summary(self) -> str:
        """``; skipped: 3 brat attribute (A), 1 prediction`` (empty when nothing was left out)."""
        parts = [f"{n} {reason}" for reason, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))]
        if self.invalid_records:
            parts.append(f"{len(self.invalid_records)} invalid record{'s' if len(self.invalid_records) != 1 else ''}")
        noted = "".join(f"; {n} {note}" for note, n in sorted(self.notes.items()))
        return (f"; skipped: {', '.join(parts)}" if parts else "") + noted


#: Every importer, by format name. Other modules register here.
IMPORTERS: dict[str, ModuleType] = {"text": text, "jsonl": jsonl}


def register(module: ModuleType) -> None:
    IMPORTERS[module.FORMAT] = module


def _load_format_modules() -> None:
    """Import the optional format modules that exist (brat, doccano, label-studio...)."""
    import importlib

    for name in ("brat", "doccano", "label_studio", "conll"):
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        register(module)


_load_format_modules()


def guess_format(path: Path) -> str:
    """The format of ``path``, from its ending and, where that is ambiguous, its first bytes."""
    if path.is_dir():
        return "folder"
    with open_regular(path) as fh:
        try:
            head = fh.read(4096)
        except OSError as exc:
            raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    candidates = [m for m in IMPORTERS.values() if path.suffix.lower() in m.SUFFIXES]
    # A format may also claim files of another's ending when they come in its pairs (a .txt with
    # an .ann beside it is brat's): it goes first, and is never a candidate otherwise.
    paired = [m for m in IMPORTERS.values()
              if path.suffix.lower() in getattr(m, "PAIRED_SUFFIXES", ()) and _sniffs(m, path, head)]
    claimed = paired + [m for m in candidates if _sniffs(m, path, head)]
    if len(claimed) >= 1:
        return claimed[0].FORMAT
    if len(candidates) == 1:
        return candidates[0].FORMAT
    raise AnnotatorError(
        f"cannot tell the format of {path}: pass --format ({', '.join(sorted(IMPORTERS))})"
    )


def _sniffs(module: ModuleType, path: Path, head: bytes) -> bool:
    """Whether ``module`` claims the file; a sniffer tripping over hostile bytes does not."""
    try:
        return bool(module.sniff(path, head))
    except (ValueError, RecursionError, UnicodeError):  # deep nesting, a 5,000-digit number...
        return False


def read_path(path: Path, fmt: str | None, context: ImportContext) -> Iterator[ImportRecord]:
    """Records from a file or, recursively, a folder (files of known endings only)."""
    check_regular(path)  # a FIFO or a device is refused before anything reads it
    if path.is_dir():
        folder_format = getattr(IMPORTERS.get(fmt or ""), "READS_FOLDERS", False)
        if folder_format:
            yield from checked_records(IMPORTERS[fmt].read(path, context), path, context)  # type: ignore[index]
            return
        for child in files_in(path, fmt):
            yield from read_path(child, fmt, context)
        return
    guessed = fmt is None
    fmt = fmt or guess_format(path)
    if fmt not in IMPORTERS:
        raise AnnotatorError(f"unknown format {fmt!r}: use one of {', '.join(sorted(IMPORTERS))}")
    note = getattr(IMPORTERS[fmt], "guessed_note", None) if guessed else None
    if note is not None and note(path):
        context.notes[note(path)] += 1  # how a file was read when no --format chose it
    yield from checked_records(IMPORTERS[fmt].read(path, context), path, context)


def annotator_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be an annotator's name (the ``--annotator`` rule), or None.

    Not a string, empty, or holding a character that is not printable (control
    characters such as ESC, C1 controls, bidi overrides, line breaks, tabs):
    such a name would reach terminals, file names and other tools' exports.
    """
    if not isinstance(name, str):
        return f"annotator name {name!r} is not a string"
    if not name.strip():
        return f"annotator name {name!r} is empty"
    if not name.isprintable():
        return f"annotator name {name!r} holds control characters"
    return None


def checked_records(records: Iterator[ImportRecord], path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    """The records of one file (or brat folder), each checked before the store sees it.

    A record whose spans or relations name an annotator that breaks the
    ``--annotator`` rule, or that holds more than :data:`MAX_SPANS_PER_DOCUMENT`
    spans, is invalid (refused, or left out and listed under --skip-invalid).
    """
    for number, record in enumerate(records, start=1):
        where = f"{path} record {number} (document {record.document.name!r})"
        names = dict.fromkeys(x.annotator for x in (*record.spans, *record.relations))
        problem = next((p for p in map(annotator_name_problem, names) if p), None)
        try:
            if problem:
                raise AnnotatorError(f"{where}: {problem}: rename them in the file, as --annotator allows")
            context.check_span_count(len(record.spans), where)
        except AnnotatorError as error:
            context.invalid(error)
            continue
        yield record


def files_in(folder: Path, fmt: str | None = None) -> list[Path]:
    """Regular files under ``folder`` that some importer claims by their ending, sorted.

    Hidden files and folders (a name starting with ``.``) are left out, counting only
    the parts *below* ``folder``: ``../docs`` and ``.data/`` given by name are read.
    FIFOs, devices and sockets are never listed (``is_file`` is true for regular files only).
    When the format is guessed (``fmt`` None), files a folder format reads only as one of a
    pair and that lack their partner are listed too (a brat ``.ann`` without its ``.txt``),
    so reading them says what is missing instead of leaving them out unseen.
    """
    suffixes = {s for m in IMPORTERS.values() for s in m.SUFFIXES if not getattr(m, "READS_FOLDERS", False)}
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    if fmt is None:
        for module in IMPORTERS.values():
            found += getattr(module, "unpaired", lambda _folder: [])(folder)
    return sorted(found)
