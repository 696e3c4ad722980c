"""The one module allowed to use private Textual and Rich internals.

The document view measures cells exactly as Rich does, and a few things it needs
are not public API. Every use of such an internal lives here, behind a small
public name, so an upgrade of Rich or Textual breaks (and is fixed) in one
place. ``rich`` is pinned to a tested range in ``pyproject.toml`` for this
reason; Textual is pinned exactly. Private Textual internals (bindings, scroll
updates) belong here too.

Rich internals used:

* ``rich._unicode_data.load(...).narrow_to_wide``: the characters a VS16
  (U+FE0F) widens from one cell to two;
* ``rich.cells._is_single_cell_widths``: Rich's fast test that every character
  of a string takes one cell.
"""

from __future__ import annotations

from rich._unicode_data import load as _load_cell_table
from rich.cells import _is_single_cell_widths

#: Characters that a following VS16 (U+FE0F) widens from one cell to two, as Rich measures them.
NARROW_TO_WIDE = _load_cell_table("auto").narrow_to_wide


#: ``is_single_cell_widths(text)``: every character of ``text`` takes exactly one cell (Rich's fast check).
#: Bound directly, not wrapped: the view calls it for every line it wraps.
is_single_cell_widths = _is_single_cell_widths


# -- Textual internals ---------------------------------------------------------------------------
#
# * ``DOMNode._bindings``: a node's BindingsMap. Textual builds it from the class's BINDINGS; keys
#   that depend on the instance (a schema's label keys) can only be added to it directly.
# * ``ScrollView._scroll_update``: updates the scrollbars for a new virtual size without laying
#   the screen out again (setting ``virtual_size`` re-lays out the whole screen, tens of ms).
# * ``Screen._binding_chain``: the bindings a key press is matched against, keymap applied.

from collections.abc import Iterable  # noqa: E402  (the Textual part of this module)

from textual.binding import Binding, BindingsMap  # noqa: E402
from textual.dom import DOMNode  # noqa: E402
from textual.geometry import Size  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.scroll_view import ScrollView  # noqa: E402


def add_bindings(node: DOMNode, bindings: Iterable[Binding], *, first: bool = False) -> None:
    """Bind more keys on one node after it was created; ``first`` puts them before the class's
    own (the footer lists bindings in this order)."""
    added = BindingsMap(bindings)
    merged = BindingsMap.merge([added, node._bindings] if first else [node._bindings, added])
    node._bindings = merged


def set_virtual_size_in_place(view: ScrollView, size: Size) -> None:
    """Give a scroll view a new virtual size, updating only its scrollbars (no re-layout): right
    for a view whose vertical scrollbar is always shown, so only the scrollbar's extent changes."""
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)


def binding_chain(screen: Screen) -> list[tuple[DOMNode, Binding]]:
    """Every binding a key press on ``screen`` is matched against, in Textual's order (the focused
    widget, its ancestors, the app), the app's keymap applied, enabled or not (``active_bindings``
    leaves out the disabled ones). What the test that a key means the same on both screens reads."""
    return [(node, binding) for node, bindings in screen._binding_chain for _key, binding in bindings]


# -- partial line updates --------------------------------------------------------------------------
#
# * ``textual._compositor.ChopsUpdate.render_segments`` and ``LayoutUpdate.render_segments``: what
#   Textual writes to the terminal for a partial and for a full update. A partial update writes, for
#   each dirty span of a line, every widget's part from the widget's FIRST cell to the end of the span
#   (the code says "TODO: crop to x extents"; Textualize/textual issue 5625), and it writes cells that
#   are already on the terminal: a cursor move rewrote the cursor's row, a selection rewrote every
#   row of the document, a label count rewrote the panel's line. Over SSH every cell is bytes.
#
#   The replacements keep, per console (one a running app), the cells the terminal shows as written
#   by the last updates: a full update records all of them; a partial update compares each dirty span
#   with them and writes only the runs of cells that differ (runs a few cells apart are written as one
#   run, a cursor move costs more than a few cells), never through a wide character and never between
#   a character and its combining marks (the start backs up, the end goes on). Nothing else writes
#   cells to the terminal while an app runs (both kinds of update go through here), so the record is
#   what the terminal shows; a resize (which may move or clear what a terminal shows) forgets it all,
#   and a cell not written since is written whatever it holds. Installed by
#   :func:`install_partial_line_updates`; ``install_partial_line_updates(False)`` restores Textual's.

from itertools import chain  # noqa: E402
from weakref import WeakKeyDictionary  # noqa: E402

from rich.cells import cell_len as _cell_len  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.control import Control  # noqa: E402
from textual._compositor import ChopsUpdate, LayoutUpdate  # noqa: E402
from textual.strip import Strip  # noqa: E402

from .widgets.lines import Cell, cells_of  # noqa: E402

_TEXTUAL_CHOPS_RENDER = ChopsUpdate.render_segments
_TEXTUAL_LAYOUT_RENDER = LayoutUpdate.render_segments

