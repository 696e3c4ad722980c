"""Reading untrusted files for the importers: regular files only, JSON with limits.

**Every importer reads its files through here** (format owners: use these, not
``open``/``Path.read_bytes``/``json.loads``), so the same hostile input gets the
same one-line refusal in every format:

* :func:`open_regular` / :func:`read_bytes`: a FIFO, a socket or a device
  (``/dev/zero``, ``/dev/stdin``, a terminal) is refused *before* anything is
  read, so an import never hangs or reads without bound; a file larger than
  :data:`MAX_FILE_BYTES` is refused.
* :func:`loads`: strict JSON. Refused, each with the file and line: nesting
  deeper than :data:`MAX_DEPTH` (Python's parser would raise RecursionError), a
  number literal longer than :data:`MAX_NUMBER_DIGITS` digits (Python refuses
  integers over 4,300 digits with a ValueError) or too large for a double
  (``1e999``), ``NaN``/``Infinity``/``-Infinity`` (not JSON: they were kept and
  exported as invalid JSON), duplicate keys in an object (the last silently
  won), strings holding lone surrogates (``"\\ud800"``: UTF-8 cannot hold them).
* :func:`json_lines`: a JSONL file streamed line by line (memory bounded by the
  longest line, at most :data:`MAX_LINE_BYTES`), each line through :func:`loads`.
* :func:`load_file`: a whole-file JSON document (a JSON array export), through :func:`loads`.
* :func:`sniff_json`: for ``sniff()``: the parsed first line, or :data:`NOT_JSON`, never an exception.

The limits are documented in the README (Import).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

from ..errors import AnnotatorError

#: Longest line of a JSONL file (one document with its annotations).
MAX_LINE_BYTES = 64 * 1024 * 1024
#: Largest file read whole (a text document, a JSON array export, a brat .ann).
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: Deepest nesting of arrays and objects in one JSON value (real formats need fewer than 10).
MAX_DEPTH = 100
#: Most digits in one JSON number literal (offsets and ids need fewer than 20).
MAX_NUMBER_DIGITS = 100
#: Most arrays and objects in one JSONL line: memory stays bounded (a 64 MiB line of ``[],[],...``
#: became 21 million lists, 2 GB); a Prodigy record of a book (a token object per word) needs far fewer.
MAX_CONTAINERS_PER_LINE = 1_000_000

#: Returned by :func:`sniff_json` for anything that is not one parseable JSON value.
NOT_JSON = object()

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Path, folders: bool = True) -> None:
    """Refuse ``path`` unless it is a regular file (or, with ``folders``, a folder), without opening it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise AnnotatorError(f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISREG(mode) or (folders and stat.S_ISDIR(mode)):
        return
    raise AnnotatorError(f"{path} is {_kind(mode)}, not a regular file: import regular files or folders")


def open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for reading in binary, refused (one line) unless it is a regular file.

    Opened non-blocking first, so a FIFO with no writer cannot hang the import,
    then checked on the open descriptor (no window between the check and the read).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise AnnotatorError(f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise AnnotatorError(f"{path} is {_kind(mode)}, not a regular file: import regular files or folders")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; one-line refusals otherwise."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise AnnotatorError(f"{path} is {_size(size)}, over the limit of {_size(limit)} for one file: split it")
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limit:  # grew while being read
        raise AnnotatorError(f"{path} is over the limit of {_size(limit)} for one file: split it")
    return data


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


# -- strict JSON ---------------------------------------------------------------------------------


class _Refused(ValueError):
    """A JSON value this module refuses (raised from the parser's hooks)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {_quote(key)} in one JSON object (which one counts is ambiguous): "
                               "keep one")
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number (JSON has no NaN or Infinity): write null or a string")


def _parse_int(literal: str) -> int:
    if len(literal) - literal.startswith("-") > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of {len(literal)} digits, over the limit of {MAX_NUMBER_DIGITS}: write it as a string")
    return int(literal)


def _parse_float(literal: str) -> float:
    if sum(ch.isdigit() for ch in literal) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of {len(literal)} characters, over the limit of {MAX_NUMBER_DIGITS} digits: "
                       "write it as a string")
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"the number {literal[:20]} is too large for a double (other tools read it as Infinity): "
                       "write it as a string")
    return value


# Floats are rare in annotation files: each goes through _parse_float (finite, not too long). Integers
# are common (offsets, ids): a Python hook on each would cost more than the parse, so _parse_int is
# used only on a text holding a run of more than MAX_NUMBER_DIGITS digits (found by _has_long_digits).
_STRICT = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_parse_float)
_STRICTEST = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_parse_int,
                              parse_float=_parse_float)
_DIGITS_TO_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * (MAX_NUMBER_DIGITS + 1)


def _has_long_digits(text: str) -> bool:
    """Whether ``text`` holds a run of more than MAX_NUMBER_DIGITS ASCII digits (in C: translate, then find)."""
    return _LONG_DIGITS in text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO)
#: A JSON string (its escapes included), and anything that is not a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)
#: Lines up to this long are scanned with two regex substitutions (fast, memory a few times the line).
_FAST_SCAN_CHARS = 4 * 1024 * 1024
#: A \u escape of a UTF-16 surrogate: the only way JSON text can hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _shape(text: str, max_containers: int | None) -> tuple[int, int]:
    """(nesting depth, number of arrays and objects) of ``text``, brackets inside strings not counted;
    (0, 0) when the brackets alone show both are within the limits (no scan needed)."""
    opening = text.count("[") + text.count("{")
    if opening <= MAX_DEPTH and (max_containers is None or opening <= max_containers):
        return 0, 0
    if len(text) <= _FAST_SCAN_CHARS:  # two passes in C; their pieces stay few at this size
        brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
        return max(accumulate(map(_STEP.__getitem__, brackets)), default=0), brackets.count("[") + brackets.count("{")
    depth = deepest = containers = 0  # a long line: one token at a time, in constant memory
    for match in _STRING_OR_BRACKET.finditer(text):
        step = _STEP.get(match[0], 0)
        depth += step
        if step > 0:
            containers += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH or (max_containers is not None and containers > max_containers):
                break  # refused either way: how far over does not matter
    return deepest, containers


def _depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value (a scalar: 0), level by level; stops past MAX_DEPTH.

    Checked after parsing (cheaper than scanning the text: a Prodigy line holds an object a token);
    the parser itself stops at Python's recursion limit, and the line's size is limited before.
    """
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level and depth <= MAX_DEPTH:
        depth += 1
        inner = []
        for container in level:
            for item in container.values() if type(container) is dict else container:
                kind = type(item)
                if kind is dict or kind is list:
                    inner.append(item)
        level = inner
    return depth


def _quote(value: str, limit: int = 40) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return json.dumps(shown)


def loads(text: str | bytes, where: str, max_containers: int | None = None) -> Any:
    """One JSON value, strictly (see the module's docstring); an AnnotatorError ``where: what`` otherwise.

    ``where`` names the file and line, e.g. ``"data.jsonl line 3"``; ``max_containers``: most
    arrays and objects (:data:`MAX_CONTAINERS_PER_LINE` for a JSONL line).
    """
    if isinstance(text, bytes):
        from .text import decode

        text = decode(text, where)
    deep = f"{where}: JSON nested deeper than {MAX_DEPTH} levels (the limit): flatten the record"
    opening = text.count("[") + text.count("{")  # at least the arrays and objects (brackets in strings count too)
    if max_containers is not None and opening > max_containers:  # scanned before parsing: memory stays bounded
        depth, containers = _shape(text, max_containers)
        if depth > MAX_DEPTH:
            raise AnnotatorError(deep)
        if containers > max_containers:
            raise AnnotatorError(f"{where}: more than {max_containers:,} JSON arrays and objects in one line (the "
                                 "limit): split the record")
    decoder = _STRICTEST if _has_long_digits(text) else _STRICT
    try:
        value, end = decoder.raw_decode(text, len(text) - len(text.lstrip(" \t\n\r")))
        if text[end:].strip(" \t\n\r"):
            raise json.JSONDecodeError("Extra data", text, end)
    except json.JSONDecodeError as exc:
        raise AnnotatorError(f"{where}: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
                             if exc.lineno > 1 else f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except _Refused as exc:
        raise AnnotatorError(f"{where}: {exc}") from None
    except RecursionError:  # the parser stops at Python's recursion limit, far deeper than MAX_DEPTH
        raise AnnotatorError(deep) from None
    except ValueError as exc:  # Python's own limits (integer digits)
        raise AnnotatorError(f"{where}: {exc}") from None
    if opening > MAX_DEPTH and _depth(value) > MAX_DEPTH:  # fewer brackets than that: no deeper
        raise AnnotatorError(deep)
    if _SURROGATE_ESCAPE.search(text):
        _check_unicode(value, where)
    return value


def _check_unicode(value: Any, where: str) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise AnnotatorError(f"{where}: a string holds a lone surrogate (invalid Unicode): fix the \\u escapes") from None


def sniff_json(head: bytes) -> Any:
    """The first line of ``head`` parsed, or :data:`NOT_JSON` (never raises: for format guessing)."""
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        return loads(line.decode("utf-8"), "")
    except (AnnotatorError, UnicodeDecodeError, ValueError, RecursionError):
        return NOT_JSON


def json_lines(
    path: Path, max_line: int = MAX_LINE_BYTES, on_error: Callable[[AnnotatorError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line of a JSONL file, streamed, one-line errors.

    A regular file only (:func:`open_regular`); UTF-8 (a leading BOM is dropped);
    no line longer than ``max_line`` bytes; each line through :func:`loads`.
    """
    from .text import decode

    with open_regular(path) as fh:
        head = fh.read(8192)
        if b"\x00" in head:  # the whole-file check: binary, or UTF-16
            decode(head, str(path))
        fh.seek(0)
        number = 0
        any_line = False
        while True:
            try:
                raw = fh.readline(max_line + 1)
            except OSError as exc:
                raise AnnotatorError(f"cannot read {path}: {exc.strerror}") from None
            if not raw:
                break
            number += 1
            if len(raw) > max_line:
                raise AnnotatorError(f"{path} line {number}: longer than {_size(max_line)}, the limit for one line: "
                                     "split the document")
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            any_line = True
            where = f"{path} line {number}"
            try:
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise AnnotatorError(
                        f"{where}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}): "
                        "convert the file to UTF-8 (e.g. iconv -t UTF-8)"
                    ) from None
                value = loads(line, where, MAX_CONTAINERS_PER_LINE)
            except AnnotatorError as error:
                if on_error is None:
                    raise
                on_error(error)  # --skip-invalid: the line is one invalid record
                continue
            yield number, value
    if not any_line:
        raise AnnotatorError(f"{path} is empty: there is nothing to import")


def load_file(path: Path, limit: int = MAX_FILE_BYTES) -> Any:
    """A whole-file JSON document (e.g. a JSON array export): regular file, UTF-8, strict JSON."""
    from .text import decode

    data = read_bytes(path, limit)
    text = decode(data, str(path)).removeprefix("\ufeff")
    if not text.strip():
        raise AnnotatorError(f"{path} is empty: there is nothing to import")
    return loads(text, str(path))
