"""The footer, the messages and the panel on small terminals, and repainting only what changed.

No byte counts here (they depend on the terminal and the machine: benchmarks/bench_traffic.py
measures them); these check the behaviour that keeps the bytes down: a block repaints only the
cells that changed, showing the same thing again repaints nothing, a message does not mount a
widget over the panel, and the footer shows whole keys only.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region

from annotator.tui.widgets.footer import KeysFooter
from annotator.tui.widgets.header import DocumentHeader
from annotator.tui.widgets.lines import LineBlock, changed_regions, changed_span
from annotator.tui.widgets.panel import AnnotationPanel
from test_snapshots import sample_app


def footer_of(app) -> KeysFooter:
    return app.screen.query_one(KeysFooter)


def keys_shown(app) -> set[str]:
    return {keys for keys, _ in footer_of(app).shown}


def assert_whole_entries(footer: KeysFooter) -> None:
    """The line is exactly the entries it lists, each whole, and fits its width."""
    line = footer.render().plain
    assert line == "  ".join(f"{keys} {what}" for keys, what in footer.shown)
    assert len(line) <= footer.size.width


async def test_the_footer_at_80_columns_shows_the_keys_of_each_state(tmp_path):
    app = sample_app(tmp_path)  # the cursor rests in the FIGURE "hundreds of gigabytes"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.selected_span() is not None
        # A span is selected: its keys (delete, the four edge keys, tab, undo) and the label keys.
        shown = keys_shown(app)
        assert {"cfse", "x", "<,.>", "tab", "u", "?"} <= shown, shown
        assert_whole_entries(footer_of(app))
        # No span under the cursor: no span keys, the rest stays.
        await pilot.press("g")
        await pilot.pause()
        assert screen.selected_span() is None
        shown = keys_shown(app)
        assert {"cfse", "tab", "u", "?"} <= shown and not {"x", "<,.>"} & shown, shown
        assert_whole_entries(footer_of(app))


async def test_at_60x20_the_footer_shows_whole_keys_and_the_document_gets_most_of_the_width(tmp_path):
    app = sample_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        for keys in ((), ("g",)):
            await pilot.press(*keys)
            await pilot.pause()
            footer = footer_of(app)
            assert_whole_entries(footer)
            assert footer.region.right <= 60
            assert "?" in keys_shown(app)  # help (every key) is the last to go
        view, panel = screen.view.region, screen.query_one(AnnotationPanel).region
        assert view.width > 60 * 0.6 and panel.right <= 60
        # The labels keep one line each (a cut name, never a wrapped one).
        labels = screen.query_one("#panel-labels", LineBlock)
        assert [line.split()[0] for line in labels.render().plain.splitlines()] == ["c", "f", "s", "e"]


async def test_messages_take_the_footer_line_never_the_panel_at_80x24(tmp_path, notifications):
    app = sample_app(tmp_path)
    async with app.run_test(size=(80, 24), message_hook=notifications) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(AnnotationPanel)
        app.notify("Deleted FIGURE [b]x[/b]\x1b[2J", timeout=30)
        await pilot.pause()
        footer = footer_of(app)
        assert footer.message is not None and "Deleted FIGURE [b]x[/b]" in footer.message
        assert "\x1b" not in footer.message  # shown as text: no markup, no control character
        assert not app.screen.query("Toast")  # nothing mounted over the screen
        assert not footer.region.overlaps(panel.region)
        line = footer.render().plain
        assert line.rstrip().endswith(footer.message) and "? Help" in line  # the main keys stay
        assert_message_fits(footer)
        assert notifications == [footer.message]  # still a Notify message for the app and the tests
        # A message wider than the line is cut, not wrapped over the document.
        app.notify("already tagged: " + "CLAIM " * 30, severity="warning", timeout=30)
        await pilot.pause()
        assert footer.render().plain.endswith("…") and len(footer.render().plain) <= footer.size.width
        footer.clear_message()
        await pilot.pause()
        assert footer.message is None and "…" not in footer.render().plain
        assert_whole_entries(footer)


def assert_message_fits(footer: KeysFooter) -> None:
    assert len(footer.render().plain) <= footer.size.width


async def test_a_real_action_s_message_goes_to_the_footer(tmp_path, notifications):
    app = sample_app(tmp_path)
    async with app.run_test(size=(80, 24), message_hook=notifications) as pilot:
        await pilot.pause()
        await pilot.press("z")  # toggles exact characters: says so
        await pilot.pause()
        assert notifications and footer_of(app).message == notifications[-1]
        assert not app.screen.query("Toast")


# -- repainting only what changed ---------------------------------------------------------------------


class BlockApp(App):
    def compose(self) -> ComposeResult:
        block = LineBlock(Content("c 1  CLAIM 2\nf 2  FIGURE 10"), id="block")
        block.styles.height = 2
        yield block
        yield DocumentHeader(id="header")


def spy_refreshes(widget, calls: list) -> None:
    original = widget.refresh

    def refresh(*regions, **kwargs):
        calls.append(regions)
        return original(*regions, **kwargs)

    widget.refresh = refresh


async def test_a_block_repaints_only_the_cells_that_changed():
    app = BlockApp()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        block = app.query_one("#block", LineBlock)
        calls: list = []
        spy_refreshes(block, calls)
        block.update(Content("c 1  CLAIM 3\nf 2  FIGURE 10"))
        assert calls == [(Region(11, 0, 1, 1),)]
        calls.clear()
        block.update(Content("c 1  CLAIM 3\nf 2  FIGURE 9"))  # shorter: the old cell is cleared too
        assert calls == [(Region(12, 1, 2, 1),)]
        calls.clear()
        block.update(Content("c 1  CLAIM 3\nf 2  FIGURE 9"))  # the same text again: nothing
        block.update(Content.assemble("c 1  CLAIM 3\nf 2  FIGURE ", ("9", "bold")))  # a style alone counts
        assert calls == [(Region(12, 1, 1, 1),)]
        await pilot.pause()
        assert block.render().plain == "c 1  CLAIM 3\nf 2  FIGURE 9"


async def test_the_header_shown_again_unchanged_repaints_nothing():
    app = BlockApp()
    async with app.run_test(size=(60, 5)) as pilot:
        header = app.query_one(DocumentHeader)
        header.show("doc.txt", 1, 3, "in_progress")
        await pilot.pause()
        calls: list = []
        spy_refreshes(header, calls)
        header.show("doc.txt", 1, 3, "in_progress")
        assert calls == []
        header.show("doc.txt", 2, 3, "in_progress")
        assert calls == [(Region(9, 0, 1, 1),)]  # "1/3" -> "2/3": one cell


def test_changed_span_never_splits_a_wide_character():
    from rich.segment import Segment
    from textual.strip import Strip

    def strip(text: str) -> Strip:
        return Strip([Segment(text)])

    assert changed_span(strip("ab中cd"), strip("ab中cd")) is None
    assert changed_span(strip("ab中cd"), strip("ab中ce")) == (5, 6)
    # 中 (cells 2-3) becomes 文: both cells; a wide character replaced by two narrow ones: both cells
    assert changed_span(strip("ab中cd"), strip("ab文cd")) == (2, 4)
    assert changed_span(strip("ab中cd"), strip("abxycd")) == (2, 4)
    # a combining mark changes the cell of its base character
    assert changed_span(strip("cafe"), strip("cafe\u0301")) == (3, 4)
    assert changed_regions([strip("ab"), strip("cd")], [strip("ab")]) == [Region(0, 1, 2, 1)]
