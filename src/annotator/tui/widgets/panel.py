"""The annotation panel on the right: labels with keys and counts, the span list, the selected span."""

from __future__ import annotations

from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style as TStyle
from textual.widgets import Static

from ...models import LabelSchema
from .span_list import SpanList


class AnnotationPanel(Vertical):
    DEFAULT_CSS = """
    AnnotationPanel {
        width: 36;
        height: 1fr;
        background: $surface;
        border-left: vkey $primary 50%;
    }
    AnnotationPanel .panel-title {
        height: 1;
        background: $panel;
        color: $foreground;
        text-style: bold;
        padding: 0 1;
    }
    AnnotationPanel #panel-labels {
        height: auto;
        padding: 0 1;
    }
    AnnotationPanel #panel-details {
        height: auto;
        max-height: 12;
        min-height: 3;
        padding: 0 1;
        border-top: hkey $primary 50%;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(Content("Labels"), classes="panel-title", id="labels-title")
        yield Static(Content(""), id="panel-labels")
        yield Static(Content("Spans"), classes="panel-title", id="spans-title")
        yield SpanList(id="span-list")
        yield Static(Content(""), id="panel-details")

    @property
    def span_list(self) -> SpanList:
        return self.query_one(SpanList)

    def show_labels(
        self, schema: LabelSchema, counts: dict[str, int], styles: dict[str, Style], initials: dict[str, str]
    ) -> None:
        """One line a label: its key, its number key, a swatch in its style, its name and count."""
        lines = []
        for number, label in enumerate(schema.labels, start=1):
            style = styles[label.name]
            number_key = str(number) if number <= 9 else " "
            lines.append(
                Content.assemble(
                    (label.key, "bold"), f" {number_key} ",
                    (f" {initials[label.name]} ", TStyle.from_rich_style(_swatch(style))), " ",
                    (label.name, TStyle.from_rich_style(style)),
                    f" {counts.get(label.name, 0)}",
                )
            )
        self.query_one("#panel-labels", Static).update(Content("\n").join(lines))
        total = sum(counts.values())
        self.query_one("#spans-title", Static).update(Content(f"Spans ({total})"))

    def show_details(self, content: Content) -> None:
        self.query_one("#panel-details", Static).update(content)

    @property
    def details_text(self) -> str:
        return str(self.query_one("#panel-details", Static).render())


def _swatch(style: Style) -> Style:
    """The label's colour as a solid block (falls back to reverse video without colours)."""
    colour = style.bgcolor or style.color
    if colour is None:
        return Style(reverse=True, bold=True)
    return Style(bgcolor=colour, color="black", bold=True)
