"""Plain text and Markdown: one file is one document, named after the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AnnotatorError
from ..models import Document
from ..store import ImportRecord

if TYPE_CHECKING:
    from . import ImportContext

FORMAT = "text"
SUFFIXES = (".txt", ".md", ".text", ".markdown")


def sniff(path: Path, head: bytes) -> bool:
    return b"\x00" not in head


def normalize(text: str) -> str:
    """The stored form of a text: no leading BOM, LF line ends. Nothing else changes."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def decode(data: bytes, where: str) -> str:
    """UTF-8 text from bytes, refusing binary files and other encodings with a clear line."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AnnotatorError(f"{where} looks binary (it contains NUL bytes): import UTF-8 text files only")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AnnotatorError(
            f"{where} line {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "convert the file to UTF-8 (e.g. iconv -t UTF-8)"
        ) from None


def read_file_text(path: Path) -> str:
    """A regular file's text (a FIFO or a device is refused before reading: see :mod:`.jsonio`)."""
    from .jsonio import read_bytes

    return normalize(decode(read_bytes(path), str(path)))


def read(path: Path, context: ImportContext) -> Iterator[ImportRecord]:
    text = read_file_text(path)
    if not text.strip():
        raise AnnotatorError(f"{path} is empty: there is nothing to annotate")
    yield ImportRecord(Document.from_text(path.name, text, {"path": str(path)}))
