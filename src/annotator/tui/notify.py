"""Messages are plain, display-safe text on every screen, and never cover the data.

Messages interpolate labels (any printable name now: ``[PER]``, ``[@click=app.quit]``), keys
from a user's keymap (``[``) and error lines quoting names from files. Textual parses a toast
as markup by default, and shows control characters as they are; :class:`PlainNotifications`
(mixed into both apps) turns every message and title into :func:`annotator.text.display_text`
shown without markup, so no caller can forget.

Where: a screen with a message line (a widget with the class ``message-line``, the annotation
screen's footer) shows its messages there, in place of the keys for the message's timeout, so a
message never covers the document or the panel (a toast covered the panel at 80x24) and showing
one does not lay the screen out again (mounting a toast repaints every scrollbar: 4 KB over SSH).
Other screens get Textual's toasts. Either way the app sees a ``Notify`` message.
"""

from __future__ import annotations

from typing import Any


class PlainNotifications:
    """Mixin for a Textual ``App``: ``notify`` never parses markup and never shows a control character."""

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        from textual.notifications import Notification, Notify

        from ..text import display_text

        message, title = display_text(str(message)), display_text(str(title))
        line = self._message_line()
        if line is None:
            super().notify(  # type: ignore[misc]
                message, title=title, severity=severity, timeout=timeout, markup=False,
            )
            return
        if timeout is None:
            timeout = self.NOTIFICATION_TIMEOUT  # type: ignore[attr-defined]
        line.post_message(Notify(Notification(message, title, severity, timeout, markup=False)))

    def _message_line(self) -> Any:
        """The current screen's message line, if it has one."""
        try:
            screen = self.screen  # type: ignore[attr-defined]
        except Exception:  # no screen yet
            return None
        lines = screen.query(".message-line")
        return lines.first() if lines else None
