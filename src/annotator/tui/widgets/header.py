"""The one-line header: document name, position, my status, and the modes that are on."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from ...text import inline_text
from .lines import LineBlock


class DocumentHeader(LineBlock):
    """Shows ``name  3/12  in progress`` plus mode flags. The name is shown literally (never markup).
    Showing the same line again writes nothing; a change repaints only the cells that differ."""

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
        self._document_name = ""
        self._rest = Content("")

    def show(
        self, name: str, position: int, count: int, status: str, flags: list[str] | None = None,
        readonly: bool = False,
    ) -> None:
        parts: list[tuple[str, str] | str] = [
            (f"{position}/{count}", "bold"),
            "  ",
            (status.replace("_", " "), "italic" if status != "done" else "bold reverse"),
        ]
        if readonly:
            parts += ["  ", ("read-only", "bold reverse")]
        for flag in flags or []:
            parts += ["  ", (f"[{inline_text(flag)}]", "bold")]
        self._document_name = inline_text(name)
        self._rest = Content.assemble("  ", *parts)
        self.update(Content.assemble((self._document_name, "bold"), self._rest))

    def show_text(self, text: str) -> None:
        self._document_name = ""
        self.update(Content(text))

    def content_for_width(self, width: int) -> Content:
        """The whole line; when it is too wide, the document name gives way (…) so the rest stays whole."""
        if not self._document_name or width <= 0 or self._content.cell_length <= width:
            return self._content
        room = max(8, width - self._rest.cell_length)
        name = self._document_name
        if cell_len(name) > room:
            name = set_cell_size(name, room - 1).rstrip() + "…"
        return Content.assemble((name, "bold"), self._rest)
