"""The link pick-list: after ``r`` on a span, the spans it can be linked to, nearest first.

``r`` on a CLAIM lists the document's SOURCE spans (whatever the schema allows, in either
direction), the nearest one to the claim first and preselected, so ``r enter`` links a claim to
the source next to it. Typing filters the list by the spans' text (smart case: a capital makes
it case-sensitive); up/down (page up/down) move; enter links; escape cancels; tab closes the
list to pick the other end by moving in the text and pressing ``r`` (or enter) there, as before.

The screen returns the chosen span's id, :data:`IN_TEXT` for "pick it in the text", or None.
What it shows comes from the document: it is built from Content (never markup) and display-safe
text only.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.style import Style as TStyle
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ... import text as textmod
from ...models import LabelSchema, Relation, Span

#: What the screen returns for "close the list and pick the other end in the text".
IN_TEXT = ""

#: At most this many targets are listed at once (type to narrow: the filter looks at all of them).
MAX_SHOWN = 200


def relation_between(schema: LabelSchema, head_label: str, child_label: str) -> tuple[str, bool] | None:
    """The relation type linking spans of these labels, and whether the link goes the other way
    round (``child_label`` is the head): the schema's first relation allowed either way, head first."""
    for rel in schema.relations:
        if schema.relation_allowed(rel.name, head_label, child_label):
            return rel.name, False
        if schema.relation_allowed(rel.name, child_label, head_label):
            return rel.name, True
    return None


def partner_labels(schema: LabelSchema, label: str) -> list[str]:
    """The labels a span of ``label`` can be linked to (schema order)."""
    return [other.name for other in schema.labels if relation_between(schema, label, other.name) is not None]


@dataclass(frozen=True)
class LinkTarget:
    """A span the head can be linked to, and where it lies from the head."""

    span_id: str
    label: str
    start: int
    end: int
    #: Code points between the two spans (0 when they overlap).
    distance: int
    #: -1 before the head, 1 after it, 0 overlapping it.
    direction: int
    #: The line (1-based) the span starts on.
    line: int
    #: The head already has this link.
    linked: bool


def link_targets(schema: LabelSchema, head: Span, spans: Iterable[Span], text: str,
                 relations: Iterable[Relation] = ()) -> list[LinkTarget]:
    """The spans ``head`` can be linked to under ``schema`` (same annotator, not itself), nearest first."""
    allowed: dict[str, tuple[str, bool] | None] = {}
    linked = set()
    for relation in relations:
        if relation.annotator == head.annotator and head.id in (relation.head, relation.child):
            linked.add((relation.child if relation.head == head.id else relation.head, relation.label))
    found = []
    for span in spans:
        if span.id == head.id or span.annotator != head.annotator:
            continue
        if span.label not in allowed:
            allowed[span.label] = relation_between(schema, head.label, span.label)
        rule = allowed[span.label]
        if rule is None:
            continue
        if span.end <= head.start:
            distance, direction = head.start - span.end, -1
        elif span.start >= head.end:
            distance, direction = span.start - head.end, 1
        else:
            distance, direction = 0, 0
        found.append((distance, span.start, span.end, span.id, span.label, direction, (span.id, rule[0]) in linked))
    if not found:
        return []
    newlines = [i for i, char in enumerate(text) if char == "\n"] if "\n" in text else []
    found.sort()
    return [
        LinkTarget(span_id, label, start, end, distance, direction, bisect_right(newlines, start - 1) + 1, was)
        for distance, start, end, span_id, label, direction, was in found
    ]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def matches(query: str, text: str) -> bool:
    """Whether ``text`` holds ``query`` (smart case: case-sensitive only when the query has a capital;
    composed and decomposed accents are the same)."""
    query = unicodedata.normalize("NFC", query.strip())
    if not query:
        return True
    if query != query.lower():
        return query in unicodedata.normalize("NFC", text)
    return _fold(query) in _fold(text)


