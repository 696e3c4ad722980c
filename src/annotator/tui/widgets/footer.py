"""The bottom line: the keys that apply now, or a short message in their place.

Textual's ``Footer`` rebuilds itself (a widget per key, mounted again) whenever the screen's
bindings are refreshed. Mounting lays the screen out again, and a layout pass repaints every
scrollbar on the screen: moving onto a span cost 6.6 KB over SSH for a line of keys. This footer is
one line drawn from one Content: when the keys that apply change, only the cells that differ are
repainted (see :class:`~annotator.tui.widgets.lines.LineBlock`), and when they do not, nothing is.

Which keys: those of :data:`FOOTER` whose bindings are active now (a screen's ``check_action``
hides the keys that do not apply, e.g. the edge keys without a selected span), in its order, then
any other binding marked ``show``. Keys that act alike share one entry (``cfse Tag``,
``<,.> Edges``). When the line is too narrow, the entries of lowest rank are left out whole, so a
key is never shown cut; ``? Help`` (every key) is the last to go.

Messages: :class:`~annotator.tui.notify.PlainNotifications` sends a screen's notifications here
(a ``Notify`` message) when the screen has this line, so messages never cover the document or the
panel. A message takes the right end of the line for its timeout (the keys of lowest rank make room
for it; a message wider than the line is cut with "…"), then the keys come back.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.style import Style as TStyle
from textual.timer import Timer

from .lines import LineBlock


@dataclass(frozen=True)
class Slot:
    """One entry of the footer: binding ids shown together, a description (None: the first
    binding's own), and a rank (lower stays longer when the line is too narrow)."""

    ids: tuple[str, ...]
    description: str | None
    rank: int


#: Label keys: every binding whose id starts with this (and is not a number key) is one entry.
LABELS = "label."

#: The annotation screen's footer, in display order.
FOOTER: tuple[Slot, ...] = (
    Slot((LABELS,), None, 0),
    Slot(("span.remove",), None, 2),
    Slot(("span.start_left", "span.start_right", "span.end_left", "span.end_right"), "Edges", 3),
    Slot(("span.next",), "Next", 4),
    Slot(("undo",), None, 5),
    Slot(("link.start",), None, 6),
    Slot(("link.confirm",), None, 6),
    Slot(("cancel",), None, 7),
    Slot(("span.note",), None, 9),
    Slot(("select.mark",), None, 8),
    Slot(("search.start",), None, 10),
    Slot(("document.done",), None, 11),
    Slot(("help",), None, 1),
    Slot(("quit",), None, 12),
    Slot(("app.palette",), "Palette", 13),
)

#: Rank of a binding marked ``show`` that :data:`FOOTER` does not list (shown last, dropped first).
OTHER_RANK = 50


@dataclass(frozen=True)
class Entry:
    """A shown entry: its keys (Textual key names), their display, the description."""

    keys: tuple[str, ...]
    display: str
    description: str
    tooltip: str
    rank: int


def _display(key: str) -> str:
    from ..bindings import key_display

    return key_display(key)


def _is_label(binding: Binding) -> bool:
    return bool(binding.id) and binding.id.startswith(LABELS) and not binding.id.endswith(".number")


def footer_entries(screen: Screen) -> list[Entry]:
    """The entries for what applies on ``screen`` now (its active, enabled bindings)."""
    by_id: dict[str, list[Binding]] = {}
    labels: list[Binding] = []
    shown_others: list[Binding] = []
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not enabled:
            continue
        if _is_label(binding):
            labels.append(binding)
        elif binding.id:
            by_id.setdefault(binding.id, []).append(binding)
        if binding.show and not _is_label(binding):
            shown_others.append(binding)
    entries: list[Entry] = []
    listed: set[str] = set()
    for slot in FOOTER:
        listed.update(slot.ids)
        if slot.ids == (LABELS,):
            chosen = labels
        else:
            # one key per binding id (the first: bindings with several keys show their first)
            chosen = [by_id[i][0] for i in slot.ids if i in by_id]
        if not chosen:
            continue
        keys = tuple(binding.key for binding in chosen)
        displays = [_display(key) for key in keys]
        joiner = "" if all(len(d) == 1 for d in displays) else "/"
        description = slot.description or chosen[0].description
        entries.append(Entry(keys, joiner.join(displays), description, chosen[0].tooltip or description, slot.rank))
    seen_actions: set[str] = set()
    for binding in shown_others:
        if binding.id in listed or binding.action in seen_actions:
            continue
        seen_actions.add(binding.action)
        entries.append(Entry((binding.key,), _display(binding.key), binding.description,
                             binding.tooltip or binding.description, OTHER_RANK))
    return entries


def fit(entries: list[Entry], width: int, gap: int = 2) -> list[Entry]:
    """Leave out entries of the highest rank until the rest fit in ``width`` cells (whole entries only)."""
    kept = list(entries)

    def length(items: list[Entry]) -> int:
        return sum(cell_len(e.display) + 1 + cell_len(e.description) for e in items) + gap * max(0, len(items) - 1)

    while kept and length(kept) > width:
        worst = max(kept, key=lambda e: e.rank)
        kept.remove(worst)
    return kept


class KeysFooter(LineBlock):
    """One line at the bottom: the keys of the current state, or a message for a few seconds."""

    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeysFooter > .keys-footer--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeysFooter > .keys-footer--information {
        text-style: bold reverse;
    }
    KeysFooter > .keys-footer--warning {
        color: $warning;
        text-style: bold;
    }
    KeysFooter > .keys-footer--error {
        color: $text-error;
        background: $error-muted;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = {
        "keys-footer--key",
        "keys-footer--information", "keys-footer--warning", "keys-footer--error",
    }

    GAP = 2

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.add_class("message-line")
        self._entries: list[Entry] = []
        #: (first cell, last cell + 1, entry) of each entry shown, for clicks and tooltips.
        self._places: list[tuple[int, int, Entry]] = []
        self._message: Notification | None = None
        self._message_timer: Timer | None = None

    # -- what it shows ---------------------------------------------------------------------------

    @property
    def entries(self) -> list[Entry]:
        """Every entry that applies now (before fitting to the width)."""
        return list(self._entries)

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(keys, description) of the entries on the line at its width now."""
        return [(e.display, e.description) for e in fit(self._entries, self.size.width or 10**6, self.GAP)]

    @property
    def message(self) -> str | None:
        return None if self._message is None else self._message.message

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        entries = footer_entries(screen)
        if entries != self._entries:
            self._entries = entries
            self.repaint_changes()

    def content_for_width(self, width: int) -> Content:
        """The keys that fit, then the message (if any) at the right end: keys make room for it.

        A key is one styled run and its description and the gap after it one plain run, so the line
        is as few runs (escape sequences) as it can be; a message at the right end means showing and
        clearing it repaints the end of the line only.
        """
        self._places = []
        message = self._message_content(self._message, width) if self._message is not None else None
        room = width - (message.cell_length + self.GAP if message is not None else 0)
        key_style = TStyle.from_rich_style(self.get_component_rich_style("keys-footer--key", partial=True))
        parts: list[tuple[str, TStyle] | str] = []
        x = 0
        for index, entry in enumerate(fit(self._entries, room, self.GAP)):
            if index:
                parts.append(" " * self.GAP)
                x += self.GAP
            start = x
            parts += [(entry.display, key_style), " " + entry.description]
            x += cell_len(entry.display) + 1 + cell_len(entry.description)
            self._places.append((start, x, entry))
        if message is not None:
            parts += [" " * max(0, width - x - message.cell_length), message]
        return Content.assemble(*parts)

    def _message_content(self, message: Notification, width: int) -> Content:
        text = f"{message.title}: {message.message}" if message.title else message.message
        text = " ".join(text.split())  # one line
        if cell_len(text) > width:
            text = set_cell_size(text, max(0, width - 1)) + "…"
        severity = message.severity if message.severity in ("warning", "error") else "information"
        style = TStyle.from_rich_style(self.get_component_rich_style(f"keys-footer--{severity}", partial=True))
        return Content.assemble((text, style))

    # -- messages --------------------------------------------------------------------------------

    def on_notify(self, event: Notify) -> None:
        """Show a notification in place of the keys until it times out."""
        event.stop()
        self._message = event.notification
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(max(0.5, event.notification.timeout), self.clear_message)
        self.repaint_changes()

    def clear_message(self) -> None:
        if self._message_timer is not None:
            self._message_timer.stop()
            self._message_timer = None
        if self._message is not None:
            self._message = None
            self.repaint_changes()

    # -- the mouse ---------------------------------------------------------------------------------

    def _entry_at(self, x: int) -> tuple[int, Entry] | None:
        x -= self.styles.padding.left
        for start, end, entry in self._places:
            if start <= x < end:
                return x - start, entry
        return None

    def on_click(self, event: events.Click) -> None:
        if self._message is not None:
            self.clear_message()
            return
        found = self._entry_at(event.x)
        if found is None:
            return
        offset, entry = found
        # A group of one-character keys ("cfse"): the key clicked; otherwise the entry's first key.
        key = entry.keys[offset] if len(entry.display) == len(entry.keys) and offset < len(entry.keys) \
            else entry.keys[0]
        self.app.simulate_key(key)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        found = self._entry_at(event.x)
        self.tooltip = found[1].tooltip if found else None
