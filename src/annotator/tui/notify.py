"""Toasts are plain, display-safe text on every screen.

Messages interpolate labels (any printable name now: ``[PER]``, ``[@click=app.quit]``), keys
from a user's keymap (``[``) and error lines quoting names from files. Textual parses a toast
as markup by default, and shows control characters as they are; :class:`PlainNotifications`
(mixed into both apps) turns every message and title into :func:`annotator.text.display_text`
shown without markup, so no caller can forget.
"""

from __future__ import annotations

from typing import Any


class PlainNotifications:
    """Mixin for a Textual ``App``: ``notify`` never parses markup and never shows a control character."""

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        from ..text import display_text

        super().notify(  # type: ignore[misc]
            display_text(str(message)), title=display_text(str(title)), severity=severity, timeout=timeout,
            markup=False,
        )
