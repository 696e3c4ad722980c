"""The real ``annotator`` console script in a pseudo-terminal: send keys, read every byte it writes.

The tests use it to see what reaches a terminal (escape sequences, mouse modes) and to kill
the app mid-session. Everything the app writes is kept in :attr:`PtyApp.output`; reading goes
on while waiting, so the app never blocks on a full terminal buffer.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

from .cli_runner import console_script


class PtyApp:
    """``annotator ARGS`` running in a pseudo-terminal of ``rows`` x ``cols``, read continuously.

    Use as a context manager (the process is killed on the way out if it is still running).
    """

    def __init__(self, args: list[str], rows: int = 30, cols: int = 110) -> None:
        self.master, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none",
               "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [console_script(), *args],
            stdin=child, stdout=child, stderr=child, env=env, close_fds=True, start_new_session=True,
        )
        os.close(child)
        self.output = bytearray()

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    def pump(self, seconds: float) -> None:
        """Read what the app writes for ``seconds`` (or until it closes the terminal)."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(0.0, min(left, 0.05)))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output += chunk
            if left <= 0:
                return

    def wait_for(self, needle: bytes, timeout: float) -> bool:
        """Read until ``needle`` has been written (True), the app exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output:
                return True
            if self.process.poll() is not None:
                self.pump(0.1)
                return needle in self.output
            self.pump(0.1)
        return needle in self.output

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def quit(self, key: str = "q", timeout: float = 15) -> int | None:
        """Press ``key`` and read until the app exits; its exit status (None if it is still running)."""
        self.press(key)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.pump(0.1)
        return self.process.poll()

    def text(self) -> str:
        """The output so far as text, for failure messages."""
        return self.output[-2000:].decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL the app if it is still running, then close the terminal."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.close()

    def close(self) -> None:
        try:
            os.close(self.master)
        except OSError:
            pass
