"""A one-line notice shown while a write waits for the database's lock."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class DatabaseWait(Widget):
    """``⏳ waiting 2.3 s for the database …`` under the header; hidden when nothing waits."""

    DEFAULT_CSS = """
    DatabaseWait {
        height: 1;
        display: none;
        background: $warning 30%;
        color: $foreground;
        padding: 0 1;
    }
    DatabaseWait.-waiting { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.seconds: float | None = None

    def show(self, seconds: float | None, count: int = 1) -> None:
        self.seconds = seconds
        self.set_class(seconds is not None, "-waiting")
        self.refresh()

    def render(self) -> Content:
        if self.seconds is None:
            return Content("")
        return Content.assemble(
            ("⏳ waiting ", "bold"), (f"{self.seconds:.1f} s", "bold"), (" for the database", "bold"),
            " (another session is writing); nothing is lost",
        )
