"""Start-up time, measured from process start: the commands, and the annotation screen's first paint.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--runs 11] [--paint-runs 5] [--size 1000000]``

Prints, for the same run:

* the wall time (median of ``--runs`` processes, from spawn to exit) of ``python -c "import
  sqlite3, click"`` (the baseline: Python, SQLite and the command-line library, nothing of
  ours), ``annotator --help``, ``annotator docs`` and ``annotator stats`` on a database with
  the sample documents, each as a ratio to the baseline (target: ``--help`` and ``docs``
  within 2x);
* the modules with the most self time in ``python -X importtime`` for ``--help`` and ``docs``;
* launch-to-first-paint of the annotation screen on a 1 MB document against a bare
  read-only ``TextArea`` app showing the same text (target: within 1.2x). Both run under a
  pseudo-terminal of 120x40 as a user would start them; the paint time is when the last
  byte of the first frame that shows the document's first line arrives (the frame ends
  where the output pauses for 50 ms).

No assertions: this is for reading. ``tests/test_startup.py`` guards what is imported.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_docs"
SIZE = (120, 40)
MARKER = "Quokka harbour report, first page"
#: A frame has ended when the app writes nothing more for this long.
FRAME_GAP = 0.05

BARE_APP = '''
import sys
from textual.app import App
from textual.widgets import TextArea

TEXT = open(sys.argv[1], encoding="utf-8").read()


class Bare(App):
    def compose(self):
        yield TextArea(TEXT, read_only=True, soft_wrap=True)

    def on_mount(self):
        self.query_one(TextArea).focus()


Bare().run()
'''

ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


def annotator_command() -> list[str]:
    """The installed console script, as a user starts it (else ``python -m annotator``)."""
    script = Path(sys.executable).with_name("annotator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "annotator"]


def walls(commands: list[list[str]], cwd: Path, runs: int) -> list[tuple[float, float]]:
    """Median (wall, CPU) seconds from spawn to exit of each command, run in turns (a busy moment hits all alike).

    CPU time (user + system of the child) says the same as wall time on an idle
    machine and is far steadier on a busy one.
    """
    walls_: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs + 1):
        for command, wall_samples, cpu_samples in zip(commands, walls_, cpus):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if round_:  # the first round warms the file cache
                wall_samples.append(elapsed)
                cpu_samples.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls_, cpus)]


def top_self_time(command: list[str], cwd: Path, n: int = 8) -> list[tuple[float, str]]:
    """The ``n`` modules with the most self time (ms) under ``python -X importtime COMMAND``."""
    result = subprocess.run([sys.executable, "-X", "importtime", *command], cwd=cwd, capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "self" not in line:
            self_us, _cumulative, name = line.removeprefix("import time:").split("|")
            rows.append((int(self_us) / 1000, name.strip()))
    return sorted(rows, reverse=True)[:n]


def first_paint(command: list[str], cwd: Path, timeout: float = 60.0) -> float:
    """Seconds from spawn to the end of the first frame showing MARKER, under a 120x40 pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "COLUMNS": str(SIZE[0]),
           "LINES": str(SIZE[1])}
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    output = b""
    seen_at: float | None = None
    last_chunk = start
    try:
        while True:
            wait = FRAME_GAP if seen_at is not None else max(0.0, start + timeout - time.perf_counter())
            ready, _, _ = select.select([master], [], [], wait)
            if not ready:
                if seen_at is not None:
                    return last_chunk - start
                raise TimeoutError(f"no frame with {MARKER!r} within {timeout} s: {output[-400:]!r}")
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{command[0]} exited before painting: {output[-400:]!r}")
            last_chunk = time.perf_counter()
            output += chunk
            if seen_at is None and MARKER in ANSI.sub("", output.decode("utf-8", "replace")):
                seen_at = last_chunk
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(master)


def big_text(size: int) -> str:
    """About ``size`` characters of news text, the first line a marker no other line has."""
    samples = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")))
    body = []
    total = 0
    while total < size:
        body.append(samples)
        total += len(samples) + 2
    return f"{MARKER}.\n\n" + "\n\n".join(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="processes per command figure (median)")
    parser.add_argument("--paint-runs", type=int, default=5, help="launches per first-paint figure (median)")
    parser.add_argument("--size", type=int, default=1_000_000, help="characters in the first-paint document")
    args = parser.parse_args()
    annotator = annotator_command()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # cwd without sample_docs/: the screen must not import them into the paint database
        subprocess.run([*annotator, "--db", "samples.db", "import", "-q", str(SAMPLES)], cwd=work, check=True)

        cases = [
            ("python -c 'import sqlite3, click' (baseline)", [sys.executable, "-c", "import sqlite3, click"], None),
            ("annotator --help", [*annotator, "--help"], 2.0),
            ("annotator docs", [*annotator, "--db", "samples.db", "docs"], 2.0),
            ("annotator stats", [*annotator, "--db", "samples.db", "stats"], None),
        ]
        print(f"## Command start-up (wall time from process start, median of {args.runs})\n")
        print("| command | wall ms | x baseline | CPU ms | x baseline | target (wall) |")
        print("|---|---:|---:|---:|---:|---|")
        figures = walls([command for _, command, _ in cases], work, args.runs)
        base_wall, base_cpu = figures[0]
        for (name, _, target), (seconds, cpu) in zip(cases, figures):
            ratio = seconds / base_wall
            verdict = "" if target is None else f"<= {target:.1f}x {'ok' if ratio <= target else 'MISSED'}"
            print(f"| `{name}` | {seconds * 1000:.0f} | {ratio:.2f} | {cpu * 1000:.0f} | {cpu / base_cpu:.2f} "
                  f"| {verdict} |")

        for name, command in (("annotator --help", ["--help"]), ("annotator docs", ["--db", "samples.db", "docs"])):
            print(f"\nMost self time under `python -X importtime` for `{name}` (ms):")
            for ms, module in top_self_time(["-m", "annotator", *command], work):
                print(f"  {ms:6.1f}  {module}")

        text = big_text(args.size)
        (work / "big.txt").write_text(text, encoding="utf-8")
        (work / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
        subprocess.run([*annotator, "--db", "big.db", "--annotator", "bench", "import", "-q", "big.txt"],
                       cwd=work, check=True)
        paint_cases = [
            ("bare read-only TextArea app", [sys.executable, "bare_app.py", "big.txt"]),
            ("annotator (annotation screen)", [*annotator, "--db", "big.db", "--annotator", "bench"]),
        ]
        print(f"\n## Launch to first paint, {len(text) / 1e6:.1f} MB document, {SIZE[0]}x{SIZE[1]} pty "
              f"(median of {args.paint_runs})\n")
        print("| app | ms | x bare TextArea | target |")
        print("|---|---:|---:|---|")
        paints: list[list[float]] = [[] for _ in paint_cases]
        for round_ in range(args.paint_runs + 1):  # in turns; the first round warms up
            for (_, command), samples in zip(paint_cases, paints):
                seconds = first_paint(command, work)
                if round_:
                    samples.append(seconds)
        bare = statistics.median(paints[0])
        for (name, _), samples in zip(paint_cases, paints):
            seconds = statistics.median(samples)
            verdict = "" if samples is paints[0] else f"<= 1.2x {'ok' if seconds / bare <= 1.2 else 'MISSED'}"
            print(f"| {name} | {seconds * 1000:.0f} | {seconds / bare:.2f} | {verdict} |")
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
