"""Bytes the annotation screen writes to the terminal per action, against a plain TextArea's full repaint.

Run: ``.venv/bin/python benchmarks/bench_traffic.py [--size 100x30] [--colors truecolor|256|16] [--repeat 1]``

What matters over SSH is how many bytes each key costs, not CPU. This runs the real app
(``python -m annotator.cli``) in a detached tmux session of the given size (a private tmux server,
``tmux -L``), captures every byte the app writes with ``tmux pipe-pane -o 'cat >> FILE'``, and for each
action counts the bytes written from the key press until the output has settled: at least ``--hold``
seconds (long enough for a toast to time out and be removed, which is traffic too) and then
``--quiet`` seconds without a byte (the footer is rebuilt 250 ms after the keys pause). The "first
0.2 s" column is what the key itself repaints; the rest is what comes later (footer, toasts).

Every action starts from a fresh app on a fresh copy of the same database, with the cursor
restored to a known word of the reference article (``sample_docs/evin-prison-leak.txt``, the
spans of the snapshot tests plus a one-word FIGURE on "Monday"), so where a previous key left the
cursor never changes what is measured.

The baseline, measured in the same run at the same size and colours: a bare Textual app with a
read-only ``TextArea`` holding the same text, and a key that repaints its whole screen.

``--src DIR`` runs the app (and builds its databases) from another source tree, e.g. an older commit
exported with ``git archive COMMIT src | tar -x -C /tmp/old`` (``--src /tmp/old/src``), for a
before/after comparison in one sitting.

Prints a markdown table. No assertions: this is for reading, not for CI. Needs tmux.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ARTICLE = REPO / "sample_docs" / "evin-prison-leak.txt"
SECOND = REPO / "sample_docs" / "city-budget-shortfall.txt"
ANNOTATOR = "bench"
#: Where to keep each action's bytes (``--dump DIR``), to see what was repainted.
DUMP: Path | None = None


@dataclass(frozen=True)
class Action:
    name: str
    #: Where the cursor starts: the first occurrence of this phrase in the article.
    at: str
    #: tmux send-keys arguments (``-l`` literal characters, or tmux key names such as ``Tab``).
    keys: tuple[str, ...]
    what: str


ACTIONS = (
    Action("cursor l (within the view)", "reported on Monday", ("-l", "l"), "one character right inside a word"),
    Action("cursor w (within the view)", "reported on Monday", ("-l", "w"), "to the next word, no span involved"),
    Action("w onto a span", "on Monday", ("-l", "w"), "onto the FIGURE 'Monday'"),
    Action("w off a span", "Monday, August", ("-l", "w"), "from 'Monday' (a span) to 'August'"),
    Action("tag a word (e)", "surveillance", ("-l", "e"), "ENTITY 'surveillance'"),
    Action("relabel (e on a span)", "Monday, August", ("-l", "e"), "FIGURE 'Monday' -> ENTITY"),
    Action("boundary edit (>)", "Monday, August", ("-l", ">"), "the end of 'Monday' one word right"),
    Action("delete (x)", "Monday, August", ("-l", "x"), "delete FIGURE 'Monday'"),
    Action("tab to the next span", "reported on Monday", ("Tab",), "select 'Monday'"),
    Action("next document (n)", "reported on Monday", ("-l", "n"), "a new document in the view"),
    Action("nothing (idle)", "reported on Monday", (), "no key: what the app writes by itself"),
)

BASELINE_APP = '''
import sys
from pathlib import Path
from textual.app import App
from textual.binding import Binding
from textual.widgets import TextArea

class Plain(App):
    BINDINGS = [Binding("r", "repaint")]
    def compose(self):
        yield TextArea(Path(sys.argv[1]).read_text(encoding="utf-8"), read_only=True, soft_wrap=True)
    def on_mount(self):
        area = self.query_one(TextArea)
        area.cursor_blink = False
        area.focus()
    def action_repaint(self):
        self.screen.refresh()  # the whole screen again, as after a layout change

Plain().run()
'''


class Tmux:
    """A private tmux server (``-L``) so the benchmark never touches anyone's sessions."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                                capture_output=True, text=True, check=check)
        return result.stdout

    def kill_server(self) -> None:
        self("kill-server", check=False)


def colour_env(colors: str) -> str:
    """``env`` arguments for the app: what a terminal reached over SSH would announce."""
    if colors == "truecolor":
        return "env TERM=xterm-256color COLORTERM=truecolor"
    if colors == "256":
        return "env -u COLORTERM TERM=xterm-256color"
    return "env -u COLORTERM TERM=xterm"


def wait_settled(path: Path, start_size: int, *, hold: float, quiet: float,
                 limit: float = 30.0) -> list[tuple[float, int]]:
    """Poll the capture file until ``hold`` seconds have passed and nothing was written for ``quiet``
    seconds; returns (seconds since start, size) at every growth."""
    start = time.perf_counter()
    growth: list[tuple[float, int]] = []
    size, last_change = start_size, start
    while True:
        time.sleep(0.02)
        now = time.perf_counter()
        current = path.stat().st_size if path.exists() else 0
        if current != size:
            size, last_change = current, now
            growth.append((now - start, current))
        if now - start >= hold and now - last_change >= quiet:
            return growth
        if now - start > limit:
            return growth


@dataclass
class Measure:
    total: int
    first: int  # written in the first 0.2 s


