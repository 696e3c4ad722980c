"""A plain-text table for the listing commands (``docs``, ``stats``), without Rich.

Importing Rich's console and table costs about 45 ms, as much as Python and
click together; ``annotator docs`` must start within twice a bare
``import sqlite3, click``. This prints the same kind of table: a bold header
and a rule, right-aligned figures, and on a terminal the wide text columns
wrapped to fit its width (piped output is never wrapped, so it greps whole).
Cells must already be display-safe (``visible`` from :mod:`annotator.text`).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence

import click

GAP = "  "
MIN_WRAPPED = 10


def cell_width(text: str) -> int:
    """Terminal cells of ``text``: wide (CJK, most emoji) count two, combining and format characters none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces where it can be."""
    lines: list[str] = []
    line, used = "", 0
    for word in text.split(" "):
        size = cell_width(word)
        if line and used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            lines.append(line)
        line, used = "", 0
        for ch in word:  # a word longer than the column is cut by cells
            w = cell_width(ch)
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0
            line, used = line + ch, used + w
    lines.append(line)
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    room = " " * max(0, width - cell_width(text))
    return room + text if right else text + room


def render(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = (),
    wrap: Sequence[int] = (), width: int | None = None, total_row: bool = False,
) -> list[str]:
    """The table's lines. ``right``: columns aligned right; ``wrap``: columns that may wrap to fit ``width``.

    With ``total_row`` the last row is set apart by a rule and printed bold.
    """
    widths = [max([cell_width(h), *(cell_width(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    if width is not None:
        over = sum(widths) + len(GAP) * (len(widths) - 1) - width
        while over > 0:
            shrinkable = [i for i in wrap if widths[i] > MIN_WRAPPED]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
            over -= 1
    rule = "─" if _can_print("─") else "-"

    def line(cells: Sequence[str], bold: bool = False) -> list[str]:
        parts = [_wrap(c, widths[i]) if i in wrap else [c] for i, c in enumerate(cells)]
        out = []
        for n in range(max(len(p) for p in parts)):
            text = GAP.join(
                _pad(p[n] if n < len(p) else "", widths[i], i in right) for i, p in enumerate(parts)
            ).rstrip()
            out.append(click.style(text, bold=True) if bold else text)
        return out

    lines = line(headers, bold=True)
    lines.append(GAP.join(rule * w for w in widths))
    for index, row in enumerate(rows):
        last = total_row and index == len(rows) - 1
        if last and index:
            lines.append(GAP.join(rule * w for w in widths))
        lines += line(row, bold=last)
    return lines


def _can_print(text: str) -> bool:
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def echo_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = (),
    wrap: Sequence[int] = (), total_row: bool = False,
) -> None:
    """Print a title line and the table; on a terminal, fitted to its width (bold is dropped when piped)."""
    width = None
    if sys.stdout.isatty():  # (not shutil.get_terminal_size: importing shutil costs 2 ms of start)
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns or 80  # 0: a terminal that does not say
        except OSError:
            width = 80
    click.echo(title)
    click.echo()
    for text in render(headers, rows, right=right, wrap=wrap, width=width, total_row=total_row):
        click.echo(text)