class _Terminal:
    """The cells a terminal of ``width`` x ``height`` shows, by line, as the updates since the last
    full update (or resize) wrote them; a cell never written since is ``UNKNOWN`` (always written)."""

    def __init__(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.lines: dict[int, list[object]] = {}

    def line(self, y: int) -> list[object]:
        line = self.lines.get(y)
        if line is None:
            line = self.lines[y] = [UNKNOWN] * self.size[0]
        return line


#: A cell not known: equal to no cell.
UNKNOWN = object()

#: What each console's terminal shows (one console a running app).
_TERMINALS: WeakKeyDictionary[Console, _Terminal] = WeakKeyDictionary()

#: Two runs of changed cells at most this many cells apart are written as one (a cursor move and its
#: style cost about as much as a few cells).
JOIN_GAP = 6


def crop_start(strip: Strip, left: int) -> int:
    """Where to start writing a strip cropped at cell ``left``: ``left`` itself, or the first cell of
    the character covering it (a wide character, or a base character followed by combining marks)."""
    position = last_start = 0
    for text, _style, control in strip:
        if control:
            continue
        if text.isascii() and text.isprintable():  # one cell a character
            if position + len(text) <= left:
                if text:
                    last_start = position + len(text) - 1
                position += len(text)
                continue
            return left
        for character in text:
            width = _cell_len(character)
            if width == 0:
                if position == left:
                    return last_start  # a mark right at the cut belongs to the character before it
                continue
            if position >= left:
                return left if position == left else last_start
            last_start = position
            position += width
    return left


def crop_end(strip: Strip, right: int) -> int:
    """Where to stop writing a strip cropped at cell ``right``: ``right`` itself, or further when a
    cut there would split a wide character or leave combining marks out (``Strip.crop`` puts the
    marks right after a cut in the part after it): the cut moves past the next character and its
    own marks."""
    position = 0
    end = right
    pending = False  # marks at the cut: the next character is written too
    for text, _style, control in strip:
        if control:
            continue
        if not pending and text.isascii() and text.isprintable():  # one cell a character, no marks
            if position + len(text) <= end:
                position += len(text)
                continue
            return end
        for character in text:
            width = _cell_len(character)
            if width == 0:
                if position == end:
                    pending = True
                continue
            if position >= end:
                if not pending:
                    return end
                end = position + width
                pending = False
            position += width
            if position > end:
                end = position  # a wide character across the cut: write it whole
    return end


def changed_runs(shown: list[object], cells: list[Cell], x: int, start: int, end: int) -> list[tuple[int, int]]:
    """The runs ``[a, b)`` of columns in ``[start, end)`` where ``cells`` (a part starting at column
    ``x``) differ from the cells ``shown`` on the terminal."""
    runs: list[tuple[int, int]] = []
    run_start = -1
    last_changed = -1
    known = len(shown)
    for column in range(start, end):
        index = column - x
        new = cells[index] if index < len(cells) else None
        if new is not None and column < known and shown[column] == new:
            continue
        if run_start >= 0 and column - last_changed <= JOIN_GAP:
            last_changed = column
            continue
        if run_start >= 0:
            runs.append((run_start, last_changed + 1))
        run_start = last_changed = column
    if run_start >= 0:
        runs.append((run_start, last_changed + 1))
    return runs


def _render_segments(self: ChopsUpdate, console: Console) -> str:
    """Textual's ``ChopsUpdate.render_segments``, writing only the cells that differ from the terminal."""
    width = max((ends[-1] for ends in self.chop_ends if ends), default=0)
    terminal = _TERMINALS.get(console)
    if terminal is None or terminal.size != (width, len(self.chops)):
        # First update, or the terminal was resized (which may move or clear what it shows): nothing
        # is known until written again.
        terminal = _TERMINALS[console] = _Terminal(width, len(self.chops))
    sequences: list[str] = []
    append = sequences.append
    move_to = Control.move_to
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        shown = terminal.line(y)
        wrote = False
        for end, (x, strip) in zip(ends, line.items()):
            if strip is None:
                continue
            if x > x2 or end <= x1:
                continue
            start, stop = max(x1, x), min(x2, end)
            cells = cells_of(strip)
            for a, b in changed_runs(shown, cells, x, start, stop):
                left = crop_start(strip, a - x) if a > x else 0
                right = crop_end(strip, b - x)
                append(move_to(x + left, y).segment.text)
                append(strip.crop(left, right).render(console) if (left, right) != (0, end - x) else
                       strip.render(console))
                wrote = True
            if len(shown) < stop:
                shown.extend([UNKNOWN] * (stop - len(shown)))
            part: list[object] = list(cells[start - x : stop - x])
            part.extend([UNKNOWN] * (stop - start - len(part)))  # keep the columns in place
            shown[start:stop] = part
        if wrote and y != last_y:
            append("\n")
    return "".join(sequences)


def _render_layout(self: LayoutUpdate, console: Console) -> str:
    """Textual's ``LayoutUpdate.render_segments`` (a full update), recording the cells it writes."""
    self.strips = [list(line) for line in self.strips]  # iterated twice below
    text = _TEXTUAL_LAYOUT_RENDER(self, console)
    if self.region.x == 0 and self.region.y == 0:
        terminal = _TERMINALS[console] = _Terminal(self.region.width, len(self.strips))
        for y, line in enumerate(self.strips):
            cells: list[object] = list(cells_of(chain.from_iterable(line)))
            cells.extend([UNKNOWN] * (self.region.width - len(cells)))
            terminal.lines[y] = cells
    else:  # not the whole screen (never for a screen): forget what is known
        _TERMINALS.pop(console, None)
    return text


def install_partial_line_updates(enable: bool = True) -> None:
    """Write only the cells that change to the terminal (see above); ``False`` restores Textual's."""
    ChopsUpdate.render_segments = _render_segments if enable else _TEXTUAL_CHOPS_RENDER  # type: ignore[method-assign]
    LayoutUpdate.render_segments = _render_layout if enable else _TEXTUAL_LAYOUT_RENDER  # type: ignore[method-assign]
    _TERMINALS.clear()


# Every app of the project draws through this module's widgets, so installing it here covers both.
install_partial_line_updates()
