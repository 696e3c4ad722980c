"""The panel's list of spans in reading order, virtualised: only visible rows are built and rendered.

The list holds one light key per span, ``(start, -end, id)``, sorted; a row's text (excerpt,
label initial, annotator) is described only when the row is shown, so showing a document with
50,000 spans costs a sort of 50,000 tuples, not 50,000 rows. Inserting or removing one span
costs a bisect and a list insert, never a rebuild, so tagging stays fast with thousands of spans
(an OptionList would build and measure every option).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter, neg
from typing import Protocol, overload

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..compat import set_virtual_size_in_place
from .document_view import styled_segments
from .lines import changed_span


@dataclass(frozen=True)
class SpanRow:
    """One line of the list: ``C  excerpt ... annotator`` (``C! excerpt``: marked, see ``mark``)."""

    id: str
    start: int
    end: int
    initial: str
    initial_style: Style
    excerpt: str
    annotator: str
    #: One cell after the initial, plain text: ``!`` for a claim or figure without a source link.
    mark: str = ""

    @property
    def key(self) -> SpanKey:
        return (self.start, -self.end, self.id)


#: The list shows each span's annotator only when it is at least this wide.
NAMES_FROM_WIDTH = 28

#: A span's place in the list: ``(start, -end, id)``, so sorting gives reading order, longest first.
SpanKey = tuple[int, int, str]


class Placed(Protocol):
    """What the list needs of a span: its id and where it is (a ``Span`` fits)."""

    id: str
    start: int
    end: int


_ID, _START, _END = attrgetter("id"), attrgetter("start"), attrgetter("end")


def _no_row(span_id: str) -> SpanRow:
    raise LookupError(f"no row for span {span_id}: set_spans was not called")


class SpanList(ScrollView, can_focus=True, inherit_bindings=False):
    """Spans sorted by (start, longest first); click one to go to it, or focus the list (ctrl+l) and
    move in it with up/down (j/k): the document follows; enter or escape goes back to the text."""

    BINDINGS = [
        Binding("down,j", "move(1)", "Next span", show=False),
        Binding("up,k", "move(-1)", "Previous span", show=False),
        Binding("pagedown", "move(10)", "Ten down", show=False),
        Binding("pageup", "move(-10)", "Ten up", show=False),
        Binding("enter,escape", "leave", "Back to the text", show=False),
    ]

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
        """A span was clicked, or moved to in the focused list."""

        def __init__(self, span_id: str, keep_focus: bool = False) -> None:
            super().__init__()
            self.span_id = span_id
            self.keep_focus = keep_focus

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[SpanKey] = []
        self._describe: Callable[[str], SpanRow] = _no_row
        #: Rows described so far, by span id (a row is described when it is first shown).
        self._row_cache: LRUCache[str, SpanRow] = LRUCache(512)
        self._selected: str | None = None
        self._selected_key: SpanKey | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(256)
        self._styles: tuple[Style, Style, Style] | None = None
        #: The strip each visible line last handed to Textual (what the screen shows), and the first
        #: row that may have changed since (the changes are compared with the screen once, after the
        #: handler that made them: a relabel removes and adds the same row, and repaints one cell).
        self._shown: dict[int, Strip] = {}
        self._repaint_from: int | None = None

    @property
    def rows(self) -> Sequence[SpanRow]:
        """The rows in order, each described when it is read (reading every row describes every span)."""
        return SpanRows(self)

    @property
    def keys(self) -> list[SpanKey]:
        """The sort keys of the rows, ``(start, -end, id)``, for bisecting."""
        return self._keys

    @property
    def selected(self) -> str | None:
        return self._selected

    def row(self, index: int) -> SpanRow:
        """The row at ``index``, described now if it has not been yet."""
        span_id = self._keys[index][2]
        row = self._row_cache.get(span_id)
        if row is None:
            row = self._describe(span_id)
            self._row_cache[span_id] = row
        return row

    def set_spans(self, spans: Iterable[Placed], describe: Callable[[str], SpanRow]) -> None:
        """List these spans; ``describe(span_id)`` gives a span's row when the row is first shown."""
        spans = list(spans)
        # zip/map keep the per-span work in C (a document may have 50,000 spans).
        keys = list(zip(map(_START, spans), map(neg, map(_END, spans)), map(_ID, spans)))
        keys.sort()  # the store gives reading order already: a sort of sorted keys is one pass
        self._keys = keys
        self._describe = describe
        self._row_cache.clear()
        self._selected_key = None
        self._changed()

    def add(self, span_id: str, start: int, end: int) -> None:
        key = (start, -end, span_id)
        index = bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._row_cache.discard(span_id)
        self._changed(index)

    def remove(self, span_id: str, start: int, end: int) -> None:
        index = self.index_of(span_id, start, end)
        if index is not None:
            del self._keys[index]
            self._row_cache.discard(span_id)
            self._changed(index)

    def refresh_row(self, span_id: str, start: int, end: int) -> None:
        """Describe a span's row again (its mark changed) and repaint that row alone."""
        self._row_cache.discard(span_id)
        index = self.index_of(span_id, start, end)
        if index is not None:
            self.refresh_lines(index)

    def index_of(self, span_id: str, start: int, end: int) -> int | None:
        index = bisect_left(self._keys, (start, -end, span_id))
        if index < len(self._keys) and self._keys[index][2] == span_id:
            return index
        return None

    def select(self, span_id: str | None, start: int = 0, end: int = 0) -> None:
        """Mark a span as the selected one and scroll it into view (repaints the two rows that change)."""
        old_key = self._selected_key
        self._selected = span_id
        index = self.index_of(span_id, start, end) if span_id is not None else None
        self._selected_key = self._keys[index] if index is not None else None
        if old_key == self._selected_key:
            return
        if old_key is not None:
            old_index = bisect_left(self._keys, old_key)
            if old_index < len(self._keys) and self._keys[old_index] == old_key:
                self.refresh_lines(old_index)
        if index is not None:
            self.refresh_lines(index)
            height = self.scrollable_content_region.height
            top = int(self.scroll_offset.y)
            if index < top:
                self.scroll_to(y=index, animate=False, immediate=True)
            elif height > 0 and index >= top + height:
                self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        """Go to the span ``step`` rows from the selected one (the first row if none)."""
        if not self._keys:
            return
        key = self._selected_key
        index = bisect_left(self._keys, key) if key is not None else -1 if step > 0 else len(self._keys)
        index = max(0, min(len(self._keys) - 1, index + step))
        self.post_message(self.Picked(self._keys[index][2], keep_focus=True))

    def action_leave(self) -> None:
        self.post_message(self.Left())

    class Left(Message):
        """The list asks to give the focus back to the text."""

    def _changed(self, first: int = 0) -> None:
        """The rows from ``first`` on may have changed: resize the scroll extent, repaint those rows
        (down to the last row that was or is listed: the blank rows below stay as they are)."""
        region = self.scrollable_content_region
        old = self.virtual_size
        size = Size(region.width, len(self._keys))
        if size != old:
            if old.height <= region.height and size.height <= region.height and not self.scroll_offset.y:
                # Every row fits, before and after: the scrollbar looks the same, so leave it unpainted.
                self.set_reactive(SpanList.virtual_size, size)
            else:
                # Setting ``virtual_size`` normally re-lays out the whole screen (tens of ms). The scrollbar is
                # always shown (overflow-y: scroll), so only its extent changes: update it in place.
                set_virtual_size_in_place(self, size)
        # Repaint the cells of those rows that differ from the screen, once the handler is done.
        if self._repaint_from is None:
            self._repaint_from = first
            self.call_later(self._repaint_changed)
        else:
            self._repaint_from = min(self._repaint_from, first)

    def _repaint_changed(self) -> None:
        """Compare the rows from ``_repaint_from`` down with what the screen shows; refresh only the
        cells that differ (not the scrollbar: ``refresh()`` would repaint it too)."""
        first, self._repaint_from = self._repaint_from or 0, None
        region = self.scrollable_content_region
        top = max(first - int(self.scroll_offset.y), 0)
        regions = []
        for y in range(top, region.height):
            new = self._line(y)
            old = self._shown.get(y)
            if old is None:
                regions.append(Region(0, y, region.width, 1))
                continue
            span = changed_span(old, new)
            if span is not None:
                regions.append(Region(span[0], y, span[1] - span[0], 1))
        if regions:
            self.refresh(*regions)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._keys))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        strip = self._shown[y] = self._line(y)
        return strip

    def _line(self, y: int) -> Strip:
        """Line ``y`` of the list as it is now (from the cache when it has not changed)."""
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if self._styles is None:  # rich_style walks the DOM on every call: keep the styles until CSS changes
            self._styles = (
                self.rich_style,
                self.get_component_rich_style("span-list--annotator"),
                self.get_component_rich_style("span-list--selected"),
            )
        base = self._styles[0]
        if index >= len(self._keys) or width <= 0:
            blank = self._cache.get(width)
            if blank is None:
                blank = self._cache[width] = Strip.blank(width, base)
            return blank
        row = self.row(index)
        selected = row.id == self._selected
        key = (row, width, selected)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, selected, base)
            self._cache[key] = strip
        return strip

    def _render_row(self, row: SpanRow, width: int, selected: bool, base: Style) -> Strip:
        # A narrow list (a small terminal) keeps its cells for the excerpt.
        annotator = row.annotator[:12] if width >= NAMES_FROM_WIDTH else ""
        room = max(1, width - 3 - cell_len(annotator) - 1)
        text = Text(end="", no_wrap=True, style=base)
        text.append(f"{row.initial}{row.mark[:1] or ' '}", row.initial_style)
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
        if 0 <= index < len(self._keys):
            self.post_message(self.Picked(self._keys[index][2]))


class SpanRows(Sequence[SpanRow]):
    """A read-only view of a span list's rows that describes a row only when it is read."""

    def __init__(self, span_list: SpanList) -> None:
        self._list = span_list

    def __len__(self) -> int:
        return len(self._list.keys)

    @overload
    def __getitem__(self, index: int) -> SpanRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[SpanRow]: ...

    def __getitem__(self, index: int | slice) -> SpanRow | list[SpanRow]:
        if isinstance(index, slice):
            return [self._list.row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("span row index out of range")
        return self._list.row(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpanRows({len(self)} rows)"
