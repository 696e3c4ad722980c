"""What a label key, a boundary key or a span jump does: the rules of :mod:`annotator.editing`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .. import text as textmod
from .caret import Caret, snap


class SpanLike(Protocol):
    id: str
    start: int
    end: int
    label: str
    annotator: str


class SpanSource(Protocol):
    """The spans the editor sees (the screen's, or a test's)."""

    def spans_at(self, offset: int) -> Iterable[SpanLike]:
        """The spans covering ``offset`` (``start <= offset < end``)."""

    def spans_over(self, start: int, end: int) -> Iterable[SpanLike]:
        """The spans overlapping ``[start, end)``."""

    def get(self, span_id: str) -> SpanLike | None:
        ...


#: Plan kinds.
TAG, RELABEL, ALREADY, NOTHING, MOVE = "tag", "relabel", "already", "nothing", "move"


@dataclass(frozen=True)
class Plan:
    """What a key will do, decided before it is done (and shown before it is pressed).

    ``tag``: store a new span ``[start, end)`` as ``label``. ``relabel``: change ``span``'s label
    to ``label``. ``move``: give ``span`` the range ``[start, end)`` (a boundary key).
    ``already``: nothing to store, ``span`` is it. ``nothing``: no target (``reason`` says why).
    """

    kind: str
    label: str = ""
    start: int = 0
    end: int = 0
    span: SpanLike | None = None
    reason: str = ""

    def describe(self, text: str, width: int = 40) -> str:
        """What the key does, in a few words (display-safe): ``relabel ENTITY 'Ebrahim Raisi'``."""
        span = self.span
        if self.kind == TAG:
            return f"tag “{textmod.excerpt(text[self.start:self.end], width)}”"
        if span is None:
            return self.reason
        quoted = f"“{textmod.excerpt(text[span.start:span.end], width)}”"
        label = textmod.inline_text(span.label)
        if self.kind == RELABEL:
            return f"relabel {label} {quoted}"
        if self.kind == ALREADY:
            return f"already {label} {quoted}"
        return f"{label} {quoted}"


class SpanEditor:
    """The editing rules over a :class:`Caret` and the spans a :class:`SpanSource` gives."""

    def __init__(self, caret: Caret, me: str, source: SpanSource) -> None:
        self.caret = caret
        self.me = me
        self.source = source
        #: The span last picked (jump, cycle, relabel, boundary edit): it wins a tie between my
        #: spans of one range, and stays selected while the selection is its range.
        self.focus_id: str | None = None

    @property
    def text(self) -> str:
        return self.caret.text

    def _mine(self, spans: Iterable[SpanLike]) -> list[SpanLike]:
        return [s for s in spans if s.annotator == self.me]

    # -- the selected span -------------------------------------------------------------------------

    def spans_here(self) -> list[SpanLike]:
        """My spans under the cursor, innermost (shortest) first; the focused one first among equals."""
        spans = self._mine(self.source.spans_at(self.caret.cursor))
        spans.sort(key=lambda s: (s.end - s.start, s.id != self.focus_id, s.start, s.label))
        return spans

    def selected_span(self) -> SpanLike | None:
        """With a selection, my span whose range it is exactly; without, my innermost span under the cursor."""
        selection = self.caret.selection
        if selection is not None:
            exact = [s for s in self._mine(self.source.spans_over(*selection)) if (s.start, s.end) == selection]
            if not exact:
                return None
            exact.sort(key=lambda s: (s.id != self.focus_id, s.label))
            return exact[0]
        here = self.spans_here()
        return here[0] if here else None

    def target(self) -> tuple[int, int] | None:
        """What a label key tags when no span is selected: the selection, else the word under the cursor."""
        caret = self.caret
        selection = caret.selection
        if selection is not None:
            return selection
        word = textmod.word_at(caret.text, caret.cursor)
        if word is None:
            return None
        return snap(caret.text, *word, caret.words)

    def label_plan(self, label: str) -> Plan:
        """What the label key for ``label`` does now (rule 2 and 3 of :mod:`annotator.editing`)."""
        span = self.selected_span()
        if span is not None:
            if span.label == label:
                return Plan(ALREADY, label, span.start, span.end, span)
            twin = self._twin(span.start, span.end, label)
            if twin is not None:
                return Plan(ALREADY, label, twin.start, twin.end, twin)
            return Plan(RELABEL, label, span.start, span.end, span)
        target = self.target()
        if target is None:
            return Plan(NOTHING, label, reason="nothing to tag here: move onto a word or select with v")
        twin = self._twin(*target, label)
        if twin is not None:
            return Plan(ALREADY, label, twin.start, twin.end, twin)
        return Plan(TAG, label, *target)

    def keys_plan(self) -> Plan:
        """What the label keys in general do now (for the panel and the footer): a label-free plan."""
        span = self.selected_span()
        if span is not None:
            return Plan(RELABEL, "", span.start, span.end, span)
        target = self.target()
        if target is None:
            return Plan(NOTHING, reason="nothing to tag here")
        return Plan(TAG, "", *target)

    def _twin(self, start: int, end: int, label: str) -> SpanLike | None:
        for span in self._mine(self.source.spans_over(start, end)):
            if (span.start, span.end, span.label) == (start, end, label):
                return span
        return None

    # -- boundary keys -----------------------------------------------------------------------------

    def boundary_plan(self, edge: str, direction: int, span: SpanLike | None = None) -> Plan:
        """Move ``edge`` ('start' or 'end') of the selected span (or ``span``) one word, or one token in
        exact mode, left (-1) or right (+1). The result is snapped like every selection."""
        span = span if span is not None else self.selected_span()
        if span is None:
            return Plan(NOTHING, reason="no span selected")
        moved = move_range(self.text, span.start, span.end, edge, direction, self.caret.words)
        if moved is None:
            return Plan(NOTHING, span=span, reason="a span cannot be empty: delete it instead")
        if moved == (span.start, span.end):
            return Plan(NOTHING, span=span, reason="that edge cannot move further")
        twin = self._twin(*moved, span.label)
        if twin is not None and twin.id != span.id:
            return Plan(ALREADY, span.label, twin.start, twin.end, twin)
        return Plan(MOVE, span.label, *moved, span)

    # -- where the cursor rests ------------------------------------------------------------------

    def after_tag(self, start: int, end: int) -> None:
        """After a tag: no selection, the cursor on the first word after the new span."""
        caret = self.caret
        caret.clear()
        self.focus_id = None
        caret.move(textmod.next_word_start(caret.text, end - 1) if end > 0 else 0)

    def after_relabel(self, span: SpanLike) -> None:
        """After a relabel: the cursor and selection stay; the span stays the selected one."""
        self.focus_id = span.id

    def after_move(self, span: SpanLike, edge: str) -> None:
        """After a boundary edit: the span selected, the cursor on the edited edge."""
        caret = self.caret
        cursor = span.start if edge == "start" else caret.stop(span.end - 1)
        caret.select(span.start, span.end, cursor=cursor)
        self.focus_id = span.id

    def after_delete(self) -> None:
        self.caret.clear()
        self.focus_id = None

    def pick(self, span: SpanLike, cursor: int | None = None) -> None:
        """Make ``span`` the selected span (a jump, a pick from the list, a cycle)."""
        self.caret.select(span.start, span.end, cursor=span.start if cursor is None else cursor)
        self.focus_id = span.id

    def cycle_here(self) -> SpanLike | None:
        """Select the next of my spans under the cursor, from the innermost outwards (nested spans)."""
        here = self.spans_here()
        if not here:
            return None
        current = self.selected_span()
        index = 0
        if current is not None and current in here:
            index = (here.index(current) + 1) % len(here)
        span = here[index]
        self.pick(span, cursor=self.caret.cursor)
        return span


def move_range(text: str, start: int, end: int, edge: str, direction: int, words: bool) -> tuple[int, int] | None:
    """``[start, end)`` with one edge moved a word (a token when not ``words``), then snapped."""
    moved = textmod.move_edge(text, start, end, edge, direction, words=words)
    if moved is None:
        return None
    return snap(text, *moved, words)
