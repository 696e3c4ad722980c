"""Load benchmark: N annotator processes writing one database at once.

Each process tags, relabels, resizes, deletes, links, marks status, undoes and
redoes through the store as fast as it can, while one more process exports
(``annotator export --format jsonl``, in a loop) and one computes
``annotator agreement`` (when those commands exist). Afterwards every
annotator's rows are checked exactly and the event log is replayed.

    .venv/bin/python benchmarks/bench_load.py [--workers 32] [--actions 300]

Prints actions per second (all workers together, wall clock) and the p50/p99
latency of one action (one BEGIN IMMEDIATE ... COMMIT, including waiting for
the write lock), beside a plain baseline measured in the same run: the same
number of processes each committing the same number of one-row INSERTs with
the sqlite3 module (WAL, same busy timeout), with no event log, no checks and
no readers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

# the repository root, for the test support code (tests/support) the benchmark shares with the tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.reliability.load import percentile, run_load  # noqa: E402


def plain_worker(db_path: str, worker: int, n_actions: int, start_at: float) -> list[float]:
    """The baseline: one-row INSERT transactions with the sqlite3 module, timed one by one."""
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    while time.time() < start_at:
        time.sleep(0.001)
    latencies = []
    for i in range(n_actions):
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO spans (worker, start, end, label) VALUES (?, ?, ?, 'CLAIM')", [worker, i, i + 1])
        conn.execute("COMMIT")
        latencies.append((time.perf_counter() - began) * 1000)
    conn.close()
    return latencies


def run_plain(workdir: str, n_workers: int, n_actions: int) -> tuple[float, float, float]:
    """(actions per second, p50 ms, p99 ms) of the plain baseline."""
    db_path = os.path.join(workdir, "plain.db")
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE spans (worker INTEGER, start INTEGER, end INTEGER, label TEXT)")
    conn.close()
    start_at = time.time() + 1.0
    with multiprocessing.get_context("spawn").Pool(n_workers) as pool:
        jobs = [pool.apply_async(plain_worker, (db_path, w, n_actions, start_at)) for w in range(n_workers)]
        results = [job.get() for job in jobs]
    elapsed = time.time() - start_at
    latencies = [ms for result in results for ms in result]
    return len(latencies) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--actions", type=int, default=300, help="actions per worker")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        result = run_load(tmp, n_workers=args.workers, n_actions=args.actions, seed=args.seed)
        plain_rate, plain_p50, plain_p99 = run_plain(tmp, args.workers, args.actions)
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
    print()
    print("| measure | annotator store | plain sqlite3 INSERT | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| actions per second | {result.actions_per_second:.0f} | {plain_rate:.0f} | "
          f"{result.actions_per_second / plain_rate:.2f} |")
    print(f"| one action p50 | {result.p50_ms:.2f} ms | {plain_p50:.2f} ms | {result.p50_ms / plain_p50:.1f} |")
    print(f"| one action p99 | {result.p99_ms:.1f} ms | {plain_p99:.1f} ms | {result.p99_ms / plain_p99:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