def run_one(tmux: Tmux, name: str, command: str, size: tuple[int, int], capture: Path, keys: tuple[str, ...],
            *, hold: float, quiet: float) -> Measure:
    width, height = size
    capture.unlink(missing_ok=True)
    capture.touch()
    tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
    tmux("pipe-pane", "-o", "-t", name, f"cat >> {shlex.quote(str(capture))}")
    # The pipe starts after the first bytes may have gone: that is fine, the first paint is not measured.
    wait_settled(capture, 0, hold=1.5, quiet=1.0)
    before = capture.stat().st_size
    if keys:
        tmux("send-keys", "-t", name, *keys)
    growth = wait_settled(capture, before, hold=hold, quiet=quiet)
    after = capture.stat().st_size
    first = max((s for t, s in growth if t <= 0.2), default=before)
    if DUMP is not None:  # the key's own repaint and what came later, apart
        with capture.open("rb") as file:
            file.seek(before)
            data = file.read(after - before)
        stamp = time.time_ns()
        (DUMP / f"{name}-{stamp}-first.bin").write_bytes(data[: first - before])
        (DUMP / f"{name}-{stamp}-later.bin").write_bytes(data[first - before:])
    tmux("kill-session", "-t", name, check=False)
    return Measure(after - before, first - before)


def make_database(path: Path, offset_phrase: str) -> None:
    from annotator.models import Document, Relation, Span
    from annotator.store import ImportRecord, Store

    text = ARTICLE.read_text(encoding="utf-8")
    store = Store(path)
    document = Document.from_text(ARTICLE.name, text)
    other = Document.from_text(SECOND.name, SECOND.read_text(encoding="utf-8"))
    store.import_records([ImportRecord(document), ImportRecord(other)], actor="bench")

    def at(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    def add(phrase: str, label: str) -> Span:
        return store.add_span(Span(document_id=document.id, start=at(phrase)[0], end=at(phrase)[1], label=label,
                                   annotator=ANNOTATOR))

    claim = add("the hackers copied data that amounts to hundreds of gigabytes", "CLAIM")
    add("hundreds of gigabytes", "FIGURE")
    source = add("the Associated Press", "SOURCE")
    add("National Council of Resistance of Iran", "ENTITY")
    add("Evin Prison, and a message", "CLAIM")
    add("Monday", "FIGURE")
    store.add_relation(Relation(document_id=document.id, head=claim.id, child=source.id, label="ATTRIBUTED_TO",
                                annotator=ANNOTATOR))
    store.save_position(ANNOTATOR, document.id, text.index(offset_phrase))
    store.close()


def kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100x30")
    parser.add_argument("--colors", choices=("truecolor", "256", "16"), default="truecolor")
    parser.add_argument("--repeat", type=int, default=1, help="runs per action (the median is shown)")
    parser.add_argument("--hold", type=float, default=4.0, help="seconds counted at least after each key")
    parser.add_argument("--quiet", type=float, default=1.0, help="then seconds without output")
    parser.add_argument("--only", default="", help="only actions whose name contains this")
    parser.add_argument("--src", default="", help="run the app from this source tree (PYTHONPATH)")
    parser.add_argument("--make-db", nargs=2, metavar=("PATH", "PHRASE"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", default="", help="keep each action's bytes in this folder")
    args = parser.parse_args()
    global DUMP
    if args.dump:
        DUMP = Path(args.dump)
        DUMP.mkdir(parents=True, exist_ok=True)
    if args.make_db:
        make_database(Path(args.make_db[0]), args.make_db[1])
        return
    if shutil.which("tmux") is None:
        print("bench_traffic: skipped, it needs tmux")
        return
    width, height = (int(n) for n in args.size.lower().split("x"))
    size = (width, height)
    env = colour_env(args.colors)
    python = shlex.quote(sys.executable)
    source = {"PYTHONPATH": str(Path(args.src).resolve())} if args.src else {}
    if source:
        env += f" PYTHONPATH={shlex.quote(source['PYTHONPATH'])}"

    tmux = Tmux(f"bench-traffic-{os.getpid()}")
    rows: list[tuple[str, str, float, float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            capture = directory / "capture.bin"
            # The baseline: a bare read-only TextArea, its whole screen repainted.
            script = directory / "plain.py"
            script.write_text(BASELINE_APP, encoding="utf-8")
            command = f"{env} {python} {shlex.quote(str(script))} {shlex.quote(str(ARTICLE))}"
            runs = [run_one(tmux, "plain", command, size, capture, ("-l", "r"), hold=args.hold, quiet=args.quiet)
                    for _ in range(args.repeat)]
            baseline = statistics.median(m.total for m in runs)
            rows.append(("plain TextArea: full repaint (baseline)", "the whole screen", baseline,
                         statistics.median(m.first for m in runs)))
            for action in ACTIONS:
                if args.only and args.only not in action.name:
                    continue
                runs = []
                for run in range(args.repeat):
                    database = directory / f"run{run}-{len(rows)}.db"
                    # built by the same code as the app runs (its schema version)
                    subprocess.run([sys.executable, __file__, "--make-db", str(database), action.at],
                                   env={**os.environ, **source}, check=True)
                    command = (f"{env} {python} -m annotator.cli --db {shlex.quote(str(database))} "
                               f"--annotator {ANNOTATOR}")
                    runs.append(run_one(tmux, "app", command, size, capture, action.keys,
                                        hold=args.hold, quiet=args.quiet))
                rows.append((action.name, action.what, statistics.median(m.total for m in runs),
                             statistics.median(m.first for m in runs)))
    finally:
        tmux.kill_server()

    print(f"Bytes written to the terminal per action, {width}x{height}, {args.colors} colours, "
          f"median of {args.repeat}; counted for at least {args.hold:g} s and until {args.quiet:g} s without output.")
    print()
    print("| action | what | KB | first 0.2 s, KB | later, KB | x full repaint |")
    print("|---|---|---:|---:|---:|---:|")
    for name, what, total, first in rows:
        ratio = total / baseline if baseline else float("nan")
        print(f"| {name} | {what} | {kb(total)} | {kb(first)} | {kb(total - first)} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
