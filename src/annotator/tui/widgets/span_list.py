"""The panel's list of spans in reading order, virtualised: only visible rows are rendered.

Inserting or removing one span costs a bisect and a list insert, never a rebuild, so tagging
stays fast with thousands of spans (an OptionList would re-measure every option).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .document_view import styled_segments


@dataclass(frozen=True)
class SpanRow:
    """One line of the list: ``C  excerpt ... annotator``."""

    id: str
    start: int
    end: int
    initial: str
    initial_style: Style
    excerpt: str
    annotator: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, -self.end, self.id)


class SpanList(ScrollView, can_focus=False, inherit_bindings=False):
    """Spans sorted by (start, longest first); click one to go to it."""

    DEFAULT_CSS = """
    SpanList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    SpanList > .span-list--selected {
        background: $accent 40%;
        text-style: bold;
    }
    SpanList > .span-list--annotator {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {"span-list--selected", "span-list--annotator"}

    class Picked(Message):
        """A span was clicked."""

        def __init__(self, span_id: str) -> None:
            super().__init__()
            self.span_id = span_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[SpanRow] = []
        self._keys: list[tuple[int, int, str]] = []
        self._selected: str | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(256)
        self._version = 0
        self._styles: tuple[Style, Style, Style] | None = None

    @property
    def rows(self) -> list[SpanRow]:
        return self._rows

    @property
    def keys(self) -> list[tuple[int, int, str]]:
        """The sort keys of the rows, ``(start, -end, id)``, for bisecting."""
        return self._keys

    @property
    def selected(self) -> str | None:
        return self._selected

    def set_rows(self, rows: list[SpanRow]) -> None:
        self._rows = sorted(rows, key=lambda r: r.key)
        self._keys = [r.key for r in self._rows]
        self._changed()

    def add(self, row: SpanRow) -> None:
        index = bisect_left(self._keys, row.key)
        self._rows.insert(index, row)
        self._keys.insert(index, row.key)
        self._changed()

    def remove(self, span_id: str, start: int, end: int) -> None:
        index = self.index_of(span_id, start, end)
        if index is not None:
            del self._rows[index]
            del self._keys[index]
            self._changed()

    def index_of(self, span_id: str, start: int, end: int) -> int | None:
        index = bisect_left(self._keys, (start, -end, span_id))
        if index < len(self._rows) and self._rows[index].id == span_id:
            return index
        return None

    def select(self, span_id: str | None, start: int = 0, end: int = 0) -> None:
        """Mark a span as the selected one and scroll it into view."""
        self._selected = span_id
        self._version += 1
        self.refresh()
        if span_id is not None:
            index = self.index_of(span_id, start, end)
            if index is not None:
                height = self.scrollable_content_region.height
                top = int(self.scroll_offset.y)
                if index < top:
                    self.scroll_to(y=index, animate=False, immediate=True)
                elif height > 0 and index >= top + height:
                    self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def _changed(self) -> None:
        self._version += 1
        size = Size(self.scrollable_content_region.width, len(self._rows))
        if size != self.virtual_size:
            # Setting ``virtual_size`` normally re-lays out the whole screen (tens of ms). The scrollbar is
            # always shown (overflow-y: scroll), so only its extent changes: update it in place.
            self.set_reactive(SpanList.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if self._styles is None:  # rich_style walks the DOM on every call: keep the styles until CSS changes
            self._styles = (
                self.rich_style,
                self.get_component_rich_style("span-list--annotator"),
                self.get_component_rich_style("span-list--selected"),
            )
        base = self._styles[0]
        if index >= len(self._rows) or width <= 0:
            return Strip.blank(width, base)
        row = self._rows[index]
        selected = row.id == self._selected
        key = (row, width, selected)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, selected, base)
            self._cache[key] = strip
        return strip

    def _render_row(self, row: SpanRow, width: int, selected: bool, base: Style) -> Strip:
        annotator = row.annotator[:12]
        room = max(1, width - 3 - cell_len(annotator) - 1)
        text = Text(end="", no_wrap=True, style=base)
        text.append(f"{row.initial} ", row.initial_style)
        excerpt = row.excerpt
        if cell_len(excerpt) > room:
            clipped = Text(excerpt)
            clipped.truncate(room, overflow="ellipsis")
            excerpt = clipped.plain
        text.append(" " + excerpt)
        gap = width - cell_len(text.plain) - cell_len(annotator)
        text.append(" " * max(1, gap))
        assert self._styles is not None
        text.append(annotator, self._styles[1])
        text.stylize_before(base)  # Text.render ignores Text.style: the base colours must be a span
        if selected:
            text.stylize(self._styles[2])
        return Strip(styled_segments(text, self.app.console, base)).crop_extend(0, width, base)

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self._rows):
            self.post_message(self.Picked(self._rows[index].id))
