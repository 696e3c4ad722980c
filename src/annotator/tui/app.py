"""The annotation app: ``run_annotation_app`` is what ``annotator`` (no command) starts."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import App

from ..store import Store
from .bindings import APP, bindings
from .keymap import use_keymap
from .notify import PlainNotifications
from .screens.annotate import AnnotateScreen


class AnnotatorApp(PlainNotifications, App):
    """One annotator, one database. The annotation screen is the default screen."""

    CSS_PATH = "app.tcss"
    TITLE = "annotator"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings(APP)

    def __init__(self, store: Store, annotator: str, *, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        use_keymap(self, keymap)

    def get_default_screen(self) -> AnnotateScreen:
        return AnnotateScreen(self.store, self.annotator)

    def on_resize(self, event) -> None:
        self._fit_panel(event.size.width)

    def on_mount(self) -> None:
        self._fit_panel(self.size.width)

    def _fit_panel(self, width: int) -> None:
        """A wider panel on wide terminals, a narrower one at 80 columns, and below 80 a narrow one
        that leaves the document most of the width (see app.tcss)."""
        screen = self.screen
        if isinstance(screen, AnnotateScreen):
            screen.set_class(width >= 140, "-wide")
            screen.set_class(80 <= width < 100, "-narrow")
            screen.set_class(width < 80, "-small")

    def on_unmount(self) -> None:
        """Writes still waiting for the database land before the process ends (nothing is dropped)."""
        writer = getattr(self, "store_writer", None)
        if writer is not None:
            writer.close()

    async def action_quit(self) -> None:
        screen = self.screen_stack[0] if self.screen_stack else None
        if isinstance(screen, AnnotateScreen):
            screen.action_quit()
        else:
            self.exit()


def run_annotation_app(store: Store, annotator: str, *, mouse: bool = True,
                       keymap: Mapping[str, str] | None = None) -> None:
    """Open the annotation screen until the user quits (q or ctrl+q)."""
    AnnotatorApp(store, annotator, keymap=keymap).run(mouse=mouse)
