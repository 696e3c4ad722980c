"""Benchmark text.snap and the word helpers on a 1 MB document (they run on every keystroke).

Run: ``.venv/bin/python benchmarks/bench_snap.py``

The reference article repeated to 1,000,000 code points; every range is in the middle, so a
function that read the whole text would show it (a pass over 1 MB costs milliseconds, a call
here should cost tens of microseconds). Prints a markdown table. No assertions: for reading.
"""

from __future__ import annotations

import time
from pathlib import Path

from annotator.text import move_edge, snap, word_at

ARTICLE = (Path(__file__).resolve().parents[1] / "sample_docs" / "evin-prison-leak.txt").read_text(encoding="utf-8")


def main() -> None:
    text = (ARTICLE * (1_000_000 // len(ARTICLE) + 1))[:1_000_000]
    mid = len(text) // 2
    i = text.index("Iran (NCRI),", mid)
    j = i + len("Iran (NCRI),")
    quote = text.index("“According", mid)
    quote_end = text.index("month.”", quote) + len("month.”")
    brackets = "(a) “b” " * 125_000  # a worst case for the balance checks: 250,000 pairs in the range
    close = brackets.index(")", 500_000)
    cases = [
        ("snap, words: 'Iran (NCRI),'", lambda: snap(text, i, j)),
        ("snap, exact: 'Iran (NCRI),'", lambda: snap(text, i, j, words=False)),
        ("snap, words: 'ran (NC' (edges inside words)", lambda: snap(text, i + 1, j - 4)),
        ("snap, words: a quoted sentence (330 chars)", lambda: snap(text, quote, quote_end)),
        ("snap, words: 100 KB range", lambda: snap(text, mid - 50_000, mid + 50_000)),
        ("snap, words: 500 KB of brackets, ends before ')'", lambda: snap(brackets, 1, close)),
        ("word_at", lambda: word_at(text, i + 2)),
        ("move_edge end +1 from 'Iran'", lambda: move_edge(text, i, i + 4, "end", 1)),
        ("move_edge end -1 from 'Iran (NCRI)'", lambda: move_edge(text, i, j - 1, "end", -1)),
    ]
    print("| call (1 MB text, range in the middle) | µs per call |")
    print("|---|---:|")
    for name, call in cases:
        call()
        runs, elapsed = 0, 0.0
        started = time.perf_counter()
        while elapsed < 0.5:
            call()
            runs += 1
            elapsed = time.perf_counter() - started
        print(f"| {name} | {1e6 * elapsed / runs:,.1f} |")


if __name__ == "__main__":
    main()
