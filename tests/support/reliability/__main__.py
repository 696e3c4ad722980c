"""``make reliability``: the long runs of every scenario, then one table.

    python -m tests.support.reliability [--workers 32] [--actions 150] [--kills 200] [--fuzz 2000] [--quick]

(from the repository root). Exit status 1 if any scenario failed or lost an action.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from .bad_databases import run_bad_databases
from .bad_inputs import run_bad_inputs
from .figures import Figures, ReliabilityFailure
from .fuzz import run_fuzz
from .kills import run_import_kills, run_kills, run_tui_kills
from .load import LoadResult, run_load
from .table import summary_table


def main(argv: list[str] | None = None) -> int:
    """``make reliability``: the long runs, one table."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.reliability", description=main.__doc__)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--actions", type=int, default=150, help="actions per load worker")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--fuzz", type=int, default=2000, help="fuzz examples per importer and strategy")
    parser.add_argument("--quick", action="store_true", help="small numbers (a smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.workers, args.actions, args.kills, args.fuzz = 4, 30, 5, 50
    total = Figures()
    extra: list[tuple[str, str]] = []
    failures: list[str] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="annotator-reliability-") as tmp:
        steps = [
            ("load", lambda d: run_load(d, args.workers, args.actions)),
            ("kills", lambda d: run_kills(d, args.kills)),
            ("import kills", lambda d: run_import_kills(d, max(3, args.kills // 10))),
            ("bad databases", run_bad_databases),
            ("bad inputs", run_bad_inputs),
            ("fuzz", lambda d: run_fuzz(args.fuzz)),
            ("tui kills", lambda d: run_tui_kills(d, max(2, args.kills // 20))),
        ]
        for name, step in steps:
            d = Path(tmp) / name.replace(" ", "_")
            d.mkdir()
            t0 = time.time()
            print(f"running {name}...", file=sys.stderr, flush=True)
            try:
                result = step(d)
            except ReliabilityFailure as exc:
                failures.append(f"{name}: {exc}")
                continue
            if isinstance(result, LoadResult):
                total.add(result.figures)
                extra.append((f"load: {args.workers} annotators, actions/s", f"{result.actions_per_second:.0f}"))
                extra.append(("load: one action p50 / p99", f"{result.p50_ms:.1f} ms / {result.p99_ms:.1f} ms"))
                extra.append(("load: reader rounds", ", ".join(f"{k} {v}" for k, v in result.reader_rounds.items())))
            elif result is not None:
                total.add(result)
            print(f"  {name} done in {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    extra.append(("failures", str(len(failures))))
    extra.append(("wall time", f"{time.time() - started:.0f} s"))
    print(summary_table(total, extra))
    for note in total.notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures or total.actions_lost else 0


if __name__ == "__main__":
    sys.exit(main())
