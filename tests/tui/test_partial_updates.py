"""Writing only the dirty cells of a line (annotator.tui.compat's replacement for Textual's
``ChopsUpdate.render_segments``) leaves the terminal exactly as a full repaint would.

A real terminal emulator (pyte) is given the old line, then either the new line whole or the
partial update of its changed cells; the two screens must be the same, character and attributes,
with wide characters, combining marks and several widgets (chops) on the line.
"""

from __future__ import annotations

import io

import pyte
from hypothesis import given, note, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from annotator.tui import compat
from annotator.tui.widgets.lines import changed_span

WIDTH = 24
STYLES = [Style(color="red"), Style(color="blue", bold=True), Style(bgcolor="green"), Style()]
CHARACTERS = ["a", "b", " ", "é", "e\u0301", "中", "文", "😀", "“"]


def console() -> Console:
    return Console(file=io.StringIO(), width=80, color_system="truecolor", force_terminal=True, legacy_windows=False)


@st.composite
def strips(draw) -> Strip:
    """A line of exactly WIDTH cells in a few styled segments."""
    segments = []
    cells = 0
    while cells < WIDTH:
        text = ""
        for _ in range(draw(st.integers(1, 5))):
            character = draw(st.sampled_from(CHARACTERS))
            width = Strip([Segment(character)]).cell_length
            if cells + width > WIDTH:
                break
            text += character
            cells += width
        if not text:
            text = " " * (WIDTH - cells)
            cells = WIDTH
        segments.append(Segment(text, draw(st.sampled_from(STYLES))))
    return Strip(segments)


def screen_after(*updates: str, lines: int = 2) -> list[list[tuple]]:
    screen = pyte.Screen(3 * WIDTH, lines)
    stream = pyte.Stream(screen)
    for update in updates:
        stream.feed(update)
    return [[(c.data, c.fg, c.bg, c.bold) for c in (screen.buffer[y][x] for x in range(3 * WIDTH))]
            for y in range(lines)]


def write(line: list[tuple[int, Strip]], spans: list[tuple[int, int, int]]) -> str:
    """The update Textual would send for one screen line made of chops (x, strip)."""
    chops = [dict(line), {}]
    ends = [[x + strip.cell_length for x, strip in line], []]
    return ChopsUpdate(chops, spans, ends).render_segments(console())


@settings(max_examples=500, deadline=None)
@given(old=strips(), new=strips(), left=strips())
def test_a_partial_line_update_leaves_the_screen_as_a_full_repaint_does(old, new, left):
    """Two widgets side by side (chops at 0 and at WIDTH); the second one changes."""
    span = changed_span(old, new)
    if span is None:
        return
    before = write([(0, left), (WIDTH, old)], [(0, 0, 2 * WIDTH)])
    full = write([(0, left), (WIDTH, new)], [(0, 0, 2 * WIDTH)])
    compat.install_partial_line_updates()
    partial = write([(0, left), (WIDTH, new)], [(0, WIDTH + span[0], WIDTH + span[1])])
    note(repr((old, new, left, span, partial)))
    assert screen_after(before, partial) == screen_after(before, full)


LINES = 3


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_run_of_updates_leaves_the_terminal_as_textual_s_own_writes_do(data):
    """A full update, then partial ones (two widgets a line, some of them changed, each changed line
    dirty from its first to its last changed cell or wider, some lines dirty with no change): after
    each, the terminal shows what a full repaint shows (Textual's own writes can show half of a wide
    character when a span ends inside it: they are compared by their length only)."""
    lines = [[data.draw(strips()), data.draw(strips())] for _ in range(LINES)]
    ours_console, textual_console = console(), console()
    full = LayoutUpdate([list(line) for line in lines], Region(0, 0, 2 * WIDTH, LINES))
    ours = [compat._render_layout(full, ours_console)]
    textual = [compat._TEXTUAL_LAYOUT_RENDER(full, textual_console)]
    for _ in range(data.draw(st.integers(1, 4))):
        spans = []
        for y in range(LINES):
            changed = []
            for part in (0, 1):
                if data.draw(st.booleans()):
                    new = data.draw(strips())
                    span = changed_span(lines[y][part], new)
                    if span is not None:
                        changed.append((part * WIDTH + span[0], part * WIDTH + span[1]))
                    lines[y][part] = new
            if changed or data.draw(st.booleans()):
                x1 = min((a for a, _ in changed), default=data.draw(st.integers(0, 2 * WIDTH - 1)))
                x2 = max((b for _, b in changed), default=x1 + 1)
                x1 = max(0, x1 - data.draw(st.integers(0, 3)))
                x2 = min(2 * WIDTH, x2 + data.draw(st.integers(0, 3)))
                spans.append((y, x1, x2))
        if not spans:
            continue
        chops = [{0: line[0], WIDTH: line[1]} for line in lines]
        update = ChopsUpdate(chops, spans, [[WIDTH, 2 * WIDTH]] * LINES)
        ours.append(compat._render_segments(update, ours_console))
        textual.append(compat._TEXTUAL_CHOPS_RENDER(update, textual_console))
        repaint = compat._TEXTUAL_LAYOUT_RENDER(LayoutUpdate([list(line) for line in lines],
                                                             Region(0, 0, 2 * WIDTH, LINES)), console())
        assert screen_after(*ours, lines=LINES) == screen_after(repaint, lines=LINES)
    assert sum(map(len, ours[1:])) <= sum(map(len, textual[1:]))


def test_the_partial_update_writes_only_from_the_changed_cell():
    old = Strip([Segment("c 1  CLAIM 2        ", Style(color="red"))])
    new = Strip([Segment("c 1  CLAIM 3        ", Style(color="red"))])
    start, end = changed_span(old, new)
    assert (start, end) == (11, 12)
    try:
        compat.install_partial_line_updates(False)
        textual_own = write([(10, new)], [(0, 10 + start, 10 + end)])
    finally:
        compat.install_partial_line_updates()
    ours = write([(10, new)], [(0, 10 + start, 10 + end)])
    assert "c 1  CLAIM 3" in textual_own  # Textual writes from the widget's first cell
    assert "CLAIM" not in ours and "3" in ours and "\x1b[1;22H" in ours  # we write one cell, at column 22


def test_the_start_never_splits_a_character():
    line = Strip([Segment("ab"), Segment("中文", Style(bold=True)), Segment("e\u0301f")])
    assert compat.crop_start(line, 0) == 0
    assert compat.crop_start(line, 2) == 2
    assert compat.crop_start(line, 3) == 2  # the second half of 中
    assert compat.crop_start(line, 5) == 4
    assert compat.crop_start(line, 6) == 6  # é: e then its mark
    assert compat.crop_start(line, 7) == 6  # the mark may come first in the cropped part: write é whole
    assert compat.crop_start(Strip([Segment("abcd")]), 3) == 3
    assert compat.crop_end(line, 3) == 4  # through 中: to its end
    assert compat.crop_end(line, 4) == 4
    assert compat.crop_end(line, 7) == 8  # after e, before its mark: the mark and f too
    assert compat.crop_end(line, 8) == 8
