"""Widgets that repaint only the cells that changed: what keeps a key press cheap over SSH.

Textual repaints a widget whole when it is refreshed, and every cell it repaints is bytes on the
wire (a line of the panel is about 200 bytes in true colour). :class:`LineBlock` keeps the strips
it showed last; :meth:`LineBlock.update` renders the new content at the same width, compares the
two line by line and cell by cell, and refreshes only the span of cells that differ on each line
(``Widget.refresh(region)``: the compositor then writes only those cells). A label count going
from 2 to 3 repaints one cell, not the block.

Nothing here changes the layout: the block's size comes from CSS, so an update never lays out the
screen again (a layout pass repaints every scrollbar on the screen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

Cell = tuple[str, "Style | None"]


def cells_of(strip: Strip | Iterable[Segment]) -> list[Cell]:
    """A strip as one (text, style) per cell; a wide character's second cell is ``("", style)``,
    a zero-width character joins the cell before it."""
    cells: list[Cell] = []
    for text, style, control in strip:
        if control:
            continue
        if text.isascii():
            cells.extend((character, style) for character in text)
            continue
        for character in text:
            width = cell_len(character)
            if width == 1:
                cells.append((character, style))
            elif width == 2:
                cells.append((character, style))
                cells.append(("", style))
            elif cells:
                cells[-1] = (cells[-1][0] + character, cells[-1][1])
    return cells


def changed_span(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The cells ``[start, end)`` of one line that differ between two renders, or None."""
    if old == new:
        return None
    a, b = cells_of(old), cells_of(new)
    length = max(len(a), len(b))
    start = 0
    shortest = min(len(a), len(b))
    while start < shortest and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    end = max(end_a, end_b)
    if start >= end:
        return None if len(a) == len(b) else (shortest, length)
    # Never split a wide character: widen to whole cells on both sides.
    while start > 0 and ((start < len(a) and a[start][0] == "") or (start < len(b) and b[start][0] == "")):
        start -= 1
    while (end < len(a) and a[end][0] == "") or (end < len(b) and b[end][0] == ""):
        end += 1
    return start, end


def changed_regions(old: Sequence[Strip], new: Sequence[Strip]) -> list[Region]:
    """Regions (one a line, content coordinates) covering every cell that differs."""
    regions = []
    blank = Strip([])
    for y in range(max(len(old), len(new))):
        span = changed_span(old[y] if y < len(old) else blank, new[y] if y < len(new) else blank)
        if span is not None:
            regions.append(Region(span[0], y, span[1] - span[0], 1))
    return regions


class LineBlock(Widget):
    """A block of literal Content (wrapped to its width) that repaints only the cells that change.

    Updating it never lays out the screen (``Static.update`` does, tens of milliseconds and a
    repaint of every scrollbar); its height comes from CSS.
    """

    DEFAULT_CSS = """
    LineBlock {
        height: 1;
    }
    """

    def __init__(self, content: Content | None = None, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._content = content or Content("")
        #: The lines last handed to Textual, and the size they were rendered for.
        self._strips: list[Strip] | None = None
        self._strips_size = (-1, -1)
        #: The styles changed since the strips were rendered (they are still what the screen shows).
        self._stale = False

    @property
    def content(self) -> Content:
        return self._content

    @property
    def plain(self) -> str:
        return self._content.plain

    def update(self, content: Content) -> None:
        """Show ``content``, repainting only the cells whose text or style changed."""
        if content is self._content:
            return
        self._content = content
        self.repaint_changes()

    def repaint_changes(self) -> None:
        """Render again at the current width and refresh only what differs from what is shown."""
        if self._strips is None or self._strips_size != tuple(self.size) or not self.is_mounted:
            self._strips = None
            self.refresh()
            return
        new = self._render_strips(self._strips_size[0])
        regions = changed_regions(self._strips, new)
        self._strips = new
        self._stale = False
        if regions:
            self.refresh(*regions)

    def content_for_width(self, width: int) -> Content:
        """What to show at ``width`` (a subclass may shorten it to fit)."""
        return self._content

    def render(self) -> Content:
        """What the block shows at its width now (Textual draws it through ``render_line``)."""
        return self.content_for_width(self.size.width)

    def _render_strips(self, width: int) -> list[Strip]:
        if width <= 0:
            return []
        content = self.content_for_width(width)
        height = self.size.height or None
        return Visual.to_strips(self, content, width, height, self.visual_style, pad=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._strips is None or self._stale or self._strips_size != tuple(self.size):
            self._stale = False
            self._strips_size = tuple(self.size)
            self._strips = self._render_strips(width)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.visual_style.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Render again with the new styles, but keep what the screen shows to compare with: Textual
        # repaints the block if the change shows (and render_line renders it), and if it does not, an
        # update still repaints only the cells that differ from the screen.
        self._stale = True
