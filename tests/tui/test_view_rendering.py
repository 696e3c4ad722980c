"""The document view and the span list draw what is visible, the same way Rich would.

The view cuts and styles a row itself (``styled_pieces``) instead of building a Rich ``Text``
per row; screenshots compare segments, so the pieces must be exactly Rich's. The span list
describes a row only when it is shown.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text

from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.document_view import styled_pieces
from annotator.tui.widgets.highlight_index import BLOCK, Highlight, HighlightIndex
from annotator.tui.widgets.span_list import SpanRow

STYLES = [Style(color="red"), Style(bgcolor="blue", bold=True), Style(italic=True), Style(underline=True, dim=True),
          Style.null()]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab é\t中", max_size=12),
    st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14), st.sampled_from(STYLES)), max_size=6),
)
def test_styled_pieces_are_the_segments_rich_renders(text, spans):
    rich_text = Text(text, end="", no_wrap=True)
    for lo, hi, style in spans:
        rich_text.stylize(style, lo, hi)
    expected = [(s.text, s.style or Style.null()) for s in rich_text.render(Console()) if s.text]
    assert [(s.text, s.style) for s in styled_pieces(text, spans)] == expected


def _span(draw_id: int, start: int, length: int) -> Span:
    return Span.model_construct(id=f"s{draw_id}", document_id="d", start=start, end=start + length, label="CLAIM",
                                annotator="alice" if draw_id % 2 else "bob")


#: Offsets anywhere, and offsets next to block edges (where a short span reaches into the next block).
OFFSETS = st.one_of(st.integers(0, 6 * BLOCK),
                    st.builds(lambda block, delta: max(0, block * BLOCK + delta), st.integers(0, 6), st.integers(-2, 2)))
PLACES = st.tuples(OFFSETS, st.sampled_from([1, 2, 3, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(PLACES, max_size=40),
    st.lists(st.tuples(st.booleans(), st.integers(0, 60), PLACES), max_size=20),
    st.lists(st.tuples(OFFSETS, st.sampled_from([0, 1, 2, 80, BLOCK, 2 * BLOCK])), min_size=1, max_size=8),
)
def test_the_highlight_index_finds_what_a_scan_finds(initial, changes, probes):
    """Spans given up front (built lazily through a look) and highlights added or removed later."""
    def look(span: Span) -> tuple[Style, int]:
        return (STYLES[0], 1) if span.annotator == "alice" else (STYLES[1], 0)

    spans = [_span(i, start, length) for i, (start, length) in enumerate(initial)]
    index = HighlightIndex()
    index.reset(spans, look)
    expected = {s.id: Highlight(s.id, s.start, s.end, *look(s)) for s in spans}
    for step, (adding, which, (start, length)) in enumerate(changes):
        highlight_id = f"s{which}"
        if adding:
            highlight = Highlight(highlight_id, start, start + length, STYLES[2], step)
            old = index.add(highlight)
            previous = expected.get(highlight_id)
            assert old == (None if previous is None else (previous.start, previous.end))
            expected[highlight_id] = highlight
        else:
            previous = expected.pop(highlight_id, None)
            assert index.remove(highlight_id) == (None if previous is None else (previous.start, previous.end))
        for start_probe, width in probes:  # ask between changes too, so built blocks must be forgotten
            end_probe = start_probe + width
            found = sorted(index.between(start_probe, end_probe))
            assert found == sorted(h for h in expected.values() if h.start < end_probe and h.end > start_probe)
            assert sorted(index.at(start_probe)) == sorted(
                h for h in expected.values() if h.start <= start_probe < h.end)
    assert len(index) == len(expected)
    assert all(index.get(i) == h for i, h in expected.items())


def _big_store(tmp_path, count: int) -> Store:
    words = [f"word{i}" for i in range(count)]
    text = " ".join(words)
    document = Document.from_text("many.txt", text)
    spans, offset = [], 0
    for word in words:
        spans.append(Span(document_id=document.id, start=offset, end=offset + len(word), label="CLAIM",
                          annotator="alice"))
        offset += len(word) + 1
    store = Store(tmp_path / "many.db")
    store.import_records([ImportRecord(document, spans)], actor="t")
    return store


async def test_the_span_list_describes_only_the_rows_it_shows(tmp_path):
    app = AnnotatorApp(_big_store(tmp_path, 2000), "alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        span_list = screen.panel.span_list
        assert len(span_list.rows) == 2000
        assert span_list.rows[1999].excerpt == "word1999"
        described: list[str] = []

        def describe(span_id: str) -> SpanRow:
            described.append(span_id)
            span = screen.spans[span_id]
            return SpanRow(span.id, span.start, span.end, "C", Style(), span_id, span.annotator)

        span_list.set_spans(screen.spans.values(), describe)
        await pilot.pause()
        assert 0 < len(described) <= span_list.size.height  # the visible rows, not 2,000
        assert span_list.rows[1999].excerpt == screen.spans[span_list.keys[1999][2]].id  # read on demand
