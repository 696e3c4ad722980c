"""The one-line header: document name, position, my status, and the modes that are on."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from ..text import inline_text


class DocumentHeader(Widget):
    """Shows ``name  3/12  in progress`` plus mode flags. The name is shown literally (never markup)."""

    DEFAULT_CSS = """
    DocumentHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = Content("")

    def show(
        self, name: str, position: int, count: int, status: str, flags: list[str] | None = None,
        readonly: bool = False,
    ) -> None:
        parts: list[tuple[str, str] | str] = [
            (inline_text(name), "bold"),
            "  ",
            (f"{position}/{count}", "bold"),
            "  ",
            (status.replace("_", " "), "italic" if status != "done" else "bold reverse"),
        ]
        if readonly:
            parts += ["  ", ("read-only", "bold reverse")]
        for flag in flags or []:
            parts += ["  ", (f"[{inline_text(flag)}]", "bold")]
        self._content = Content.assemble(*parts)
        self.refresh()

    def show_text(self, text: str) -> None:
        self._content = Content(text)
        self.refresh()

    @property
    def plain(self) -> str:
        return self._content.plain

    def render(self) -> Content:
        return self._content
