"""The command palette shows document names (and keys from a user's keymap) as plain text.

Regression: entries were markup strings, so a document named ``[@click=app.quit]`` got an action
attached, and ``[/]`` or ``[link=...]`` raised inside the palette's search and every document after
it was missing from the list.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.content import Content

from annotator.models import Document
from annotator.store import ImportRecord
from annotator.text import inline_text
from annotator.tui.app import AnnotatorApp
from annotator.tui.commands import AnnotateCommands

NAMES = ["[@click=app.quit]click me", "a [/] b", "[link=https://evil.example]link[/link]", "[bold]bold[/]",
         "esc \x1b]0;T\x07 \x9b2J", "back\\slash\\", "last.txt"]


def _load(store) -> list[Document]:
    docs = [Document.from_text(name, f"Text number {i} says hello.") for i, name in enumerate(NAMES)]
    store.import_records([ImportRecord(d) for d in docs], actor="t")
    return docs


def _no_actions_or_links(content: Content) -> None:
    for span in content.spans:
        style = str(span.style)
        assert "@click" not in style and "link" not in style, (content, span)


async def test_palette_entries_are_plain_text_content(store) -> None:
    _load(store)
    app = AnnotatorApp(store, "alice")
    async with app.run_test():
        provider = AnnotateCommands(app.screen)
        hits = [hit async for hit in provider.search("document")]
        shown = {hit.match_display.plain for hit in hits if isinstance(hit.match_display, Content)}
        for position, name in enumerate(NAMES, start=1):
            assert f"Go to document {position}: {inline_text(name)}" in shown
        for hit in hits:
            assert isinstance(hit.match_display, Content), hit
            _no_actions_or_links(hit.match_display)
        async for hit in provider.discover():
            assert isinstance(hit.display, Content) and isinstance(hit.help, Content), hit


async def test_the_palette_lists_every_document_after_a_hostile_name(store) -> None:
    _load(store)
    app = AnnotatorApp(store, "alice")
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"document")
        await app.workers.wait_for_complete()
        await pilot.pause()
        commands = app.screen.query_one(CommandList)
        prompts = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
        listed = [p.plain.split("\n")[0] for p in prompts if p.plain.startswith("Go to document")]
        assert len(listed) == len(NAMES), listed
        for prompt in prompts:
            _no_actions_or_links(prompt)
        await pilot.press("escape")
        assert app.return_code is None  # nothing quit the app
