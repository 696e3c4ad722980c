"""Hostile and unusual text on screen: inert rows, wide characters, wrapping (the text functions: tests/unit)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from annotator.models import Document
from annotator.store import ImportRecord
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.document_view import DocumentView, cell_widths
from tui_helpers import add_span, spans

HOSTILE = (
    "[bold]not bold[/b] [@click=app.quit]click[/] \x1b]0;pwned title\x07 then \x1b[2J clear "
    "csi\x9b31m nul\x00 bs\x08 ff\x0c cr\r bidi\u202eevil\u202c iso\u2066x\u2069 del\x7f\n"
    "中文字符 emoji 😀 family 👨\u200d👩\u200d👧 thumbs 👍🏽 flag 🇫🇷 cafe\u0301 tab\there\n"
    "عربي نص مع RTL\n"
)

FORBIDDEN = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)} | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


async def test_rendered_rows_never_carry_control_characters(store):
    document = Document.from_text("[b]hostile[/b] \x1b]0;x\x07.txt", HOSTILE)
    store.import_records([ImportRecord(document)], actor="t")
    add_span(store, document, 0, 6, "CLAIM")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.screen.view
        view.move_cursor(HOSTILE.index("\x1b"))
        await pilot.pause()
        seen = ""
        for y in range(view.scrollable_content_region.height):
            for segment in view.render_line(y):
                assert not set(segment.text) & FORBIDDEN, repr(segment.text)
                seen += segment.text
        assert "[bold]not bold[/b]" in seen and "[@click=app.quit]" in seen and "␛]0;pwned title␇" in seen
        header = app.screen.header.plain
        assert "[b]hostile[/b]" in header and not set(header) & FORBIDDEN
        assert app.screen.panel.span_list.rows[0].excerpt == "[bold]"
        await pilot.press("e")  # markup in the text never runs (app.quit would end the test)
        assert app.is_running


async def test_cursor_moves_by_character_over_wide_and_combining_characters(store):
    text = "中文 😀e\u0301x\ty"
    document = Document.from_text("wide.txt", text)
    store.import_records([ImportRecord(document)], actor="t")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.screen.view
        stops = [view.cursor]
        for _ in range(8):
            await pilot.press("l")
            stops.append(view.cursor)
        # 中0 文1 space2 😀3 e4 (combining acute 5) x6 tab7 y8: the acute is never a stop
        assert stops == [0, 1, 2, 3, 4, 6, 7, 8, 9]
        for _ in range(8):
            await pilot.press("h")
        assert view.cursor == 0
        assert [view.column_of(i) for i in (0, 1, 2, 3, 4, 6, 7, 8)] == [0, 2, 4, 5, 7, 8, 9, 12]
        assert view.offset_at(1, 0) == 0 and view.offset_at(2, 0) == 1 and view.offset_at(8, 0) == 6
        assert view.offset_at(11, 0) == 7  # inside the tab's cells
        view.move_cursor(5)  # onto the combining mark: lands on its base
        assert view.cursor == 4
        await pilot.press("e")  # the word under the cursor, combining mark included, in code points
        assert spans(store, document) == [(4, 7, "ENTITY")]  # the emoji before it is no part of the word


async def test_cursor_never_stops_inside_a_flag(store):
    text = "a 🇫🇷🇩🇪 b"  # two flags, four regional indicators
    document = Document.from_text("flags.txt", text)
    store.import_records([ImportRecord(document)], actor="t")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.screen.view
        stops = [view.cursor]
        for _ in range(5):
            await pilot.press("l")
            stops.append(view.cursor)
        assert stops == [0, 1, 2, 4, 6, 7]
        backward = []
        for _ in range(3):
            await pilot.press("h")
            backward.append(view.cursor)
        assert backward == [6, 4, 2]
        view.move_cursor(3)  # into the first flag: lands on its start
        assert view.cursor == 2
        view.move_cursor(5)
        assert view.cursor == 4


async def test_long_lines_soft_wrap_and_the_cursor_follows(store):
    text = " ".join(f"word{i}" for i in range(400)) + "\n" + "x" * 500
    document = Document.from_text("long.txt", text)
    store.import_records([ImportRecord(document)], actor="t")
    app = AnnotatorApp(store, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.view
        assert view.row_count > 30
        width = view.scrollable_content_region.width
        for row in range(view.row_count):
            assert cell_len(view.row_text(row)) <= width - 1
        await pilot.press("G")
        assert view.cursor == len(text)
        assert view.scroll_offset.y > 0
        await pilot.press("g", "j")
        assert view.row_of(view.cursor) == 1


TRICKY = st.sampled_from(list("ab  \t中😀\u0301\u200d\ufe0f❤🏽x.") + ["\u00e9", "\u05d0"])


@settings(max_examples=200, deadline=None)
@given(st.lists(TRICKY, max_size=120).map("".join), st.integers(min_value=2, max_value=30))
def test_wrap_rows_cover_each_line_exactly_and_fit(line, wrap):
    starts: list[int] = []
    ends: list[int] = []
    DocumentView.wrap_measured(line, 0, wrap, starts, ends)
    assert starts[0] == 0 and ends[-1] == len(line)
    assert all(ends[i] == starts[i + 1] for i in range(len(starts) - 1))
    widths = cell_widths(line)
    assert sum(widths) == sum(cell_len(piece) for piece in line.split("\t"))
    for start, end in zip(starts, ends):
        row = line[start:end]
        if "\t" not in row and end - start > 1:
            assert sum(widths[start:end]) <= wrap
        # a row never starts with a zero-width character cut from its base
        if start > 0 and row:
            assert unicodedata.combining(row[0]) == 0 or line[start - 1] in " \t"


def test_a_variation_selector_after_a_tab_widens_nothing():
    """Found by the wrap property test: '❤\\t\\ufe0f' measured the heart as 2 cells across the tab."""
    line = "❤\t\ufe0f"
    assert cell_widths(line) == [1, 0, 0]
    starts: list[int] = []
    ends: list[int] = []
    DocumentView.wrap_measured(line, 0, 2, starts, ends)
    assert starts[0] == 0 and ends[-1] == len(line)
