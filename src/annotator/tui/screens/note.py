"""The note modal: one line of text on a span. Enter saves, escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NoteScreen(ModalScreen[str | None]):
    """Returns the new note, or None when cancelled. An empty note removes the note."""

    DEFAULT_CSS = """
    NoteScreen {
        align: center middle;
    }
    NoteScreen > Vertical {
        width: 70%;
        max-width: 90;
        min-width: 40;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    NoteScreen Static {
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, label: str, note: str) -> None:
        super().__init__()
        self.label = label
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble("Note on ", (self.label, "bold"), ":"))
            yield Input(self.note, placeholder="a note for this span", id="note-input")
            yield Static(Content("enter saves · escape cancels · an empty note removes it"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
