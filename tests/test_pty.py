"""The installed `annotator` console script in a real pseudo-terminal: tag a word, quit, find the span.

Also checks that a hostile document's escape sequences never reach the terminal as bytes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from annotator.models import Document
from annotator.store import ImportRecord, Store

TEXT = "Evin Prison footage \x1b]0;PWNED\x07 leaked \x1b[2J by hackers \x9b31m today.\n"


def annotator_script() -> str | None:
    candidate = Path(sys.executable).with_name("annotator")
    return str(candidate) if candidate.exists() else shutil.which("annotator")


def read_until(fd: int, needle: bytes, timeout: float, buffer: bytearray) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return needle in buffer
            if not chunk:
                return needle in buffer
            buffer += chunk
            if needle in buffer:
                return True
    return needle in buffer


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_tag_a_word_in_a_real_terminal_then_quit(tmp_path):
    script = annotator_script()
    assert script is not None, "the annotator console script is not installed: run make test"
    db = tmp_path / "pty.db"
    document = Document.from_text("hostile.txt", TEXT)
    with Store(db) as store:
        store.import_records([ImportRecord(document)], actor="t")

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none", "COLUMNS": "100", "LINES": "30"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [script, "--db", str(db), "--annotator", "alice"],
        stdin=child, stdout=child, stderr=child, env=env, close_fds=True, start_new_session=True,
    )
    os.close(child)
    output = bytearray()
    try:
        assert read_until(main, b"hostile.txt", 20, output), output[-2000:]
        time.sleep(0.5)
        os.write(main, b"e")  # tag the word under the cursor ("Evin") as ENTITY
        assert read_until(main, b"ENTITY", 10, output)
        time.sleep(0.3)
        os.write(main, b"q")
        deadline = time.monotonic() + 15
        while process.poll() is None and time.monotonic() < deadline:
            read_until(main, b"\x00never", 0.2, output)
        assert process.poll() == 0, output[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        os.close(main)

    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans_for(document.id, annotator="alice")]
    assert spans == [(0, 4, "ENTITY")]
    assert b"\x1b]0;PWNED" not in output  # the document's title sequence never reached the terminal
    assert b"\x1b[2J by" not in output and "\x9b".encode() not in output
    assert "␛]0;PWNED".encode() in output  # shown as a visible placeholder instead
