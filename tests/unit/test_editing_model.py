"""The editing model under random keys, over random Unicode text with random existing spans.

A hypothesis state machine presses keys (moves, marks, label keys, boundary keys, delete, link,
undo) on :class:`annotator.editing.SpanEditor` and carries out its plans through a real store, as
the screens do. After every step:

* no annotator holds two spans with the same start, end and label, nor two identical relations;
* every span made or edited in word mode is snapped (``snap(text, s, e) == (s, e)``): no split
  word or grapheme, no edge whitespace, no unbalanced edge punctuation;
* a label key on a selected span never changes the span count;
* undo returns the exact previous state of my spans and relations.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from annotator.editing import Caret, SpanEditor
from annotator.editing.editor import ALREADY, MOVE, NOTHING, RELABEL, TAG
from annotator.errors import AlreadyExists
from annotator.models import Document, Relation, Span
from annotator.store import Store
from annotator.text import next_word_start, previous_word_start, snap

ME, OTHER = "alice", "bob"
LABELS = ("CLAIM", "FIGURE", "SOURCE", "ENTITY")

PIECES = st.sampled_from([
    "Evin", "prison", "Raisi’s", "$48.6", "5%", "Covid-19", "(NCRI)", "“hanged,”", "don't", "state-run",
    "U.S.", "café", "cafe\u0301", "👩🏽\u200d💻", "🇮🇷", "👍🏽", "—", ",", ".", "(", ")", "\"", "«", "»", "Straße",
    "e.g.", "日本語", "x", "",
])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "  ", "\n\n", "\t", ""])


@st.composite
def texts(draw) -> str:
    parts = draw(st.lists(st.tuples(PIECES, SEPARATORS), min_size=1, max_size=25))
    text = "".join(p + s for p, s in parts)
    return text if text.strip() else "word"


class StoreSpans:
    """The editor's SpanSource over the store (what the screen's view index gives it)."""

    def __init__(self, store: Store, document_id: str) -> None:
        self.store, self.document_id = store, document_id

    def _all(self) -> list[Span]:
        return self.store.spans_for(self.document_id)

    def spans_at(self, offset: int) -> list[Span]:
        return [s for s in self._all() if s.start <= offset < s.end]

    def spans_over(self, start: int, end: int) -> list[Span]:
        return [s for s in self._all() if s.start < end and start < s.end]

    def get(self, span_id: str) -> Span | None:
        return next((s for s in self._all() if s.id == span_id), None)


def state(store: Store, document_id: str, annotator: str) -> tuple[frozenset, frozenset]:
    spans = frozenset((s.id, s.start, s.end, s.label, s.note) for s in store.spans_for(document_id, annotator))
    relations = frozenset((r.id, r.head, r.child, r.label) for r in store.relations_for(document_id, annotator))
    return spans, relations


class EditingMachine(RuleBasedStateMachine):
    @initialize(text=texts(), data=st.data())
    def open(self, text: str, data) -> None:
        import tempfile
        from pathlib import Path

        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store(Path(self.tmp.name) / "a.db")
        self.doc = self.store.add_document(Document.from_text("a.txt", text))
        self.text = self.doc.text
        n = len(self.text)
        # Random existing spans (not snapped: they came from a file): mine and someone else's.
        for _ in range(data.draw(st.integers(0, 6))):
            start = data.draw(st.integers(0, n - 1))
            end = data.draw(st.integers(start + 1, n))
            who = data.draw(st.sampled_from([ME, OTHER]))
            try:
                self.store.add_span(Span(document_id=self.doc.id, start=start, end=end,
                                         label=data.draw(st.sampled_from(LABELS)), annotator=who))
            except AlreadyExists:
                pass
        self.caret = Caret(self.text, 0)
        self.editor = SpanEditor(self.caret, ME, StoreSpans(self.store, self.doc.id))
        self.snapped: set[str] = set()  # ids of my spans last written in word mode
        #: My state before each of my actions (and which spans were snapped then).
        self.history: list[tuple[tuple[frozenset, frozenset], set[str]]] = []

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            self.tmp.cleanup()

    def _mine(self) -> tuple[frozenset, frozenset]:
        return state(self.store, self.doc.id, ME)

    def _did(self, before: tuple[frozenset, frozenset], snapped: set[str]) -> None:
        if self._mine() != before:
            self.history.append((before, snapped))

    # -- keys that move and select ------------------------------------------------------------------

    @rule(offset=st.integers(0, 10_000))
    def move(self, offset: int) -> None:
        self.caret.move(offset % (len(self.text) + 1))

    @rule(select=st.booleans())
    def word_right(self, select: bool) -> None:
        self.caret.move(next_word_start(self.text, self.caret.cursor), select=select)

    @rule(select=st.booleans())
    def word_left(self, select: bool) -> None:
        self.caret.move(previous_word_start(self.text, self.caret.cursor), select=select)

    @rule(select=st.booleans())
    def char_right(self, select: bool) -> None:
        self.caret.move(self.caret.right_of(self.caret.cursor), select=select)

    @rule()
    def mark(self) -> None:
        if self.caret.visual:
            self.caret.clear()
        else:
            self.caret.start_mark()

    @rule()
    def escape(self) -> None:
        self.caret.clear()

    @rule()
    def toggle_exact(self) -> None:
        self.caret.words = not self.caret.words

    @rule()
    def cycle(self) -> None:
        self.editor.cycle_here()

    # -- keys that write ---------------------------------------------------------------------------

    @rule(label=st.sampled_from(LABELS))
    def label_key(self, label: str) -> None:
        before, snapped = self._mine(), set(self.snapped)
        selected = self.editor.selected_span()
        count = len(before[0])
        plan = self.editor.label_plan(label)
        if plan.kind == TAG:
            assert selected is None
            span = Span(document_id=self.doc.id, start=plan.start, end=plan.end, label=label, annotator=ME)
            try:
                stored = self.store.add_span(span)
            except AlreadyExists:
                raise AssertionError("the plan tagged a span that exists") from None
            if self.caret.words:
                self.snapped.add(stored.id)
            else:
                self.snapped.discard(stored.id)
            self.editor.after_tag(plan.start, plan.end)
        elif plan.kind == RELABEL:
            assert plan.span is not None and plan.span.id == selected.id
            self.store.update_span(plan.span.id, ME, label=label)
            self.editor.after_relabel(plan.span)
        else:
            assert plan.kind in (ALREADY, NOTHING)
        if selected is not None:
            assert len(self._mine()[0]) == count, "a label key on a selected span changed the span count"
        self._did(before, snapped)

    @rule(edge=st.sampled_from(["start", "end"]), direction=st.sampled_from([-1, 1]))
    def boundary_key(self, edge: str, direction: int) -> None:
        before, snapped = self._mine(), set(self.snapped)
        plan = self.editor.boundary_plan(edge, direction)
        if plan.kind == MOVE:
            assert plan.span is not None
            updated = self.store.update_span(plan.span.id, ME, start=plan.start, end=plan.end)
            if self.caret.words:
                assert snap(self.text, plan.start, plan.end, words=True) == (plan.start, plan.end)
                self.snapped.add(updated.id)
            else:
                self.snapped.discard(updated.id)
            self.editor.after_move(updated, edge)
            selected = self.editor.selected_span()
            assert selected is not None and selected.id == updated.id, "the edited span stays selected"
            cursor = self.caret.cursor
            assert cursor == updated.start if edge == "start" else updated.start <= cursor < updated.end
        self._did(before, snapped)

    @rule()
    def delete(self) -> None:
        before, snapped = self._mine(), set(self.snapped)
        span = self.editor.selected_span()
        if span is not None:
            self.store.delete_span(span.id, ME)
            self.editor.after_delete()
        self._did(before, snapped)

    @rule(data=st.data())
    def link(self, data) -> None:
        mine = self.store.spans_for(self.doc.id, ME)
        heads = [s for s in mine if s.label in ("CLAIM", "FIGURE")]
        children = [s for s in mine if s.label == "SOURCE"]
        if not heads or not children:
            return
        before, snapped = self._mine(), set(self.snapped)
        head, child = data.draw(st.sampled_from(heads)), data.draw(st.sampled_from(children))
        try:
            self.store.add_relation(Relation(document_id=self.doc.id, head=head.id, child=child.id,
                                             label="ATTRIBUTED_TO", annotator=ME))
        except AlreadyExists:
            pass  # the same link again: refused, nothing stored
        self._did(before, snapped)

    @precondition(lambda self: bool(getattr(self, "history", None)))
    @rule()
    def undo(self) -> None:
        expected, self.snapped = self.history.pop()
        result = self.store.undo(ME)
        assert result is not None and not result.skipped
        assert self._mine() == expected, "undo did not return the exact previous state"

    # -- after every step ---------------------------------------------------------------------------

    @invariant()
    def no_duplicates(self) -> None:
        if not hasattr(self, "store"):
            return
        for who in (ME, OTHER):
            spans = [(s.start, s.end, s.label) for s in self.store.spans_for(self.doc.id, who)]
            assert len(spans) == len(set(spans)), f"duplicate spans of {who}"
            relations = [(r.head, r.child, r.label) for r in self.store.relations_for(self.doc.id, who)]
            assert len(relations) == len(set(relations)), f"duplicate relations of {who}"

    @invariant()
    def word_mode_spans_are_snapped(self) -> None:
        if not hasattr(self, "store"):
            return
        for span in self.store.spans_for(self.doc.id, ME):
            if span.id in self.snapped:
                assert snap(self.text, span.start, span.end, words=True) == (span.start, span.end), (
                    repr(self.text[span.start:span.end]))

    @invariant()
    def selection_is_snapped(self) -> None:
        if not hasattr(self, "caret"):
            return
        selection = self.caret.selection
        if selection is not None and self.caret.mode != "fixed":
            assert snap(self.text, *selection, words=self.caret.words) == selection


EditingMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
test_editing_model = EditingMachine.TestCase