class LinkPickScreen(ModalScreen[str | None]):
    """Choose the other end of a link; returns its span id, :data:`IN_TEXT`, or None when cancelled."""

    DEFAULT_CSS = """
    LinkPickScreen {
        align: center middle;
    }
    LinkPickScreen > Vertical {
        width: 90%;
        max-width: 100;
        min-width: 40;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    LinkPickScreen Static {
        height: auto;
    }
    LinkPickScreen #link-pick-title {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    LinkPickScreen Input {
        margin: 1 0;
    }
    LinkPickScreen OptionList {
        height: auto;
        max-height: 1fr;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    LinkPickScreen #link-pick-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="link_pick.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="link_pick.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="link_pick.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="link_pick.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="link_pick.page_up"),
        Binding("tab", "in_text", "Pick in the text", id="link_pick.in_text"),
    ]

    def __init__(self, head: Span, text: str, targets: list[LinkTarget],
                 label_styles: Mapping[str, Style], link_keys: str = "r") -> None:
        super().__init__()
        self.head = head
        self.text = text
        self.targets = targets
        self.label_styles = label_styles
        self.link_keys = link_keys
        #: The targets listed now (after the filter), in list order.
        self.shown: list[LinkTarget] = []
        self._width = max(len(t.label) for t in targets) if targets else 0

    def compose(self) -> ComposeResult:
        head = self.head
        with Vertical():
            yield Static(Content.assemble(
                "Link ", (textmod.inline_text(head.label), TStyle.from_rich_style(self.label_styles.get(head.label, Style()))),
                "  “", textmod.excerpt(self.text[head.start:head.end], 60), "” to:",
            ), id="link-pick-title")
            yield Input(placeholder="type to filter by the span's text", id="link-pick-filter", compact=True)
            options = OptionList(id="link-pick-list")
            options.can_focus = False  # the filter keeps the keys; up/down and clicks pick here
            yield options
            yield Static(Content(
                f"enter links · ↑↓ choose · tab: pick in the text ({self.link_keys} there) · esc cancels"),
                id="link-pick-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    # -- the list ------------------------------------------------------------------------------

    def _prompt(self, target: LinkTarget) -> Content:
        style = TStyle.from_rich_style(self.label_styles.get(target.label, Style()))
        arrow = "↑" if target.direction < 0 else "↓" if target.direction > 0 else "↔"  # ↔: overlaps the head
        parts: list = [
            (textmod.inline_text(target.label).ljust(self._width), style),
            (f"  {arrow} line {target.line:<5}", "dim"),
            "“" + textmod.excerpt(self.text[target.start:target.end], 70) + "”",
        ]
        if target.linked:
            parts.append((" (linked)", "dim italic"))
        return Content.assemble(*parts)

    def _show(self, query: str) -> None:
        matching = [t for t in self.targets if matches(query, self.text[t.start:t.end])]
        self.shown = matching[:MAX_SHOWN]
        options = self.query_one(OptionList)
        prompts: list = [Option(self._prompt(t), id=t.span_id) for t in self.shown]
        if not matching:
            prompts.append(Option(Content.assemble(("no span's text holds ", "italic"), textmod.inline_text(query)),
                                  disabled=True))
        elif len(matching) > len(self.shown):
            prompts.append(Option(Content(f"{len(matching) - len(self.shown)} more: type to narrow"), disabled=True))
        options.set_options(prompts)
        if self.shown:
            # The nearest that is not linked yet (so r enter links a claim's second source too).
            first = next((i for i, t in enumerate(self.shown) if not t.linked), 0)
            options.highlighted = first

    @property
    def highlighted(self) -> LinkTarget | None:
        """The target enter would link to."""
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.highlighted)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(self.shown[event.option_index] if 0 <= event.option_index < len(self.shown) else None)

    def _choose(self, target: LinkTarget | None) -> None:
        if target is None:
            self.notify("No span matches: change the filter, or esc", severity="warning", timeout=2)
            return
        self.dismiss(target.span_id)

    # -- actions -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.shown:
            return
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, index + step))

    def action_in_text(self) -> None:
        self.dismiss(IN_TEXT)

    def action_cancel(self) -> None:
        self.dismiss(None)
