"""Load benchmark: N annotator processes writing one database at once.

Each process tags, relabels, resizes, deletes, links, marks status, undoes and
redoes through the store as fast as it can, while one more process exports
(``annotator export --format jsonl``, in a loop) and one computes
``annotator agreement`` (when those commands exist). Afterwards every
annotator's rows are checked exactly and the event log is replayed.

    .venv/bin/python benchmarks/bench_load.py [--workers 32] [--actions 300]

Prints actions per second (all workers together, wall clock) and the p50/p99
latency of one action (one BEGIN IMMEDIATE ... COMMIT, including waiting for
the write lock).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from annotator.reliability import run_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--actions", type=int, default=300, help="actions per worker")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        result = run_load(tmp, n_workers=args.workers, n_actions=args.actions, seed=args.seed)
    f = result.figures
    print(f"load: {args.workers} annotator processes x {args.actions} actions on {os.cpu_count()} CPUs "
          f"(+ {', '.join(result.reader_rounds)} running alongside)")
    print(f"  actions          {f.actions}")
    print(f"  actions lost     {f.actions_lost}")
    print(f"  actions/second   {result.actions_per_second:.0f}")
    print(f"  one action p50   {result.p50_ms:.2f} ms")
    print(f"  one action p99   {result.p99_ms:.2f} ms")
    print(f"  reader rounds    {', '.join(f'{k} {v}' for k, v in result.reader_rounds.items())}")
    print("  rows checked exactly per annotator; event log replays to the tables; integrity_check ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
