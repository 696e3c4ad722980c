"""Load: N annotator processes writing one database at once, while others export and compute agreement.

The workers are top-level functions so the 'spawn' start method can import them in the children.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.store import Store

from ..cli_runner import console_script
from .figures import Figures, check
from .model import Model, db_state, execute, from_jsonable, jsonable
from .project import doc_lengths, make_project


def annotate_worker(db_path: str, annotator: str, seed: int, n_actions: int, start_at: float) -> dict[str, Any]:
    """Run ``n_actions`` model actions as fast as possible; return expected state, latencies, errors."""
    errors: list[str] = []
    latencies: list[float] = []
    try:
        lengths = doc_lengths(db_path)
        model = Model(annotator, lengths, seed)
        with Store(db_path) as store:
            while time.time() < start_at:
                time.sleep(0.001)
            first = time.time()
            for _ in range(n_actions):
                op = model.next_op()
                t0 = time.perf_counter()
                try:
                    execute(store, annotator, op)
                except Exception as exc:  # report, do not hide: the parent fails the run
                    errors.append(f"{annotator} {op}: {type(exc).__name__}: {exc}")
                    break
                latencies.append(time.perf_counter() - t0)
        return {"annotator": annotator, "expected": jsonable(model.state), "latencies": latencies, "errors": errors,
                "first": first, "last": time.time()}
    except Exception as exc:
        return {"annotator": annotator, "expected": None, "latencies": latencies,
                "errors": errors + [f"{annotator}: {type(exc).__name__}: {exc}"]}


def read_worker(db_path: str, stop_file: str, mode: str, out_dir: str) -> dict[str, Any]:
    """Run ``annotator export`` (mode "export") or ``annotator agreement`` in a loop until ``stop_file`` exists."""
    errors: list[str] = []
    rounds = 0
    while not os.path.exists(stop_file) or rounds == 0:
        try:
            if mode == "export":
                out = Path(out_dir) / f"export-{os.getpid()}.jsonl"
                result = subprocess.run(
                    [console_script(), "--db", db_path, "export", "--format", "jsonl",
                     "--out", str(out)],
                    capture_output=True, text=True, timeout=120,
                )
                if result.returncode != 0:
                    errors.append(f"export exit {result.returncode}: {result.stderr.strip()[-500:]}")
                else:  # a consistent snapshot: every span fits its text and covers what it says
                    for line in out.read_text(encoding="utf-8").splitlines():
                        record = json.loads(line)
                        for span in record.get("spans", []):
                            if span["text"] != record["text"][span["start"]:span["end"]]:
                                errors.append(f"export wrote an inconsistent span: {span}")
                out.unlink(missing_ok=True)
            else:  # agreement
                result = subprocess.run(
                    [console_script(), "--db", db_path, "agreement"],
                    capture_output=True, text=True, timeout=120,
                )
                if result.returncode != 0 or "Traceback" in result.stderr:
                    errors.append(f"agreement exit {result.returncode}: {result.stderr.strip()[-500:]}")
        except Exception as exc:
            errors.append(f"{mode}: {type(exc).__name__}: {exc}")
        rounds += 1
        if errors:
            break
    return {"mode": mode, "rounds": rounds, "errors": errors}


@dataclass
class LoadResult:
    figures: Figures
    actions_per_second: float
    p50_ms: float
    p99_ms: float
    reader_rounds: dict[str, int]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_load(workdir: str | Path, n_workers: int = 8, n_actions: int = 60, seed: int = 1) -> LoadResult:
    """N annotators at once, plus an exporter and an agreement process; then check every row."""
    workdir = Path(workdir)
    db = workdir / "load.db"
    make_project(db)
    stop_file = workdir / "stop"
    ctx = multiprocessing.get_context("spawn")
    readers = ["export", "agreement"]
    figures = Figures()
    with ctx.Pool(n_workers + len(readers)) as pool:
        reader_jobs = [
            pool.apply_async(read_worker, (str(db), str(stop_file), mode, str(workdir))) for mode in readers
        ]
        start_at = time.time() + 1.0 + 0.05 * n_workers  # let every process start before the clock
        jobs = [
            pool.apply_async(annotate_worker, (str(db), f"ann{i:02d}", seed * 1000 + i, n_actions, start_at))
            for i in range(n_workers)
        ]
        results = [job.get(timeout=600) for job in jobs]
        stop_file.touch()
        reader_results = [job.get(timeout=600) for job in reader_jobs]
    errors = [e for r in results + reader_results for e in r["errors"]]
    check(not errors, "errors during the load run: " + " | ".join(errors[:5]))
    figures.processes = n_workers + len(readers)
    latencies = [x for r in results for x in r["latencies"]]
    figures.actions = len(latencies)
    # wall clock from the first worker's first action to the last worker's last one
    elapsed = max(r["last"] for r in results) - min(r["first"] for r in results)
    with Store(db) as store:
        lost = 0
        for r in results:
            expected = from_jsonable(r["expected"])
            actual = db_state(store, r["annotator"])
            for table in expected:
                lost += len(set(expected[table].items()) ^ set(actual[table].items()))
        figures.actions_lost = lost
        check(lost == 0, f"{lost} rows differ from what the annotators did")
        check(store.replay() == store.table_state(), "the event log does not replay to the tables")
        figures.integrity_checks += 1
        check(store.integrity_ok(), "PRAGMA integrity_check failed after the load run")
        figures.integrity_passed += 1
    return LoadResult(
        figures,
        actions_per_second=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        reader_rounds={r["mode"]: r["rounds"] for r in reader_results},
    )
