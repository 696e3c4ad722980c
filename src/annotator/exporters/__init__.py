"""Exporters: one module a format, all reading the same stream of :class:`ExportRecord` s.

A record is one document as one annotator left it: the document, that
annotator's spans and relations. :func:`export_records` streams them from the
store in batches of documents, so memory does not grow with the database. The records of one
document share a :class:`DocumentCache`: its tokens and sentence breaks are computed once, on first
use, whatever the number of annotators (``record.tokenized``).

Each format module has the same small interface:

* ``FORMAT``: its name on the command line;
* ``TARGET``: what it writes to: ``"text"`` (a text stream: a file or stdout),
  ``"binary"`` (a file path) or ``"folder"`` (a folder path);
* ``UNITS``: the offset units it can write (empty when offsets are not its
  business), the first being its default;
* ``write(records, target, options) -> ExportSummary``.

Every exporter checks each span it writes: the offsets it puts in the file
must select exactly the span's text in the unit of the format, or the export
stops with an error naming the document and span. Nothing is ever moved to
make it fit: problems (spans off token boundaries, overlaps a format cannot
hold) are collected and reported together, and the output file is only put in
place when the whole export succeeded (see ``command.py``).
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from ..errors import AnnotatorError
from ..models import Document, LabelSchema, Relation, Span, Status
from ..text.offsets import CODEPOINTS, UTF16, Utf16, convert_out, slice_in
from ..text.tokens import Tokenized
from ..store import Store
from ..store.rows import StoredSpan

#: The format modules, by command-line name (module names use underscores).
FORMAT_MODULES = {
    "jsonl": "jsonl",
    "spacy": "spacy_docbin",
    "brat": "brat",
    "conll": "conll",
    "label-studio": "label_studio",
    "doccano": "doccano",
    "csv": "csv_rows",
}

#: Most problems listed in one error line; the rest are counted.
MAX_LISTED = 5


def exporter(name: str) -> ModuleType:
    """The module that writes format ``name``."""
    if name not in FORMAT_MODULES:
        raise AnnotatorError(f"unknown export format {name!r}: use one of {', '.join(FORMAT_MODULES)}")
    return importlib.import_module(f"{__name__}.{FORMAT_MODULES[name]}")


# -- what flows from the store to a format ----------------------------------------------------


@dataclass
class ExportRecord:
    """One document with one annotator's spans and relations.

    ``annotator`` is ``""`` for a document nobody has annotated (exported once,
    with no spans, so that no document is lost), and ``"gold"`` for the
    reviewed layer (each span's ``annotator`` is then its reviewer, its ``note``
    the notes of the annotators it came from, and ``sources`` maps its id to
    those annotators). ``status`` is that annotator's status for the document,
    if any (jsonl writes ``skipped`` and ``rejected`` back as Prodigy's
    ``ignore`` and ``reject``). ``unlinked`` names the accepted gold links left
    out because an end of theirs is not gold.
    """

    document: Document
    annotator: str
    spans: list[Span] | list[StoredSpan]  # read-only: an annotator's record holds the store's rows as they are
    relations: list[Relation]
    relations_left_out: int = 0
    status: Status | None = None
    cache: DocumentCache | None = field(default=None, repr=False, compare=False)
    sources: dict[str, tuple[str, ...]] | None = None
    unlinked: list[str] = field(default_factory=list)

    def annotators_of(self, span: Span) -> tuple[str, ...]:
        """The annotators a gold span came from (empty for a reviewer's own span); for an
        annotator's record, that annotator."""
        if self.sources is None:
            return (span.annotator,)
        return self.sources.get(span.id, ())

    @property
    def tokenized(self) -> Tokenized:
        """The document's tokens (and sentences), computed once for all its records."""
        if self.cache is None or self.cache.text is not self.document.text:
            self.cache = DocumentCache(self.document.text)
        return self.cache.tokenized


class DocumentCache:
    """What exporters compute from one document's text, computed on first use and shared by
    every record of that document (one per annotator): its tokens and sentence breaks
    (:class:`annotator.text.Tokenized`), and anything a format keeps with :meth:`get`."""

    __slots__ = ("text", "_tokenized", "_kept")

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokenized: Tokenized | None = None
        self._kept: dict[str, Any] = {}

    @property
    def tokenized(self) -> Tokenized:
        if self._tokenized is None:
            self._tokenized = Tokenized(self.text)
        return self._tokenized

    def get(self, key: str, make: Callable[[str], Any]) -> Any:
        """``make(text)``, made once per document (``key`` names it: use the format's name)."""
        if key not in self._kept:
            self._kept[key] = make(self.text)
        return self._kept[key]


@dataclass
class Selection:
    """Which records to export: the command's filter options."""

    annotators: list[str] = field(default_factory=list)  # empty: everyone
    labels: list[str] = field(default_factory=list)  # empty: every label
    status: Status | None = None
    gold: bool = False


#: Documents read at once: their spans, relations and statuses come in one query each. A batch
#: also ends once its texts hold :data:`BATCH_CHARS` code points (long documents come fewer at a time).
BATCH = 20
BATCH_CHARS = 1_000_000


def export_records(store: Store, selection: Selection) -> Iterator[ExportRecord]:
    """Records for every selected document and annotator, in document order, streamed
    (in batches of :data:`BATCH` documents: memory does not grow with the database)."""
    if selection.gold:
        for document in store.documents():
            yield from _gold_records(store, document, selection)
        return
    for batch in _batches(store.documents(), BATCH):
        ids = [d.id for d in batch]
        # the spans as read-only rows (no model a span: an export reads every one and only formats it)
        spans, relations, statuses = store.stored_spans_of(ids), store.relations_of(ids), store.statuses_of(ids)
        for document in batch:
            yield from _annotator_records(document, spans[document.id], relations[document.id],
                                          statuses[document.id], selection)


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    chars = 0
    for document in documents:
        batch.append(document)
        chars += len(document.text)
        if len(batch) == size or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _gold_records(store: Store, document: Document, selection: Selection) -> Iterator[ExportRecord]:
    """The reviewed layer of a document, when it has been reviewed at all: gold spans (with the
    annotators each came from, and their notes) and the accepted gold relations between them (a
    relation to a span --label left out is counted out; one whose end is not gold at all, which
    only an older database holds, is counted and named)."""
    decisions = store.gold_decisions(document.id)
    if not decisions:
        return
    sources = {d.id: d.sources for d in decisions if d.decision == "accept"}
    spans = [s for s in store.gold_spans(document.id) if _label_selected(s, selection)]
    ids = {s.id for s in spans}
    relations, not_gold = store.gold.relations_and_unlinked(document.id)
    linked = [r for r in relations if r.head in ids and r.child in ids]
    unlinked = [
        f"{document.name}: {d.label} {d.head[2]} {d.head[0]}-{d.head[1]} -> {d.child[2]} {d.child[0]}-{d.child[1]}"
        for d in not_gold
    ]
    yield ExportRecord(document, "gold", spans, linked, relations_left_out=len(relations) - len(linked),
                       sources=sources, unlinked=unlinked)


def _annotator_records(document: Document, spans: list[StoredSpan], relations: list[Relation],
                       statuses: dict[str, Status], selection: Selection) -> Iterator[ExportRecord]:
    # Everyone with spans here, and those who answered it: done ("nothing to tag" is an answer too),
    # or skipped or rejected (Prodigy's ignore and reject, imported with --answers).
    wanted = {selection.status} if selection.status else {Status.done, Status.skipped, Status.rejected}
    people = sorted({s.annotator for s in spans} | {a for a, st in statuses.items() if st in wanted})
    if not people:
        if not selection.annotators and selection.status is None:
            yield ExportRecord(document, "", [], [])
        return
    cache = DocumentCache(document.text)
    for person in people:
        if selection.annotators and person not in selection.annotators:
            continue
        if selection.status is not None and statuses.get(person, Status.todo) != selection.status:
            continue
        # one person (the common case) holds every span here: people has every span's annotator
        mine = spans if len(people) == 1 else [s for s in spans if s.annotator == person]
        if selection.labels:
            mine = [s for s in mine if s.label in selection.labels]
        theirs = [r for r in relations if r.annotator == person]
        ids = {s.id for s in mine} if theirs else set()
        linked = [r for r in theirs if r.head in ids and r.child in ids]
        yield ExportRecord(document, person, mine, linked, relations_left_out=len(theirs) - len(linked),
                           status=statuses.get(person), cache=cache)


def _label_selected(span: Span, selection: Selection) -> bool:
    return not selection.labels or span.label in selection.labels


def sorted_relations(record: ExportRecord) -> list[Relation]:
    """Relations in an order that depends only on the spans they link (not on ids or times).

    Formats that regenerate ids on import then write the same file again.
    """
    position = {s.id: i for i, s in enumerate(record.spans)}
    return sorted(record.relations, key=lambda r: (position[r.head], position[r.child], r.label))


# -- options and summary ------------------------------------------------------------------------


@dataclass
class ExportOptions:
    """Everything a format may need besides the records."""

    schema: LabelSchema
    out: Path | None = None  # None: standard output
    offsets: str | None = None  # None: the format's default unit
    spans_key: str = "sc"
    ents: list[str] = field(default_factory=list)
    overlap: str = "refuse"
    relations: bool = False
    config: Path | None = None
    lang: str = "en"
    verbose: bool = False
    gold: bool = False  # the reviewed layer (csv adds its annotators column)

    def unit(self, module: ModuleType) -> str:
        return self.offsets or module.UNITS[0]


@dataclass
class ExportSummary:
    """What an export wrote and what it left out (never silently)."""

    format: str
    documents: int = 0
    records: int = 0
    spans: int = 0
    relations: int = 0
    relations_left_out: int = 0
    left_out: list[str] = field(default_factory=list)  # one description a span left out
    left_out_reason: str = ""
    notes: list[str] = field(default_factory=list)
    files: int = 0
    unlinked: list[str] = field(default_factory=list)  # gold links left out: an end of theirs is not gold
    _last_document: str | None = None

    def count(self, record: ExportRecord, spans: int | None = None, relations: int | None = None) -> None:
        """Count one written record (with ``spans``/``relations`` written, if not all of them)."""
        if record.document.id != self._last_document:
            self.documents += 1
            self._last_document = record.document.id
        self.records += 1
        self.spans += len(record.spans) if spans is None else spans
        self.relations += len(record.relations) if relations is None else relations
        self.relations_left_out += record.relations_left_out
        self.unlinked += record.unlinked

    def line(self, where: str, verbose: bool = False) -> str:
        text = (
            f"exported {self.documents} documents ({self.records} records, {self.spans} spans, "
            f"{self.relations} relations) as {self.format} to {where}"
        )
        if self.left_out:
            text += f"; left out {len(self.left_out)} spans ({self.left_out_reason})"
            text += ": " + "; ".join(self.left_out) if verbose else " (list them with --verbose)"
        if self.relations_left_out:
            text += f"; left out {self.relations_left_out} relations whose spans were not exported"
        if self.unlinked:
            n = len(self.unlinked)
            listed = self.unlinked if verbose else self.unlinked[:MAX_LISTED]
            text += (f"; left out {n} gold link{'s' if n != 1 else ''} whose span is not gold (rejected or reopened "
                     f"since; review {'them' if n != 1 else 'it'} again): " + "; ".join(listed))
            if len(listed) < n:
                text += f"; and {n - len(listed)} more (list them with --verbose)"
        for note in self.notes:
            text += f"; {note}"
        return text


# -- checks --------------------------------------------------------------------------------------


def describe(record: ExportRecord, span: Span) -> str:
    """A span as a user finds it again: document, annotator, label, offsets, text."""
    who = f" by {record.annotator}" if record.annotator else ""
    text = record.document.text[span.start : span.end]
    shown = text if len(text) <= 30 else text[:27] + "..."
    return f"{record.document.name}{who}: {span.label} {span.start}-{span.end} {shown!r}"


class Problems:
    """Problems found while writing, reported together as one error line at the end."""

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint
        self.items: list[str] = []

    def add(self, item: str) -> None:
        self.items.append(item)

    def raise_any(self) -> None:
        if not self.items:
            return
        listed = "; ".join(self.items[:MAX_LISTED])
        more = f"; and {len(self.items) - MAX_LISTED} more" if len(self.items) > MAX_LISTED else ""
        raise AnnotatorError(f"{len(self.items)} {self.what}: {listed}{more}. {self.hint}")


class SpanOffsets:
    """One document's span offsets in a format's unit, each checked by slicing it back.

    The check slices the text the way the consuming tool will (UTF-16 code
    units for JavaScript tools), independently of the conversion.
    """

    def __init__(self, record: ExportRecord, unit: str) -> None:
        self.record = record
        self.unit = unit
        text = record.document.text
        self.index = Utf16(text) if unit == UTF16 else None
        self.encoded = text.encode("utf-16-le") if unit == UTF16 else None

    def __call__(self, span: Span) -> tuple[int, int]:
        if self.unit == CODEPOINTS:  # written as stored: slicing back would compare a slice with itself
            return span.start, span.end
        return self.fragment(span, span.start, span.end)

    def fragment(self, span: Span, start: int, end: int) -> tuple[int, int]:
        """Offsets of ``text[start:end]`` (a piece of ``span``), checked."""
        if self.unit == CODEPOINTS:
            return start, end
        text = self.record.document.text
        out_start, out_end = convert_out(text, start, end, self.unit, self.index)
        written = slice_in(text, out_start, out_end, self.unit, self.encoded)
        check_text(self.record, span, written, text[start:end], f"{self.unit} {out_start}-{out_end}")
        return out_start, out_end


def check_text(record: ExportRecord, span: Span, written: str, expected: str | None = None, how: str = "") -> None:
    """Stop the export unless ``written`` (what the file's offsets select) is the span's text."""
    if expected is None:
        expected = record.document.text[span.start : span.end]
    if written != expected:
        raise AnnotatorError(
            f"document {record.document.name}: span {span.id} ({describe(record, span)}) would be written as "
            f"{written!r}{' at ' + how if how else ''}: this is a bug in the exporter, please report it"
        )


# -- writing files safely ------------------------------------------------------------------------

#: Names Windows reserves for devices, with or without an extension.
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
#: Characters no file name may hold on some system: separators, Windows' specials, control characters.
ILLEGAL_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
#: Longest name stem in UTF-8 bytes: leaves room for a collision suffix and an extension under 255.
MAX_NAME_BYTES = 120


def clean_name(name: str, fallback: str = "document") -> str:
    """A file name from a document or annotator name that cannot leave its folder.

    No separators or characters illegal on Windows, macOS or Linux, no leading
    or trailing dots and spaces (so no ``..``, no hidden files, nothing Windows
    trims), no reserved device names, at most :data:`MAX_NAME_BYTES`. Cleaning
    a cleaned name changes nothing, so exports of re-imported files match.
    """
    name = ILLEGAL_IN_NAMES.sub("_", name).strip(" .")
    name = name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").strip(" .")
    if not name:
        name = fallback
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        name = "_" + name
    return name


class SafeNames:
    """Hands out clean, distinct file names in one folder (case-insensitively, as on Windows and macOS).

    A name already given gets ``-`` and the first characters of ``unique``
    (a document id), so two documents never overwrite each other and the
    suffix is the same in every export of the same documents.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken = {name.casefold() for name in reserved}

    def name(self, wanted: str, unique: str, fallback: str = "document") -> str:
        base = clean_name(wanted, fallback)
        candidate, n = base, 1
        while candidate.casefold() in self.taken:
            suffix = f"-{unique[:8]}" + (f"-{n}" if n > 1 else "")
            # Shorten the base so the suffixed name is itself clean: a re-import keeps it as it is.
            room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
            candidate = base.encode("utf-8")[:room].decode("utf-8", errors="ignore") + suffix
            n += 1
        self.taken.add(candidate.casefold())
        return candidate



# Temporary files and folders are named ``.<target name>.<host>-<pid>.<random>.tmp`` beside the target:
# hidden, and telling which process made them, so the next export to the same target can remove
# what a killed one left (SIGKILL cannot be caught) without touching a live export's.
_TEMP_TAIL = re.compile(r"([0-9a-f]{6})-(\d+)\.[0-9a-f]{8}\.tmp")


@functools.cache
def _host() -> str:
    """Six hex digits naming this machine (a folder may be shared over the network)."""
    import hashlib
    import socket

    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def temp_name(path: Path) -> Path:
    """A fresh temporary name beside ``path`` (see :func:`remove_stale_temporaries`)."""
    return path.with_name(f".{path.name}.{_host()}-{os.getpid()}.{os.urandom(4).hex()}.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":  # os.kill would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale_temporaries(path: Path) -> int:
    """Remove the temporary files and folders a killed export to ``path`` left beside it; how many.

    Only names this module makes, made on this host by a process that no longer runs.
    """
    prefix = f".{path.name}."
    removed = 0
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return 0
    for entry in entries:
        match = _TEMP_TAIL.fullmatch(entry.name[len(prefix):]) if entry.name.startswith(prefix) else None
        if not match or match[1] != _host() or _alive(int(match[2])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
    return removed


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def file_target(path: Path) -> Path:
    """Where a single-file export to ``path`` goes: ``path``, or the file a symbolic link there names.

    Refused (one line) unless that is missing or a regular file: an export never replaces a
    device (as root, ``--out /dev/null`` replaced the node with a file), a FIFO, a socket or a folder.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise AnnotatorError(f"cannot write {path}: {exc.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise AnnotatorError(f"--out {path} is a folder: this format writes one file, pass a file name")
    if mode is not None and not stat.S_ISREG(mode):
        raise AnnotatorError(f"--out {path} is {_kind(mode)}, not a regular file: an export only replaces regular "
                             "files; pass a file name (or - for standard output)")
    if not target.parent.is_dir():
        raise AnnotatorError(f"cannot write {path}: folder {target.parent} does not exist")
    return target


@contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO]:
    """A file written beside ``path`` and moved over it only when the block succeeds.

    The file gets the mode the umask gives (as any new file: it was always 0600); nothing but a
    regular file is ever replaced (:func:`file_target`), checked again just before the move;
    a temporary file a killed export left beside ``path`` is removed first.
    """
    path = file_target(path)
    remove_stale_temporaries(path)
    tmp = temp_name(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:  # made inside the try: a signal right after it still removes it
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any file a program creates
        except OSError as exc:
            raise AnnotatorError(f"cannot write {path}: {exc.strerror} (in {path.parent})") from None
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else "") as fh:
            yield fh
        file_target(path)  # still nothing but a regular file there
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A fresh folder whose files are moved into ``path`` only when the block succeeds.

    Files already in ``path`` and not written again are left alone.
    """
    if path.exists() and not path.is_dir():
        raise AnnotatorError(f"cannot write into {path}: it is a file, not a folder")
    parent = path.parent
    if not parent.exists():
        raise AnnotatorError(f"cannot write {path}: folder {parent} does not exist")
    remove_stale_temporaries(path)
    tmp = temp_name(path)
    try:  # made inside the try: a signal right after it still removes it
        try:
            tmp.mkdir(mode=0o700)
        except OSError as exc:
            raise AnnotatorError(f"cannot write {path}: {exc.strerror} (in {parent})") from None
        yield tmp
        if not os.path.lexists(path) and _rename_new(tmp, path):
            return
        path.mkdir(exist_ok=True)
        _check_targets(tmp, path)
        _move_into(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rename_new(tmp: Path, path: Path) -> bool:
    """Put the finished temporary folder where nothing is yet, with one rename instead of one a
    file (a brat export is two files a document), giving it the mode ``mkdir`` gives (the umask's).
    False when that cannot be done (``path`` appeared meanwhile...): then the files are moved one by one.
    """
    probe = tmp / f".mode-{os.urandom(4).hex()}"
    try:
        probe.mkdir()
        mode = stat.S_IMODE(os.stat(probe).st_mode)
        probe.rmdir()
        os.chmod(tmp, mode)
        os.rename(tmp, path)  # never follows a link; fails on a folder that is not empty
    except OSError:
        return False
    return True


def _check_targets(tmp: Path, path: Path) -> None:
    """Refuse, before anything moves, when what is in ``path`` would send a file elsewhere.

    A symbolic link inside ``--out`` (``OUT/alice -> /elsewhere``) would make the
    export write outside ``--out``; a link, a device or a FIFO where a file goes
    would be replaced. ``path`` itself may be a link: the user named it.
    """
    for source in sorted(tmp.rglob("*")):
        target = path / source.relative_to(tmp)
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise AnnotatorError(
                f"cannot write {target}: it is a symbolic link, and an export never writes through one "
                "(it could lead outside --out): remove it or choose another --out"
            )
        wanted = stat.S_ISDIR if source.is_dir() else stat.S_ISREG
        if not wanted(mode):
            what = "a folder" if source.is_dir() else "a regular file"
            raise AnnotatorError(f"cannot write {target}: it is not {what}: remove it or choose another --out")


def _move_into(tmp: Path, path: Path) -> None:
    """Move the files of ``tmp`` into ``path``, never following a symbolic link below ``path``.

    Folders are opened relative to their parent's descriptor with O_NOFOLLOW, so a
    link made after the check is refused too (where the system has these calls).
    """
    if not (os.rename in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")):
        for source in sorted(tmp.rglob("*")):
            target = path / source.relative_to(tmp)
            if source.is_dir():
                target.mkdir(exist_ok=True)
            else:
                os.replace(source, target)
        return

    def move(source_dir: Path, dir_fd: int, shown: Path) -> None:
        for entry in sorted(os.scandir(source_dir), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                try:
                    os.mkdir(entry.name, dir_fd=dir_fd)
                except FileExistsError:
                    pass
                try:
                    sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
                except OSError:
                    raise AnnotatorError(
                        f"cannot write into {shown / entry.name}: it is not a folder (a symbolic link?): remove it "
                        "or choose another --out"
                    ) from None
                try:
                    move(Path(entry.path), sub, shown / entry.name)
                finally:
                    os.close(sub)
            else:
                os.replace(entry.path, entry.name, dst_dir_fd=dir_fd)

    root = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        move(tmp, root, path)
    finally:
        os.close(root)


class TerminalSafe(io.TextIOBase):
    """A text stream for a terminal: everything written goes through :func:`annotator.text.display_text`.

    An export to standard output is data for a pipe or a file, written exactly; when standard
    output is a terminal, it is for a person to look at, and an escape sequence in a document
    must not retitle, clear or write the clipboard of that terminal: it is shown as a placeholder.
    """

    def __init__(self, stream: IO[str]) -> None:
        from ..text import display_text

        self._stream = stream
        self._safe = display_text

    def write(self, text: str) -> int:
        self._stream.write(self._safe(text.replace("\r\n", "\n")))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True


@contextmanager
def stdout_text() -> Iterator[IO[str]]:
    """Standard output as UTF-8 text whatever the locale (exports are always UTF-8); made display-safe
    (:class:`TerminalSafe`) when it is a terminal."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield TerminalSafe(stream) if sys.stdout.isatty() else stream  # type: ignore[misc]
        stream.flush()
    except OSError as exc:
        _discard_stdout()
        raise AnnotatorError(f"cannot write to standard output: {exc.strerror or exc}") from None
    finally:
        stream.detach()


def _discard_stdout() -> None:
    """After a failed write to standard output (/dev/full, a closed pipe): drop what is buffered, so
    the interpreter's flush at exit adds no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def write_export(module: ModuleType, records: Iterable[ExportRecord], out: str, options: ExportOptions) -> ExportSummary:
    """Open the format's target (a text stream, a binary file, a folder) and write the records to it.

    ``out`` is a path, or ``-`` for standard output (text formats only).
    """
    if out == "-":
        if module.TARGET != "text":
            raise AnnotatorError(f"{module.FORMAT} cannot be written to standard output: pass --out PATH")
        with stdout_text() as stream:
            return module.write(records, stream, options)
    path = Path(out)
    try:
        if module.TARGET == "folder" or (getattr(module, "write_folder", None) and _names_folder(out)):
            with atomic_folder(path) as folder:
                writer = module.write if module.TARGET == "folder" else module.write_folder
                return writer(records, folder, options)
        if path.is_dir():
            raise AnnotatorError(f"--out {out} is a folder: {module.FORMAT} writes one file, pass a file name")
        with atomic_file(path, "wb" if module.TARGET == "binary" else "w") as stream:
            return module.write(records, stream, options)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile...
        where = f" ({exc.filename})" if exc.filename else ""
        raise AnnotatorError(f"cannot write {out}: {exc.strerror or exc}{where}") from None


def _names_folder(out: str) -> bool:
    return out.endswith(("/", "\\")) or Path(out).is_dir()


__all__ = [
    "CODEPOINTS", "UTF16", "DocumentCache", "ExportOptions", "ExportRecord", "ExportSummary", "FORMAT_MODULES", "Problems",
    "SafeNames", "Selection", "SpanOffsets", "clean_name", "atomic_file", "atomic_folder", "check_text", "describe", "export_records",
    "exporter", "sorted_relations", "stdout_text", "write_export",
]
