"""The cursor, the mark and the selection over one text (no UI: the document view draws it)."""

from __future__ import annotations

from collections.abc import Callable

from .. import text as textmod

#: How a selection is being made: ``None`` (no selection), ``"shift"`` (shift+moves),
#: ``"visual"`` (mark mode: every move extends it), ``"mouse"`` (a drag) or ``"fixed"``
#: (set whole: a span picked, a search hit, a boundary edit).
MODES = (None, "shift", "visual", "mouse", "fixed")


def snap(text: str, start: int, end: int, words: bool) -> tuple[int, int] | None:
    """The one snapping function (:func:`annotator.text.snap`) for a selection."""
    return textmod.snap(text, start, end, words=words)


def _grapheme_start(text: str, offset: int) -> int:
    return textmod.grapheme_start(text, offset)


def _grapheme_length(text: str, offset: int) -> int:
    if offset >= len(text):
        return 0
    return max(1, textmod.grapheme_end(text, offset + 1) - offset)


class Caret:
    """Where the cursor is and what is selected, in code points.

    ``stop`` moves an offset back onto the start of the character (grapheme) holding it, and
    ``length`` says how many code points the character at an offset spans; both default to
    Unicode grapheme clusters (the document view passes its own, which agree with how it
    draws cells).
    """

    __slots__ = ("text", "cursor", "mode", "anchor", "fixed", "words", "_stop", "_length")

    def __init__(self, text: str = "", cursor: int = 0, *, words: bool = True,
                 stop: Callable[[int], int] | None = None, length: Callable[[int], int] | None = None) -> None:
        self.text = text
        self.words = words
        self._stop = stop or (lambda offset: _grapheme_start(self.text, offset))
        self._length = length or (lambda offset: _grapheme_length(self.text, offset))
        self.mode: str | None = None
        self.anchor: int | None = None
        self.fixed: tuple[int, int] | None = None
        self.cursor = self.stop(cursor)

    # -- characters ----------------------------------------------------------------------------

    def stop(self, offset: int) -> int:
        """``offset`` clamped to the text and moved back onto the start of its character."""
        offset = max(0, min(offset, len(self.text)))
        return self._stop(offset) if 0 < offset < len(self.text) else offset

    def char_length(self, offset: int) -> int:
        """Code points of the character (grapheme) at ``offset``: 0 at the end of the text."""
        return self._length(offset) if offset < len(self.text) else 0

    def right_of(self, offset: int) -> int:
        return min(len(self.text), offset + max(1, self.char_length(offset)))

    def left_of(self, offset: int) -> int:
        return self.stop(max(0, offset - 1))

    # -- the selection --------------------------------------------------------------------------

    @property
    def visual(self) -> bool:
        return self.mode == "visual"

    @property
    def raw_selection(self) -> tuple[int, int] | None:
        """The selected range before snapping (what the keys or the mouse covered)."""
        mode = self.mode
        if mode is None:
            return None
        if mode == "fixed":
            return self.fixed
        anchor, cursor = self.anchor, self.cursor
        assert anchor is not None
        start, end = min(anchor, cursor), max(anchor, cursor)
        if mode == "visual" and start == end:
            # Mark mode always selects at least the character under the cursor (so "v" then a
            # label key tags the word there). Otherwise, like shift selection, the range ends
            # before the cursor: "v )" selects up to the start of the next sentence, no further.
            end = min(end + self.char_length(end), len(self.text))
        return (start, end) if start < end else None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``(start, end)``, snapped (whole words unless exact mode), or None.

        A fixed selection (a span picked, a boundary edit) is shown as it is: it is a span's range.
        """
        raw = self.raw_selection
        if raw is None or self.mode == "fixed":
            return raw
        return snap(self.text, *raw, self.words)

    # -- changes ---------------------------------------------------------------------------------

    def load(self, text: str, cursor: int = 0) -> None:
        self.text = text
        self.mode, self.anchor, self.fixed = None, None, None
        self.cursor = self.stop(cursor)

    def move(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor; with ``select`` extend (or start) a selection from where it was."""
        offset = self.stop(offset)
        if select:
            if self.mode not in ("shift", "visual", "mouse"):
                self.mode, self.anchor, self.fixed = "shift", self.cursor, None
        elif self.mode != "visual":
            self.mode, self.anchor, self.fixed = None, None, None
        self.cursor = offset

    def select(self, start: int, end: int, cursor: int | None = None) -> None:
        """Select exactly ``[start, end)`` (a span's range: not snapped), cursor at ``cursor`` (default start)."""
        n = len(self.text)
        start, end = max(0, min(start, n)), max(0, min(end, n))
        if start >= end:
            self.mode, self.anchor, self.fixed = None, None, None
        else:
            self.mode, self.anchor, self.fixed = "fixed", None, (start, end)
        self.cursor = self.stop(start if cursor is None else cursor)

    def start_mark(self) -> None:
        """Mark (visual) mode from the cursor: every move extends the selection."""
        self.mode, self.anchor, self.fixed = "visual", self.cursor, None

    def start_drag(self, offset: int) -> None:
        self.cursor = self.stop(offset)
        self.mode, self.anchor, self.fixed = "mouse", self.cursor, None

    def clear(self) -> None:
        """No selection, mark mode off."""
        self.mode, self.anchor, self.fixed = None, None, None
