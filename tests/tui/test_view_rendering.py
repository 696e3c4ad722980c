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
