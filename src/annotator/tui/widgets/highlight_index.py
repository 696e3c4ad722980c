"""Which highlights lie over a stretch of a document, without building every highlight up front.

A document may carry 50,000 spans; the view shows the few dozen on screen. The index keeps what
it is given (spans, or any objects with ``id``, ``start`` and ``end``) and turns them into
:class:`Highlight` objects, through a *look* function, only for the blocks of text that are
asked about:

* spans no longer than :data:`BLOCK` are kept sorted by start; the spans over a block are
  those starting less than a block before it (a bisect) that end inside or after it;
* longer spans (rare) are listed under every block they cover when they are added;
* the highlights of a block are built when the block is first asked about and kept until a
  span over it changes.

Giving the index a document's spans costs one pass over them (a list of starts, a dict by id);
finding the highlights of a row or under the cursor costs the spans near it. Spans are
non-empty (``start < end``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from operator import attrgetter, sub
from typing import Any, NamedTuple

from rich.style import Style

#: The index works in blocks of this many code points.
BLOCK = 512

#: How a span looks: its style and priority (the view's ``look`` argument).
Look = Callable[[Any], tuple[Style, int]]


class Highlight(NamedTuple):
    """A styled stretch of the document. The shortest highlight over a character is drawn on top;
    equal lengths are ordered by ``priority`` (higher on top)."""

    id: str
    start: int
    end: int
    style: Style
    priority: int = 0
    #: A style for the highlight's first character on top of every highlight there (not the selection
    #: or cursor): a marker that needs no extra cell (the annotation screen marks a linked span's start).
    mark: Style | None = None


_ID, _START, _END = attrgetter("id"), attrgetter("start"), attrgetter("end")


class HighlightIndex:
    """Highlights by id and by place; see the module docstring."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}
        self._look: Look | None = None
        #: Spans of at most BLOCK code points, sorted by start (stable: equal starts keep their order).
        self._starts: list[int] = []
        self._short: list[Any] = []
        #: Longer spans, under every block they cover.
        self._long: dict[int, list[Any]] = {}
        #: The highlights of the blocks asked about so far.
        self._blocks: dict[int, list[Highlight]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def reset(self, items: Iterable[Any], look: Look | None = None) -> None:
        """Hold these instead: :class:`Highlight` objects, or spans shown as ``look(span)`` says.

        An id given twice keeps its last item.
        """
        # map/zip/attrgetter keep the per-span work in C: this runs over every span of a document.
        spans = list(items)
        spans.sort(key=_START)  # one pass when they come in reading order, as the store gives them
        by_id = dict(zip(map(_ID, spans), spans))
        if len(by_id) < len(spans):
            spans = [span for span in spans if by_id[span.id] is span]
        starts: list[int] = list(map(_START, spans))
        short: list[Any] = spans
        long: dict[int, list[Any]] = {}
        if spans and max(map(sub, map(_END, spans), starts)) > BLOCK:
            starts, short = [], []
            for span in spans:
                start, end = span.start, span.end
                if end - start <= BLOCK:
                    starts.append(start)
                    short.append(span)
                else:
                    for block in range(start // BLOCK, (end - 1) // BLOCK + 1):
                        long.setdefault(block, []).append(span)
        self._items, self._look = by_id, look
        self._starts, self._short, self._long = starts, short, long
        self._blocks = {}

    def get(self, highlight_id: str) -> Highlight | None:
        item = self._items.get(highlight_id)
        return None if item is None else self._highlight(item)

    def add(self, highlight: Highlight) -> tuple[int, int] | None:
        """Add a highlight, replacing the one with its id; the replaced one's ``(start, end)``, if any."""
        old = self.remove(highlight.id)
        start, end = highlight.start, highlight.end
        if end - start <= BLOCK:
            index = bisect_right(self._starts, start)
            self._starts.insert(index, start)
            self._short.insert(index, highlight)
        else:
            for block in range(start // BLOCK, (end - 1) // BLOCK + 1):
                self._long.setdefault(block, []).append(highlight)
        self._items[highlight.id] = highlight
        self._forget(start, end)
        return old

    def remove(self, highlight_id: str) -> tuple[int, int] | None:
        """Remove a highlight; its ``(start, end)``, or None if there was none."""
        item = self._items.pop(highlight_id, None)
        if item is None:
            return None
        start, end = item.start, item.end
        if end - start <= BLOCK:
            index = bisect_left(self._starts, start)
            while self._short[index] is not item:
                index += 1
            del self._starts[index]
            del self._short[index]
        else:
            for block in range(start // BLOCK, (end - 1) // BLOCK + 1):
                entries = self._long[block]
                del entries[next(i for i, entry in enumerate(entries) if entry is item)]
        self._forget(start, end)
        return start, end

    def at(self, offset: int) -> list[Highlight]:
        """The highlights covering ``offset`` (unordered)."""
        return [h for h in self._block(offset // BLOCK) if h.start <= offset < h.end]

    def between(self, start: int, end: int) -> list[Highlight]:
        """The highlights overlapping ``[start, end)`` (unordered, each once)."""
        seen: dict[str, Highlight] = {}
        for block in range(start // BLOCK, max(start, end - 1) // BLOCK + 1):
            for h in self._block(block):
                if h.start < end and h.end > start:
                    seen[h.id] = h
        return list(seen.values())

    # -- inside ----------------------------------------------------------------------------

    def _highlight(self, item: Any) -> Highlight:
        if type(item) is Highlight:
            return item
        assert self._look is not None, "spans that are not Highlights need a look"
        return Highlight(item.id, item.start, item.end, *self._look(item))

    def _block(self, block: int) -> list[Highlight]:
        found = self._blocks.get(block)
        if found is None:
            low, high = block * BLOCK, (block + 1) * BLOCK
            # A short span over this block starts less than BLOCK before it.
            first = bisect_left(self._starts, low - BLOCK + 1)
            last = bisect_left(self._starts, high)
            items = [item for item in self._short[first:last] if item.end > low]
            items += self._long.get(block, ())
            found = self._blocks[block] = [self._highlight(item) for item in items]
        return found

    def _forget(self, start: int, end: int) -> None:
        """Drop the built highlights of the blocks ``[start, end)`` covers."""
        for block in range(start // BLOCK, (end - 1) // BLOCK + 1):
            self._blocks.pop(block, None)
