"""The installed `annotator` console script in a real pseudo-terminal: tag a word, quit, find the span.

Also checks that a hostile document's escape sequences never reach the terminal as bytes, and that
``--no-mouse`` really leaves mouse reporting off.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from annotator.models import Document, Span
from annotator.store import ImportRecord, Store
from tests.support.pty_driver import PtyApp

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

TEXT = "Evin Prison footage \x1b]0;PWNED\x07 leaked \x1b[2J by hackers \x9b31m today.\n"

#: What Textual writes to turn mouse reporting on (clicks, any motion, SGR coordinates).
MOUSE_ON = (b"\x1b[?1000h", b"\x1b[?1003h", b"\x1b[?1006h")


def _database(tmp_path: Path) -> tuple[Path, Document]:
    """The hostile document, with one span by bob (so the review screen has something to show)."""
    db = tmp_path / "pty.db"
    document = Document.from_text("hostile.txt", TEXT)
    bobs = Span(document_id=document.id, start=5, end=11, label="SOURCE", annotator="bob")
    with Store(db) as store:
        store.import_records([ImportRecord(document, spans=[bobs])], actor="t")
    return db, document


def test_tag_a_word_in_a_real_terminal_then_quit(tmp_path: Path) -> None:
    db, document = _database(tmp_path)
    with PtyApp(["--db", str(db), "--annotator", "alice"], rows=30, cols=100) as app:
        assert app.wait_for(b"hostile.txt", 20), app.text()
        app.pump(0.5)
        app.press("e")  # tag the word under the cursor ("Evin") as ENTITY
        assert app.wait_for(b"ENTITY", 10), app.text()
        app.pump(0.3)
        assert app.quit() == 0, app.text()
        output = bytes(app.output)

    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans_for(document.id, annotator="alice")]
    assert spans == [(0, 4, "ENTITY")]
    assert b"\x1b]0;PWNED" not in output  # the document's title sequence never reached the terminal
    assert b"\x1b[2J by" not in output and "\x9b".encode() not in output
    assert "␛]0;PWNED".encode() in output  # shown as a visible placeholder instead


@pytest.mark.parametrize("command", [[], ["review"]], ids=["annotate", "review"])
def test_no_mouse_leaves_mouse_reporting_off(tmp_path: Path, command: list[str]) -> None:
    """Every byte each screen writes, from start to quit: with --no-mouse no mouse-enable sequence,
    without it all of them (so the check would see them if --no-mouse stopped working)."""
    db, _ = _database(tmp_path)
    written = {}
    for flags in ([], ["--no-mouse"]):
        with PtyApp(["--db", str(db), "--annotator", "alice", *command, *flags]) as app:
            assert app.wait_for(b"hostile.txt", 20), app.text()
            assert app.quit() == 0, app.text()
            written[bool(flags)] = bytes(app.output)
    for code in MOUSE_ON:
        assert code in written[False], code
        assert code not in written[True], code
