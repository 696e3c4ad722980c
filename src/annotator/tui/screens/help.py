"""The help screen: every key of the annotation screen, generated from its bindings so it never drifts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static



def help_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys, description)]) for the document view and the screen, plus the app's own keys."""
    from ..commands import binding_entries

    sections: dict[str, list[tuple[str, str]]] = {}
    view = getattr(screen, "view", None)
    for node, action, description, keys in binding_entries(screen):
        if node is view:
            heading = "Select" if action.startswith("select") or action in ("toggle_visual", "clear_selection") \
                else "Move"
        else:
            headings = getattr(screen, "HELP_HEADINGS", {})
            heading = headings.get(action.split("(")[0], "Other")
        sections.setdefault(heading, []).append((", ".join(keys), description))
    sections.setdefault("Other", []).extend(
        [("ctrl+p", "Command palette: every action by name, go to a document"), ("ctrl+q", "Quit")]
    )
    order = ["Move", "Select", "Tag and edit", "Relations", "Documents", "Search", "Other"]
    return [(heading, sections[heading]) for heading in sorted(sections, key=lambda h: (order.index(h)
            if h in order else len(order), h))]


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

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.sections = help_sections(screen)

    def compose(self) -> ComposeResult:
        parts: list = [
            ("annotator keys", "bold"),
            "  (escape closes; every change is saved at once; u undoes it)\n",
        ]
        width = max((len(keys) for _h, rows in self.sections for keys, _d in rows), default=10)
        width = min(width, 28)
        for heading, rows in self.sections:
            parts += ["\n", (heading, "bold underline"), "\n"]
            for keys, description in rows:
                parts += [(keys.ljust(width), "bold"), "  ", description, "\n"]
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
