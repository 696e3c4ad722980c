"""Snapshots of the annotation screen. Look at any changed SVG before accepting it (--snapshot-update)."""

from __future__ import annotations

from annotator.models import Document, Relation
from annotator.store import ImportRecord, Store
from annotator.tui.app import AnnotatorApp
from test_text import HOSTILE
from tui_helpers import SAMPLE, add_span


async def settle(pilot) -> None:
    """Rebuild the footer now (the screen waits for the keys to pause before it does), so every
    snapshot sees the footer for what applies, without waiting on the screen's timer."""
    await pilot.pause()  # messages already posted (a cursor move) are handled first
    pilot.app.screen.flush_footer()
    await pilot.pause()


def sample_app(tmp_path) -> AnnotatorApp:
    store = Store(tmp_path / "snap.db")
    text = SAMPLE.read_text(encoding="utf-8")
    document = Document.from_text(SAMPLE.name, text)
    store.import_records([ImportRecord(document)], actor="t")

    def at(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    claim = add_span(store, document, *at("the hackers copied data that amounts to hundreds of gigabytes"), "CLAIM")
    add_span(store, document, *at("hundreds of gigabytes"), "FIGURE")  # nested in the claim
    source = add_span(store, document, *at("the Associated Press"), "SOURCE")
    add_span(store, document, *at("National Council of Resistance of Iran"), "ENTITY")
    add_span(store, document, *at("Evin Prison, and a message"), "CLAIM")
    add_span(store, document, *at("Prison, and"), "ENTITY")  # overlaps nothing's end: nested
    add_span(store, document, *at("a message that explained"), "SOURCE")  # overlaps the claim's end
    store.add_relation(Relation(document_id=document.id, head=claim.id, child=source.id, label="ATTRIBUTED_TO",
                                annotator="alice"))
    store.save_position("alice", document.id, text.index("hundreds of gigabytes") + 3)
    return AnnotatorApp(store, "alice")


def test_main_screen_on_the_sample_article(snap_compare, tmp_path):
    assert snap_compare(sample_app(tmp_path), terminal_size=(120, 36), run_before=settle)


def test_main_screen_at_80x24(snap_compare, tmp_path):
    assert snap_compare(sample_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_help_screen(snap_compare, tmp_path):
    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(sample_app(tmp_path), terminal_size=(100, 40), run_before=open_help)


def test_empty_database(snap_compare, tmp_path):
    assert snap_compare(AnnotatorApp(Store(tmp_path / "empty.db"), "alice"), terminal_size=(80, 24),
                        run_before=settle)


def test_hostile_text(snap_compare, tmp_path):
    store = Store(tmp_path / "hostile.db")
    document = Document.from_text("[b]hostile[/b] \x1b]0;x\x07.txt", HOSTILE)
    store.import_records([ImportRecord(document)], actor="t")
    add_span(store, document, 0, 6, "CLAIM")
    add_span(store, document, HOSTILE.index("中文"), HOSTILE.index("中文") + 2, "ENTITY")
    add_span(store, document, HOSTILE.index("👍🏽"), HOSTILE.index("👍🏽") + 2, "FIGURE")
    add_span(store, document, HOSTILE.index("cafe"), HOSTILE.index("cafe") + 5, "SOURCE")

    async def to_the_escape(pilot) -> None:
        await pilot.pause()  # the screen loads its document on mount
        pilot.app.screen.view.move_cursor(HOSTILE.index("\x1b"))
        await settle(pilot)

    assert snap_compare(AnnotatorApp(store, "alice"), terminal_size=(90, 24), run_before=to_the_escape)
