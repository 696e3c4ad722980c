"""The search prompt at the bottom: enter jumps to the first match from the cursor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class SearchScreen(ModalScreen[str | None]):
    """Returns the query (literal text, smart case: see :mod:`annotator.text.search`), or None when cancelled."""

    DEFAULT_CSS = """
    SearchScreen {
        align: left bottom;
        background: transparent;
    }
    SearchScreen > Horizontal {
        height: 3;
        width: 100%;
        background: $panel;
        dock: bottom;
    }
    SearchScreen Static {
        width: auto;
        padding: 1 1 0 1;
    }
    SearchScreen Input {
        width: 1fr;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="search.cancel")]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(Content("Search /"))
            yield Input(self.query_text, placeholder="text to find (enter: go, escape: cancel)", id="search-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
