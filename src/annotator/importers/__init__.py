"""Importers: one module a format, each turning files into :class:`ImportRecord` s.

The common interface is small: a module-level ``FORMAT`` name, ``SUFFIXES``
(file endings it claims), ``sniff(path, head)`` (does this file look like mine?)
and ``read(path, context)`` yielding records. Errors are raised as
:class:`~annotator.errors.AnnotatorError` naming the file and line. The store
writes everything of one import in one transaction, so a bad file anywhere
leaves the database as it was.
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
    #: what was left out on purpose, by reason ("brat attribute (A)": 3)
    skipped: Counter[str] = field(default_factory=Counter)
    #: where each was (file:line: reason), for -v
    skipped_where: list[str] = field(default_factory=list)
    #: invalid records left out under --skip-invalid (file:line: what is wrong)
    invalid_records: list[str] = field(default_factory=list)

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

    def summary(self) -> str:
        """``; skipped: 3 brat attribute (A), 1 prediction`` (empty when nothing was left out)."""
        parts = [f"{n} {reason}" for reason, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))]
        if self.invalid_records:
            parts.append(f"{len(self.invalid_records)} invalid record{'s' if len(self.invalid_records) != 1 else ''}")
        return f"; skipped: {', '.join(parts)}" if parts else ""


#: Every importer, by format name. Other modules register here.
IMPORTERS: dict[str, ModuleType] = {"text": text, "jsonl": jsonl}


def register(module: ModuleType) -> None:
    IMPORTERS[module.FORMAT] = module


def _load_format_modules() -> None:
    """Import the optional format modules that exist (brat, doccano, label-studio...)."""
    import importlib

    for name in ("brat", "doccano", "label_studio"):
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
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    candidates = [m for m in IMPORTERS.values() if path.suffix.lower() in m.SUFFIXES]
    claimed = [m for m in candidates if m.sniff(path, head)]
    if len(claimed) >= 1:
        return claimed[0].FORMAT
    if len(candidates) == 1:
        return candidates[0].FORMAT
    raise AnnotatorError(
        f"cannot tell the format of {path}: pass --format ({', '.join(sorted(IMPORTERS))})"
    )


def read_path(path: Path, fmt: str | None, context: ImportContext) -> Iterator[ImportRecord]:
    """Records from a file or, recursively, a folder (files of known endings only)."""
    if not path.exists():
        raise AnnotatorError(f"{path} does not exist: check the path")
    if path.is_dir():
        folder_format = getattr(IMPORTERS.get(fmt or ""), "READS_FOLDERS", False)
        if folder_format:
            yield from IMPORTERS[fmt].read(path, context)  # type: ignore[index]
            return
        for child in files_in(path):
            yield from read_path(child, fmt, context)
        return
    fmt = fmt or guess_format(path)
    if fmt not in IMPORTERS:
        raise AnnotatorError(f"unknown format {fmt!r}: use one of {', '.join(sorted(IMPORTERS))}")
    yield from IMPORTERS[fmt].read(path, context)


def files_in(folder: Path) -> list[Path]:
    """Files under ``folder`` that some importer claims by their ending, sorted."""
    suffixes = {s for m in IMPORTERS.values() for s in m.SUFFIXES if not getattr(m, "READS_FOLDERS", False)}
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes and not any(part.startswith(".") for part in p.parts)
    )
