"""A read-only, highlightable view of one document: the annotate and review screens both use it.

Design (see /work/shared/notes/textual.md for the measurements behind it):

* The text is shown inertly: :func:`~annotator.text.display_text` replaces every
  control character one for one, so offsets are the same in the stored text and the view.
* A *wrap index* holds every visual row as ``(start, end)`` code point offsets
  (``end`` excludes the newline). ASCII and single-cell lines wrap with string
  operations; other lines are measured cell by cell (CJK and emoji are two cells,
  combining marks and ZWJ none, tabs run to the next multiple of ``TAB_SIZE``).
* ``render_line`` builds one row at a time and keeps the ``Strip`` in an LRU cache
  keyed by everything that changes the row: row, width, highlight version, and the
  cursor and selection clipped to that row. A cursor move therefore repaints two rows.
* Highlights come from a :class:`~.highlight_index.HighlightIndex`: given a document's spans
  and a *look* (style and priority of a span), it builds highlights only for the stretches of
  text that are shown or asked about, so opening a document with 50,000 spans costs one pass
  over them, and finding the highlights of a row costs the spans near it.

Public interface (kept stable for the review screen): :class:`Highlight`,
:meth:`DocumentView.load`, :meth:`~DocumentView.set_highlights`,
:meth:`~DocumentView.update_highlights`, :attr:`~DocumentView.cursor`,
:attr:`~DocumentView.selection`, :meth:`~DocumentView.move_cursor`,
:meth:`~DocumentView.select`, :meth:`~DocumentView.scroll_to_offset`,
:meth:`~DocumentView.highlights_at`, and the messages :class:`DocumentView.CursorMoved`
and :class:`DocumentView.SelectionChanged`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ... import text as textmod
from ...editing import Caret
from ...text import display_text
from ..bindings import VIEW, bindings
from ..compat import NARROW_TO_WIDE as _NARROW_TO_WIDE
from ..compat import is_single_cell_widths as _is_single_cell_widths
from ..compat import set_virtual_size_in_place
from .highlight_index import Highlight, HighlightIndex, Look

#: Tabs are shown as this many columns at most (to the next multiple of it).
TAB_SIZE = 4


def cell_widths(line: str) -> list[int]:
    """The cells each character of ``line`` takes, summing to what Rich measures for the line.

    Tabs count as 0 here (their width depends on the column). Like Rich, a ZWJ
    joins the character after it to the cluster before it (both count 0), and a
    VS16 (U+FE0F) widening the character before it adds the cell to that character,
    so no zero-width character ever owns a cell.
    """
    widths: list[int] = []
    last = -1
    joined = False
    for index, char in enumerate(line):
        if joined:  # Rich joins the character after a ZWJ to the cluster before it
            joined = False
            widths.append(0)
            continue
        if char == "\u200d":
            width = 0
            joined = True
        elif char == "\t":
            width = 0
            last = -1  # a VS16 after a tab widens nothing: the tab stands between
        elif char == "\ufe0f":
            width = 0
            if last >= 0 and line[last] in _NARROW_TO_WIDE:
                widths[last] += 1
                last = -1
        else:
            width = get_character_cell_size(char)
            if width:
                last = index
        widths.append(width)
    return widths


class DocumentView(ScrollView, can_focus=True, inherit_bindings=False):
    """A soft-wrapped, read-only document with a cursor, a selection and highlights."""

    ALLOW_SELECT = False  # the view does its own mouse selection

    DEFAULT_CSS = """
    DocumentView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
        padding: 0 0 0 1;
    }
    DocumentView > .document-view--cursor {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    DocumentView > .document-view--selection {
        background: $primary 60%;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = {"document-view--cursor", "document-view--selection"}

    #: The movement, selection and escape keys, from the one bindings table (both screens share them).
    BINDINGS = bindings(VIEW)

    class CursorMoved(Message):
        """The cursor moved to ``offset`` (a code point offset)."""

        def __init__(self, view: DocumentView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> DocumentView:
            return self.view

    class SelectionChanged(Message):
        """The selection is now ``selection`` (``(start, end)`` or None)."""

        def __init__(self, view: DocumentView, selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.view = view
            self.selection = selection

        @property
        def control(self) -> DocumentView:
            return self.view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = ""
        self._display = ""
        self._row_starts: list[int] = [0]
        self._row_ends: list[int] = [0]
        self._wrap_width = 0
        self._marks = HighlightIndex()
        self._version = 0
        #: Rows restyled since the last full restyle, with a stamp that changes their cache key.
        self._row_stamps: dict[int, int] = {}
        self._stamp = 0
        #: The cursor, the mark and the selection (the editing model's; the view draws and moves it).
        self.caret = Caret("", 0, words=False, stop=self._clamp_to_stop, length=self._cluster_length)
        self._goal_column: int | None = None
        #: A count typed in mark mode (v 4 w), used up by the next move.
        self._count: int | None = None
        self._last_selection: tuple[int, int] | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._component_styles_cache: tuple[Style, Style] | None = None
        self._base_style_cache: Style | None = None

    # -- public interface ----------------------------------------------------------------

    @property
    def text(self) -> str:
        """The document text exactly as stored."""
        return self._text

    @property
    def cursor(self) -> int:
        """The cursor as a code point offset (``len(text)`` is the end)."""
        return self.caret.cursor

    @property
    def snap_words(self) -> bool:
        """True: a shift/visual/mouse selection is snapped to whole words (see :func:`annotator.text.snap`)."""
        return self.caret.words

    @snap_words.setter
    def snap_words(self, value: bool) -> None:
        self.caret.words = value

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_cursor(offset)

    @property
    def visual(self) -> bool:
        """True in mark (visual) mode: movement extends the selection."""
        return self.caret.visual

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``(start, end)`` code point range (end exclusive), snapped, or None."""
        return self.caret.selection

    @property
    def row_count(self) -> int:
        return len(self._row_starts)

    def load(self, text: str, highlights: Iterable[Any] = (), cursor: int = 0, look: Look | None = None) -> None:
        """Show ``text`` with ``highlights`` and put the cursor at ``cursor`` (see :meth:`set_highlights`)."""
        self._text = text
        self._display = display_text(text)
        self._goal_column = None
        self._last_selection = None
        self.caret.load(text, cursor)
        self._wrap_width = 0
        self._row_starts, self._row_ends = [0], [0]
        self.set_highlights(highlights, look)
        self._rewrap()
        self.scroll_to_offset(self.caret.cursor, center=True)
        self.post_message(self.CursorMoved(self, self.caret.cursor))
        self.post_message(self.SelectionChanged(self, None))

    def set_highlights(self, highlights: Iterable[Any], look: Look | None = None) -> None:
        """Replace every highlight: :class:`Highlight` objects, or spans (anything with ``id``, ``start``
        and ``end``) shown as ``look(span)`` says, ``(style, priority)``, built only when their text is
        shown (cost: one pass over them; use update_highlights for a few)."""
        self._marks.reset(highlights, look)
        self._restyle()

    def update_highlights(self, add: Iterable[Highlight] = (), remove: Iterable[str] = ()) -> None:
        """Remove highlights by id and add (or replace) others: the cost is theirs alone."""
        touched: list[tuple[int, int]] = []
        for highlight_id in remove:
            old = self._marks.remove(highlight_id)
            if old is not None:
                touched.append(old)
        for highlight in add:
            old = self._marks.add(highlight)
            if old is not None:
                touched.append(old)
            touched.append((highlight.start, highlight.end))
        rows = [(self.row_of(start), self.row_of(max(start, end - 1))) for start, end in touched]
        if sum(last - first + 1 for first, last in rows) > 400:
            self._restyle()
            return
        for first, last in rows:
            for row in range(first, last + 1):
                self._stamp += 1
                self._row_stamps[row] = self._stamp
            self.refresh_lines(first, last - first + 1)

    def highlight(self, highlight_id: str) -> Highlight | None:
        return self._marks.get(highlight_id)

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The highlights covering ``offset``, innermost (shortest, then highest priority) first."""
        found = self._marks.at(offset)
        found.sort(key=lambda h: (h.end - h.start, -h.priority, h.start))
        return found

    def highlights_between(self, start: int, end: int) -> list[Highlight]:
        """The highlights overlapping ``[start, end)`` (unordered, each once)."""
        return self._marks.between(start, end)

    def move_cursor(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor to ``offset``; with ``select`` extend (or start) a selection."""
        old = self.caret.cursor
        self.caret.move(offset, select=select)
        self._after_move(old)

    def select(self, start: int, end: int, cursor: int | None = None) -> None:
        """Select exactly ``[start, end)`` (no word snapping) and put the cursor at ``cursor`` (default start)."""
        old = self.caret.cursor
        self.caret.select(start, end, cursor)
        self._after_move(old)

    def changed(self, old_cursor: int) -> None:
        """Redraw and report after the caret was changed directly (by the editing model)."""
        self._after_move(old_cursor)

    def whole_characters(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` widened so that it cuts no character (emoji sequence, flag, combining mark)."""
        n = len(self._text)
        start = self._clamp_to_stop(max(0, min(start, n)))
        end = max(start, min(end, n))
        stop = self._clamp_to_stop(end)
        if stop != end:
            end = stop + self._cluster_length(stop)
        return start, end

    def clear_selection(self) -> None:
        """Drop the selection and leave mark (visual) mode."""
        if self.caret.mode is None:
            return
        self.caret.clear()
        self._after_move(self.caret.cursor)

    def start_visual(self) -> None:
        """Enter mark (visual) mode at the cursor: movement extends the selection."""
        self.caret.start_mark()
        self._after_move(self.caret.cursor)

    def scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        """Scroll so that the row holding ``offset`` is visible."""
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        row = self.row_of(offset)
        top = int(self.scroll_offset.y)
        if center:
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)
        elif row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def row_of(self, offset: int) -> int:
        """The visual row holding ``offset``."""
        return max(0, bisect_right(self._row_starts, offset) - 1)

    def row_bounds(self, row: int) -> tuple[int, int]:
        return self._row_starts[row], self._row_ends[row]

    def row_text(self, row: int) -> str:
        """The display text of a row (placeholders for controls, tabs unexpanded)."""
        return self._display[self._row_starts[row] : self._row_ends[row]]

    def offset_at(self, column: int, row: int) -> int:
        """The offset under a cell of the content (row, column), clamped to the text."""
        if row < 0:
            return 0
        if row >= len(self._row_starts):
            return len(self._text)
        start, end = self._row_starts[row], self._row_ends[row]
        columns = self._columns(row)
        for index in range(end - start):
            if columns[index + 1] > column and columns[index + 1] > columns[index]:
                return start + index
        # Past the end of the row: the end of a line, or the last character of a wrapped row.
        if end < len(self._display) and self._display[end] != "\n" and end > start:
            return self._clamp_to_stop(end - 1)
        return end

    def column_of(self, offset: int) -> int:
        """The cell column of ``offset`` in its row."""
        row = self.row_of(offset)
        columns = self._columns(row)
        index = min(offset - self._row_starts[row], len(columns) - 1)
        return columns[index]

    # -- highlights --------------------------------------------------------------------------

    def _restyle(self) -> None:
        self._version += 1
        self._row_stamps.clear()
        self._refresh_rows(len(self._row_starts))  # rows past the text have nothing to restyle

    # -- wrapping ----------------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _rewrap(self) -> None:
        """Rebuild the wrap index for the current width (one cell is kept free for the cursor at line ends)."""
        width = self._content_width()
        if width <= 1:
            return
        wrap = max(1, width - 1)
        self._wrap_width = wrap
        starts: list[int] = []
        ends: list[int] = []
        display = self._display
        position = 0
        for line in display.split("\n"):
            length = len(line)
            if length <= wrap and "\t" not in line and _is_single_cell_widths(line):
                starts.append(position)
                ends.append(position + length)
            elif "\t" not in line and _is_single_cell_widths(line):
                self._wrap_single(line, position, wrap, starts, ends)
            else:
                self.wrap_measured(line, position, wrap, starts, ends)
            position += length + 1
        self._row_starts, self._row_ends = starts, ends
        self._row_stamps.clear()
        self._version += 1
        self._cache.clear()
        size = Size(width, len(starts))
        old = self.virtual_size
        if size != old:
            height = self.scrollable_content_region.height
            if old.height <= height and size.height <= height and not self.scroll_offset.y:
                # Every row fits, before and after: the scrollbar looks the same, so leave it unpainted.
                self.set_reactive(DocumentView.virtual_size, size)
            else:
                # The vertical scrollbar is always shown (overflow-y: scroll), so a new height changes
                # only its extent: update it in place instead of re-laying out the whole screen.
                set_virtual_size_in_place(self, size)
        # Rows below both the old and the new text were blank and stay blank.
        self._refresh_rows(max(old.height, size.height))

    def _refresh_rows(self, rows: int | None = None) -> None:
        """Repaint the visible rows (above row ``rows`` only, when given), but not the scrollbar
        (``refresh()`` would repaint it too)."""
        region = self.scrollable_content_region
        height = region.height
        if rows is not None:
            height = min(height, rows - int(self.scroll_offset.y))
        if height > 0:
            self.refresh(Region(0, 0, region.width, height))

    @staticmethod
    def _wrap_single(line: str, base: int, wrap: int, starts: list[int], ends: list[int]) -> None:
        """Wrap a line of one-cell characters at spaces, or mid-word when a word is longer than a row."""
        length = len(line)
        position = 0
        rfind = line.rfind
        while length - position > wrap:
            space = rfind(" ", position, position + wrap)
            cut = space + 1 if space >= position else position + wrap
            starts.append(base + position)
            ends.append(base + cut)
            position = cut
        starts.append(base + position)
        ends.append(base + length)

    @staticmethod
    def wrap_measured(line: str, base: int, wrap: int, starts: list[int], ends: list[int]) -> None:
        """Wrap a line cell by cell (wide characters, zero-width marks, tabs): append each row's
        (start, end) offsets, ``base`` added, to ``starts`` and ``ends``. Public for the wrap tests."""
        widths = cell_widths(line)
        length = len(line)
        row_start = 0
        while True:
            column = 0
            last_break = -1
            index = row_start
            cut = length
            while index < length:
                char = line[index]
                if char == "\t":
                    width = min(TAB_SIZE - column % TAB_SIZE, max(1, wrap - column))
                else:
                    width = widths[index]
                if column + width > wrap and index > row_start:
                    cut = last_break if last_break > row_start else index
                    break
                column += width
                if char == " " or char == "\t":
                    last_break = index + 1
                index += 1
            starts.append(base + row_start)
            if cut >= length:
                ends.append(base + length)
                return
            ends.append(base + cut)
            row_start = cut

    def _columns(self, row: int) -> list[int]:
        """The starting cell column of each character of a row, plus the row's total width."""
        start, end = self._row_starts[row], self._row_ends[row]
        line = self._display[start:end]
        if "\t" not in line and _is_single_cell_widths(line):
            return list(range(end - start + 1))
        widths = cell_widths(line)
        columns = [0]
        column = 0
        for index, char in enumerate(line):
            if char == "\t":
                column += min(TAB_SIZE - column % TAB_SIZE, max(1, self._wrap_width - column))
            else:
                column += widths[index]
            columns.append(column)
        return columns

    def _cluster_length(self, offset: int) -> int:
        """How many code points the character at ``offset`` spans with its zero-width followers."""
        display = self._display
        n = len(display)
        if offset >= n:
            return 0
        end = offset + 1
        if _regional(display[offset]) and end < n and _regional(display[end]) and not _second_regional(display, offset):
            end += 1  # a flag: two regional indicators are one character
        while end < n and display[end] not in "\n\t" and (_zero_width(display[end]) or display[end - 1] == "\u200d"):
            end += 1
        return end - offset

    def _clamp_to_stop(self, offset: int) -> int:
        """Move ``offset`` back onto the character that owns a cell (never onto a combining mark or ZWJ)."""
        display = self._display
        while 0 < offset < len(display) and display[offset] not in "\n\t" and (
            _zero_width(display[offset]) or display[offset - 1] == "\u200d"
        ):
            if display[offset - 1] == "\n":
                break
            offset -= 1
        if 0 < offset < len(display) and _second_regional(display, offset):
            offset -= 1  # never between the two halves of a flag
            return self._clamp_to_stop(offset)
        return offset

    # -- events and resizing ---------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        if self._content_width() - 1 != self._wrap_width:
            self._rewrap()
            self.scroll_to_offset(self.caret.cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._component_styles_cache = None
        self._base_style_cache = None
        self._cache.clear()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _offset_from_mouse(self, event: events.MouseEvent) -> int | None:
        content = event.get_content_offset_capture(self)
        return self.offset_at(content.x + int(self.scroll_offset.x), content.y + int(self.scroll_offset.y))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = self._offset_from_mouse(event)
        if offset is None:
            return
        self.focus()
        old = self.caret.cursor
        self.caret.start_drag(offset)
        self._dragging = True
        self.capture_mouse()
        self._after_move(old)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not getattr(self, "_dragging", False):
            return
        offset = self._offset_from_mouse(event)
        if offset is not None and offset != self.caret.cursor:
            old = self.caret.cursor
            self.caret.cursor = self.caret.stop(offset)
            self._after_move(old)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not getattr(self, "_dragging", False):
            return
        self._dragging = False
        self.release_mouse()
        if self.caret.mode == "mouse" and self.caret.anchor == self.caret.cursor:
            self.clear_selection()

    # -- cursor movement -----------------------------------------------------------------------

    def _after_move(self, old_cursor: int) -> None:
        old_row, new_row = self.row_of(old_cursor), self.row_of(self.caret.cursor)
        selection = self.selection
        if selection != self._last_selection:
            self._refresh_rows()  # rows whose selection did not change come from the cache
        else:
            self.refresh_lines(old_row)
            if new_row != old_row:
                self.refresh_lines(new_row)
        self.scroll_to_offset(self.caret.cursor)
        if old_cursor != self.caret.cursor:
            self.post_message(self.CursorMoved(self, self.caret.cursor))
        if selection != self._last_selection:
            self._last_selection = selection
            self.post_message(self.SelectionChanged(self, selection))

    def _step_right(self, offset: int) -> int:
        return min(len(self._text), offset + max(1, self._cluster_length(offset)))

    def _step_left(self, offset: int) -> int:
        return self._clamp_to_stop(max(0, offset - 1))

    def _vertical(self, rows: int) -> int:
        if self._goal_column is None:
            self._goal_column = self.column_of(self.caret.cursor)
        target = max(0, min(len(self._row_starts) - 1, self.row_of(self.caret.cursor) + rows))
        if target == self.row_of(self.caret.cursor):
            return 0 if rows < 0 else len(self._text)
        return self.offset_at(self._goal_column, target)

    def _go(self, offset: int, select: bool = False, keep_goal: bool = False) -> None:
        goal = self._goal_column
        self.move_cursor(offset, select=select)
        self._goal_column = goal if keep_goal else None

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _line_start(self) -> int:
        return self._row_starts[self.row_of(self.caret.cursor)]

    def _line_end(self) -> int:
        row = self.row_of(self.caret.cursor)
        end = self._row_ends[row]
        if end < len(self._display) and self._display[end] != "\n" and end > self._row_starts[row]:
            return self._clamp_to_stop(end - 1)  # a wrapped row: its last character
        return end

    def action_cursor_left(self) -> None:
        self._go(self._repeated(lambda _, offset: self._step_left(offset)))

    def action_cursor_right(self) -> None:
        self._go(self._repeated(lambda _, offset: self._step_right(offset)))

    def action_cursor_up(self) -> None:
        self._go(self._vertical(-1), keep_goal=True)

    def action_cursor_down(self) -> None:
        self._go(self._vertical(1), keep_goal=True)

    def _repeated(self, step) -> int:
        """Where ``step`` (offset -> offset) leads from the cursor, repeated as a count (v 4 w) asks."""
        offset = self.caret.cursor
        for _ in range(self.take_count()):
            offset = step(self._text, offset)
        return offset

    def take_count(self) -> int:
        """The pending count (1 if none), which is then used up."""
        count, self._count = self._count or 1, None
        return count

    def action_count(self, digit: int) -> None:
        """In mark mode a digit is a count: the next move goes that many times."""
        self._count = int(digit)

    def action_word_right(self) -> None:
        self._go(self._repeated(textmod.next_word_start))

    def action_word_left(self) -> None:
        self._go(self._repeated(textmod.previous_word_start))

    def action_sentence_right(self) -> None:
        self._go(self._repeated(textmod.next_sentence_start))

    def action_sentence_left(self) -> None:
        self._go(self._repeated(textmod.previous_sentence_start))

    def action_paragraph_right(self) -> None:
        self._go(self._repeated(textmod.next_paragraph_start))

    def action_paragraph_left(self) -> None:
        self._go(self._repeated(textmod.previous_paragraph_start))

    def action_line_start(self) -> None:
        self._go(self._line_start())

    def action_line_end(self) -> None:
        self._go(self._line_end())

    def action_page_up(self) -> None:
        self._go(self._vertical(-self._page()), keep_goal=True)

    def action_page_down(self) -> None:
        self._go(self._vertical(self._page()), keep_goal=True)

    def action_document_start(self) -> None:
        self._go(0)

    def action_document_end(self) -> None:
        self._go(len(self._text))

    def action_select_left(self) -> None:
        self._go(self._step_left(self.caret.cursor), select=True)

    def action_select_right(self) -> None:
        self._go(self._step_right(self.caret.cursor), select=True)

    def action_select_up(self) -> None:
        self._go(self._vertical(-1), select=True, keep_goal=True)

    def action_select_down(self) -> None:
        self._go(self._vertical(1), select=True, keep_goal=True)

    def action_select_word_right(self) -> None:
        self._go(textmod.next_word_start(self._text, self.caret.cursor), select=True)

    def action_select_word_left(self) -> None:
        self._go(textmod.previous_word_start(self._text, self.caret.cursor), select=True)

    def action_select_line_start(self) -> None:
        self._go(self._line_start(), select=True)

    def action_select_line_end(self) -> None:
        self._go(self._line_end(), select=True)

    def action_select_page_up(self) -> None:
        self._go(self._vertical(-self._page()), select=True, keep_goal=True)

    def action_select_page_down(self) -> None:
        self._go(self._vertical(self._page()), select=True, keep_goal=True)

    def action_select_sentence(self) -> None:
        """Select the sentence under the cursor (snapped like every selection: without its final stop)."""
        text, cursor = self._text, self.caret.cursor
        start = textmod.previous_sentence_start(text, min(cursor + 1, len(text)))
        end = textmod.next_sentence_start(text, cursor)
        snapped = textmod.snap(text, start, end, words=self.caret.words)
        if snapped is not None:
            self.select(*snapped, cursor=cursor)

    def action_toggle_visual(self) -> None:
        if self.caret.visual:
            self.clear_selection()
        else:
            self.start_visual()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self._text:
            return False  # nothing loaded (an empty database): no keys apply
        if action == "count":
            return self.caret.visual  # otherwise the digits are the screen's label keys
        if action == "clear_selection":
            return self.caret.mode is not None  # otherwise escape falls through to the screen
        return True

    # -- rendering -----------------------------------------------------------------------------

    def _base_style(self) -> Style:
        """The widget's own colours (``rich_style`` walks the DOM on every call, so keep it)."""
        if self._base_style_cache is None:
            self._base_style_cache = self.rich_style
        return self._base_style_cache

    def _cursor_and_selection_styles(self) -> tuple[Style, Style]:
        if self._component_styles_cache is None:
            self._component_styles_cache = (
                self.get_component_rich_style("document-view--cursor"),
                self.get_component_rich_style("document-view--selection"),
            )
        return self._component_styles_cache

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self._base_style()
        if row >= len(self._row_starts) or not self._text and row > 0:
            return Strip.blank(width, base)
        start, end = self._row_starts[row], self._row_ends[row]
        cursor = self.caret.cursor
        cursor_here = cursor if start <= cursor < end or (cursor == end and self.row_of(cursor) == row) else None
        selection = self.selection
        selected = None
        if selection is not None and selection[0] < max(end, start + 1) and selection[1] > start:
            selected = (max(selection[0], start), min(selection[1], max(end, start + 1)))
        key = (row, width, self._version, self._row_stamps.get(row, 0), cursor_here, selected, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, start, end, cursor_here, selected, base).crop_extend(0, width, base)
            self._cache[key] = strip
        return strip

    def _render_row(
        self, row: int, start: int, end: int, cursor: int | None, selected: tuple[int, int] | None, base: Style
    ) -> Strip:
        line = self._display[start:end]
        if "\t" in line:
            pieces: list[str] = []
            index_of = [0]
            columns = self._columns(row)
            for i, char in enumerate(line):
                pieces.append(" " * (columns[i + 1] - columns[i]) if char == "\t" else char)
                index_of.append(index_of[-1] + len(pieces[-1]))
            shown = "".join(pieces)
        else:
            shown = line
            index_of = None
        line_end = end == len(self._display) or self._display[end] == "\n"
        if cursor is not None and cursor == end:
            shown += " "  # the cursor cell after the last character of a line
        highlights = self.highlights_between(start, max(end, start + 1))
        if not highlights and cursor is None and selected is None:
            return Strip([Segment(shown, base)] if shown else [])  # most rows: nothing on them

        def at(offset: int) -> int:
            local = offset - start
            return index_of[local] if index_of is not None else local

        # (start, end, style) in painting order, later on top; the base colours cover the row.
        spans: list[tuple[int, int, Style]] = [(0, len(shown), base)]
        span_end = end + (1 if line_end else 0)
        highlights.sort(key=lambda h: (-(h.end - h.start), h.priority, h.start))
        for h in highlights:
            lo, hi = max(h.start, start), min(h.end, end)
            if lo < hi:
                spans.append((at(lo), at(hi), h.style))
        for h in highlights:  # first-character markers, on top of every highlight
            if h.mark is not None and start <= h.start < end:
                spans.append((at(h.start), at(min(h.end, end, h.start + max(1, self._cluster_length(h.start)))),
                              h.mark))
        cursor_style, selection_style = self._cursor_and_selection_styles()
        if selected is not None:
            lo, hi = selected
            hi = min(hi, span_end)
            if lo < hi:
                spans.append((at(lo), at(min(hi, end)) + (1 if hi > end and cursor == end else 0), selection_style))
        if cursor is not None:
            if cursor >= end:
                spans.append((len(shown) - 1, len(shown), cursor_style))
            else:
                spans.append((at(cursor), at(min(end, cursor + self._cluster_length(cursor))), cursor_style))
        return Strip(styled_pieces(shown, spans))


#: Combined styles by the styles combined (few: labels x cursor x selection).
_COMBINED: dict[tuple[Style, ...], Style] = {}


def styled_pieces(text: str, spans: list[tuple[int, int, Style]]) -> list[Segment]:
    """``text`` cut wherever a span starts or ends, each piece in the styles of the spans over it
    combined in order (later on top).

    The same segments as ``Text(text)`` stylized with each span in turn and rendered by Rich
    (``Text.render``: same cuts, same combined styles, so screenshots do not change), at a
    fraction of the cost: no Text, no Span objects, combined styles kept between rows.
    """
    length = len(text)
    live = [(lo, min(hi, length), style) for lo, hi, style in spans if style and lo < length and hi > lo]
    if not live:
        return [Segment(text, Style.null())] if text else []
    cuts = sorted({0, length, *(lo for lo, _, _ in live), *(hi for _, hi, _ in live)})
    segments = []
    for lo, hi in zip(cuts, cuts[1:]):
        styles = tuple(style for a, b, style in live if a <= lo and b >= hi)
        combined = _COMBINED.get(styles)
        if combined is None:
            if len(_COMBINED) > 4096:
                _COMBINED.clear()
            combined = _COMBINED[styles] = Style.combine(styles) if styles else Style.null()
        segments.append(Segment(text[lo:hi], combined))
    return segments


def styled_segments(text: Text, console, base: Style) -> list[Segment]:
    """Render ``text`` to segments that all carry a style and some text.

    Rich can yield an empty, unstyled segment; Textual's NO_COLOR filter (Monochrome)
    crashes on a segment whose style is None.
    """
    return [
        segment if segment.style is not None else Segment(segment.text, base)
        for segment in text.render(console)
        if segment.text
    ]


def _regional(char: str) -> bool:
    """A regional indicator symbol: two of them make one flag."""
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _second_regional(display: str, offset: int) -> bool:
    """Whether ``offset`` is the second regional indicator of a flag (an odd count of them runs up to it)."""
    if not _regional(display[offset]):
        return False
    i = offset
    while i > 0 and _regional(display[i - 1]):
        i -= 1
    return (offset - i) % 2 == 1


def _zero_width(char: str) -> bool:
    return char >= "\u0300" and (char == "\u200d" or char == "\ufe0f" or get_character_cell_size(char) == 0)
