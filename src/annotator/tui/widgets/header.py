"""The one-line header: document name, position, my status, and the modes that are on."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.widget import Widget

from ...text import inline_text


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
        self._name = ""
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
        self._name = inline_text(name)
        self._rest = Content.assemble("  ", *parts)
        self._content = Content.assemble((self._name, "bold"), self._rest)
        self.refresh()

    def show_text(self, text: str) -> None:
        self._name = ""
        self._content = Content(text)
        self.refresh()

    @property
    def plain(self) -> str:
        return self._content.plain

    def render(self) -> Content:
        """The whole line; when it is too wide, the document name gives way (…) so the rest stays whole."""
        width = self.content_region.width
        if not self._name or width <= 0 or self._content.cell_length <= width:
            return self._content
        room = max(8, width - self._rest.cell_length)
        name = set_cell_size(self._name, room - 1).rstrip() + "…" if cell_len(self._name) > room else self._name
        return Content.assemble((name, "bold"), self._rest)
