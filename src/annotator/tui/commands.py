"""Command palette (ctrl+p) providers: every action of a screen by its description (the review
screen), plus "Go to document N: name" for every document (the annotation screen).

Every entry is a :class:`~textual.content.Content` built from plain text, never a markup
string: the palette parses strings as markup, so a document named ``[@click=app.quit]`` got an
action attached, and ``[/]`` raised inside the search and lost every document after it. Names
go through :func:`annotator.text.inline_text` first (no control characters reach the screen);
matches are highlighted here, on the plain text (Textual's ``Matcher.highlight`` parses markup).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.fuzzy import Matcher

from ..text import inline_text
from . import bindings as b


def binding_entries(screen: DOMNode) -> list[tuple[DOMNode, str, str, str]]:
    """(node, action, description, keys) for every key of the screen and its document view, from the
    bindings table with the user's keymap applied."""
    try:
        view = screen.view
    except Exception:  # the screen has no document view (yet)
        view = None
    result = []
    for entry in b.entries(screen.KEYS_SCREEN, getattr(screen, "schema", None), b.keymap_of(screen)):
        if entry.place == b.APP:
            continue  # the palette itself, and ctrl+q: not commands of the screen
        node = view if entry.place == b.VIEW else screen
        if node is not None:
            result.append((node, entry.action, entry.long, entry.shown_keys))
    return result


class ScreenCommands(Provider):
    """Every described binding of the screen and its document view, for the command palette."""

    def _actions(self) -> list[tuple[str, Callable[[], object], str]]:
        commands = []
        for node, action, description, keys in binding_entries(self.screen):
            run = partial(node.call_later, node.run_action, action)
            commands.append((description, run, "key: " + keys))
        return commands

    def _searchable(self) -> list[tuple[str, Callable[[], object], str]]:
        return self._actions()

    async def discover(self) -> Hits:
        for name, command, help_text in self._actions():
            yield DiscoveryHit(Content(name), command, text=name, help=plain(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command, help_text in self._searchable():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlight(matcher, name), command, text=name, help=plain(help_text))


def plain(text: str) -> Content | None:
    """``text`` as palette content that is never parsed as markup (None for no text).

    The palette calls ``Content.from_markup`` on a help text, which returns Content as it is.
    """
    return Content(inline_text(text)) if text else None


def highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as plain Content, with the characters the query matched highlighted."""
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class AnnotateCommands(ScreenCommands):
    """The annotation screen's actions, and a command to go to each document."""

    def _searchable(self) -> list[tuple[str, Callable[[], object], str]]:
        return self._actions() + self._documents()

    def _documents(self) -> list[tuple[str, Callable[[], object], str]]:
        store = getattr(self.screen, "store", None)
        if store is None:
            return []
        return [
            (f"Go to document {position}: {inline_text(name)}",
             partial(self.screen.call_later, self.screen.run_action, f"goto_document('{document_id}')"), "")
            for position, (document_id, name) in enumerate(store.document_names(), start=1)
        ]
