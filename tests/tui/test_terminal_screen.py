"""The real app in a real terminal emulator (tmux): what the partial updates leave on the screen
is what a full repaint shows.

annotator.tui.compat writes only the cells that differ from what the terminal shows (to keep SSH
traffic down). If that record of the terminal were ever wrong, a cell would keep old text. Here the
app runs in tmux; after a run of keys (moves, tags, relabel, delete, edges, tab, a message, the
next document) the screen is captured, then Textual's own writing is put back and the whole screen
repainted by it, and the two captures must be the same, text and colours. Skipped without tmux.
Waits for the output to settle between keys; no timing is asserted.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from test_snapshots import sample_app

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Session:
    def __init__(self, socket: str, name: str = "app") -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True,
                              text=True, check=False).stdout

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-e", "-t", self.name)

    def wait_for(self, text: str, limit: float = 60.0) -> None:
        start = time.monotonic()
        while text not in self.capture():
            assert time.monotonic() - start < limit, f"{text!r} never appeared"
            time.sleep(0.1)

    def settle(self, quiet: float = 0.8, limit: float = 20.0) -> str:
        """The screen once it has not changed for ``quiet`` seconds."""
        start = last_change = time.monotonic()
        screen = self.capture()
        while time.monotonic() - start < limit:
            time.sleep(0.1)
            now = self.capture()
            if now != screen:
                screen, last_change = now, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                break
        return screen


#: The app, plus f12: Textual's own writing back, then a full repaint (every cell written by Textual).
CHECKED_APP = """
import sys
from pathlib import Path
from textual.binding import Binding
from annotator.store import Store
from annotator.tui import app, compat
from annotator.tui.app import AnnotatorApp

class Checked(AnnotatorApp):
    CSS_PATH = str(Path(app.__file__).with_name("app.tcss"))
    BINDINGS = AnnotatorApp.BINDINGS + [Binding("f12", "repaint_all", priority=True)]

    def action_repaint_all(self):
        compat.install_partial_line_updates(False)
        self.screen.refresh()

Checked(Store(sys.argv[1]), "alice").run()
"""


def test_partial_updates_leave_the_screen_textual_s_full_repaint_shows(tmp_path):
    sample_app(tmp_path)  # builds tmp_path/snap.db: the reference article with a few spans
    script = tmp_path / "checked.py"
    script.write_text(CHECKED_APP, encoding="utf-8")
    session = Session(f"annotator-test-{os.getpid()}")
    command = (f"env TERM=xterm-256color COLORTERM=truecolor {shlex.quote(sys.executable)} "
               f"{shlex.quote(str(script))} {shlex.quote(str(tmp_path / 'snap.db'))}")
    session.tmux("new-session", "-d", "-s", session.name, "-x", "80", "-y", "24", command)
    try:
        session.wait_for("Labels")  # the app is up (keys sent before it reads them would be lost)
        first = session.settle()
        for keys in (["-l", "w"], ["-l", "w"], ["-l", "e"], ["-l", "l"], ["-l", "b"], ["-l", "f"], ["-l", "x"],
                     ["Tab"], ["-l", ">"], ["-l", ","], ["-l", "u"], ["-l", "g"], ["-l", "w"], ["-l", "c"],
                     ["-l", "z"], ["-l", "n"], ["-l", "w"], ["-l", "s"], ["-l", "j"], ["-l", "j"]):
            session.tmux("send-keys", "-t", session.name, *keys)
            session.settle(quiet=0.3)
        partial = session.settle(quiet=4.0)  # messages time out (and are cleared) first
        assert partial != first  # the keys did something
        session.tmux("send-keys", "-t", session.name, "F12")
        repainted = session.settle()
        assert partial == repainted
    finally:
        session.tmux("kill-server")
