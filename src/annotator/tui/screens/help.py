"""The help screen of both screens: every key, generated from the bindings table with the user's
keymap applied, so it never drifts from what the keys do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from .. import bindings as b


def help_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys, description)]) for every key of ``screen`` (its ``KEYS_SCREEN``: the document
    view's, its own, its label keys and the app's), in the order of :data:`bindings.SECTIONS`."""
    sections: dict[str, list[tuple[str, str]]] = {}
    keymap = b.keymap_of(screen)
    for entry in b.entries(screen.KEYS_SCREEN, getattr(screen, "schema", None), keymap):
        sections.setdefault(entry.section, []).append((entry.shown_keys, entry.long))
    return [(heading, sections[heading]) for heading in b.SECTIONS if heading in sections]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen Static {
        height: auto;
    }
    """

    BINDINGS = b.help_bindings()

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.sections = help_sections(screen)
        keymap = b.keymap_of(screen)
        self.title_text = getattr(screen, "HELP_TITLE", "annotator keys")
        self.intro = (f"  ({b.first_key('cancel', keymap)} closes; {getattr(screen, 'HELP_SAVED', '')}; "
                      f"{b.first_key('undo', keymap)} undoes it)\n")
        self.notes = getattr(screen, "HELP_NOTES", "")

    def compose(self) -> ComposeResult:
        parts: list = [(self.title_text, "bold"), self.intro]
        width = max((len(keys) for _h, rows in self.sections for keys, _d in rows), default=10)
        width = min(width, 28)
        for heading, rows in self.sections:
            parts += ["\n", (heading, "bold underline"), "\n"]
            for keys, description in rows:
                parts += [(keys.ljust(width), "bold"), "  ", description, "\n"]
        if self.notes:
            parts += ["\n", self.notes, "\n"]
        with VerticalScroll(id="help-scroll"):
            yield Static(Content.assemble(*parts), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.query_one(VerticalScroll).scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.query_one(VerticalScroll).scroll_page_up(animate=False)
