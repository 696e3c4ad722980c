"""The annotation panel on the right: labels with keys and counts, the span list, the selected span."""

from __future__ import annotations

from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style as TStyle

from ...models import LabelSchema
from .lines import LineBlock
from .span_list import SpanList


class TextBlock(LineBlock):
    """A fixed-height block of literal Content. Updating it repaints only the cells that changed,
    without a layout pass (``Static.update`` re-lays out the whole screen, which costs tens of
    milliseconds and repaints every scrollbar)."""

    DEFAULT_CSS = """
    TextBlock {
        height: 1;
    }
    """


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
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AnnotationPanel #panel-labels {
        padding: 0 1;
        text-wrap: nowrap;  /* one line a label, whatever the width: a long name is cut, not wrapped */
        text-overflow: ellipsis;
    }
    AnnotationPanel #panel-details {
        height: 9;
        padding: 0 1;
        border-top: hkey $primary 50%;
    }
    """

    def __init__(self, schema: LabelSchema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self._label_prefixes: dict[tuple, Content] = {}

    def compose(self) -> ComposeResult:
        yield TextBlock(Content("Labels  (key, number)"), classes="panel-title", id="labels-title")
        labels = TextBlock(id="panel-labels")
        labels.styles.height = len(self.schema.labels)
        yield labels
        yield TextBlock(Content("Spans"), classes="panel-title", id="spans-title")
        yield SpanList(id="span-list")
        yield TextBlock(id="panel-details")

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
            key = (label.name, label.key, number, initials[label.name], style)
            prefix = self._label_prefixes.get(key)
            if prefix is None:  # the same for every document: only the count changes
                number_key = str(number) if number <= 9 else " "
                prefix = self._label_prefixes[key] = Content.assemble(
                    (label.key, "bold"), f" {number_key} ",
                    (f" {initials[label.name]} ", TStyle.from_rich_style(_swatch(style))), " ",
                    (label.name, TStyle.from_rich_style(style)),
                )
            lines.append(prefix + f" {counts.get(label.name, 0)}")
        self.query_one("#panel-labels", TextBlock).update(Content("\n").join(lines))
        total = sum(counts.values())
        self.query_one("#spans-title", TextBlock).update(Content(f"Spans ({total})"))

    def show_details(self, content: Content) -> None:
        self.query_one("#panel-details", TextBlock).update(content)

    @property
    def details_text(self) -> str:
        return self.query_one("#panel-details", TextBlock).content.plain


def _swatch(style: Style) -> Style:
    """The label's colour as a solid block (falls back to reverse video without colours)."""
    colour = style.bgcolor or style.color
    if colour is None:
        return Style(reverse=True, bold=True)
    return Style(bgcolor=colour, color="black", bold=True)
