"""Reliability scenarios, shared by ``tests/reliability`` (small numbers) and ``make reliability`` (large).

``python -m annotator.reliability`` runs the long versions and prints one table:
load (N processes annotating one database at once while another exports and
another computes agreement), SIGKILL at random moments, damaged/locked/read-only/
full databases, the bad-input corpus and property-based fuzzing of every importer.

Every scenario returns a :class:`Figures` and raises :class:`ReliabilityFailure`
on the first broken promise, so the tests just call the scenario functions.

The annotation workers are deterministic: a :class:`Model` driven by a seeded
random generator decides each action (tag, relabel, resize, delete, link, mark
status, undo, redo) and knows the annotator's resulting rows, so the parent can
say exactly which rows the database must hold after the workers finish, or
after one is killed having acknowledged ``k`` actions (then the database holds
the state after ``k`` or, if the kill landed after the commit but before the
acknowledgement, ``k + 1`` actions: nothing else, and never half an action).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Document, Relation, Span, Status
from .store import ImportRecord, Store

#: The columns compared for each tracked table (timestamps differ run to run).
SPAN_COLS = ("id", "document_id", "start", "end", "label", "annotator", "note")
REL_COLS = ("id", "document_id", "head", "child", "label", "annotator")
STATUS_COLS = ("document_id", "annotator", "status")

LABELS = ("CLAIM", "FIGURE", "SOURCE", "ENTITY")

TEXTS = [
    "Sony said revenue rose 5% in the third quarter, according to Reuters.",
    "The minister claimed unemployment fell to 4.2 percent, a figure disputed by the union.",
    "Officials in Geneva told the BBC that 300 prisoners were released on Monday.",
    "According to a leaked report, the prison held twice as many inmates as allowed.",
    "Ünïcödé text: the café in Zürich reported €1.5m profit 📈 for 2023.",
    "A short one.",
]


class ReliabilityFailure(AssertionError):
    """A reliability promise was broken (lost action, damaged database, traceback...)."""


@dataclass
class Figures:
    """Counts for the summary table; scenarios add to one shared instance."""

    processes: int = 0
    actions: int = 0
    actions_lost: int = 0
    kills: int = 0
    kills_survived: int = 0
    integrity_checks: int = 0
    integrity_passed: int = 0
    bad_inputs: int = 0
    bad_inputs_rejected: int = 0
    hostile_valid_imported: int = 0
    bad_databases: int = 0
    bad_databases_clean: int = 0
    fuzz_examples: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
            else:
                getattr(self, name).extend(value)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ReliabilityFailure(message)


# -- projects ----------------------------------------------------------------------------------


def make_project(path: str | Path, texts: list[str] | None = None) -> list[str]:
    """A fresh database holding ``texts``; returns the document ids in order."""
    texts = texts or TEXTS
    with Store(path) as store:
        records = [ImportRecord(Document.from_text(f"doc-{i}.txt", t)) for i, t in enumerate(texts)]
        store.import_records(records, actor="setup")
        return store.document_ids()


def doc_lengths(path: str | Path) -> dict[str, int]:
    with Store(path) as store:
        return {doc_id: store.document_length(doc_id) for doc_id in store.document_ids()}


# -- the deterministic annotator -----------------------------------------------------------------


State = dict[str, dict[str, tuple]]


def _empty_state() -> State:
    return {"spans": {}, "relations": {}, "statuses": {}}


def _copy(state: State) -> State:
    return {table: dict(rows) for table, rows in state.items()}


class Model:
    """One annotator's rows and undo/redo stacks, advanced one action at a time.

    ``next_op()`` picks an action with the seeded generator, applies it to the
    model and returns it as a JSON-able dict that :func:`execute` performs on a
    store. Span and relation ids are ``<annotator>-s<n>`` / ``-r<n>``.
    """

    def __init__(self, annotator: str, lengths: dict[str, int], seed: int) -> None:
        self.annotator = annotator
        self.lengths = lengths
        self.docs = sorted(lengths)
        self.rng = random.Random(seed)
        self.state = _empty_state()
        self.undo_stack: list[State] = []
        self.redo_stack: list[State] = []
        self.counter = 0

    def _do(self, new_state: State) -> None:
        self.undo_stack.append(self.state)
        self.redo_stack.clear()
        self.state = new_state

    def _random_range(self, doc: str) -> tuple[int, int]:
        length = self.lengths[doc]
        start = self.rng.randrange(0, length)
        end = self.rng.randrange(start + 1, min(length, start + 12) + 1)
        return start, end

    def next_op(self) -> dict[str, Any]:
        rng = self.rng
        spans = self.state["spans"]
        if self.redo_stack and rng.random() < 0.3:
            new = self.redo_stack.pop()
            self.undo_stack.append(self.state)
            self.state = new
            return {"op": "redo"}
        roll = rng.random()
        if roll < 0.07 and self.undo_stack:
            new = self.undo_stack.pop()
            self.redo_stack.append(self.state)
            self.state = new
            return {"op": "undo"}
        if roll < 0.14:
            doc = rng.choice(self.docs)
            status = rng.choice([s.value for s in Status])
            key = json.dumps([doc, self.annotator])
            current = self.state["statuses"].get(key)
            if current is not None and current[2] == status:
                return {"op": "status", "doc": doc, "status": status}  # a no-op in the store too: no action
            new = _copy(self.state)
            new["statuses"][key] = (doc, self.annotator, status)
            self._do(new)
            return {"op": "status", "doc": doc, "status": status}
        if roll < 0.22:
            heads = [s for s in spans.values() if s[4] in ("CLAIM", "FIGURE")]
            if heads:
                head = rng.choice(heads)
                children = [s for s in spans.values() if s[4] == "SOURCE" and s[1] == head[1]]
                if children:
                    child = rng.choice(children)
                    self.counter += 1
                    rel_id = f"{self.annotator}-r{self.counter}"
                    new = _copy(self.state)
                    new["relations"][json.dumps([rel_id])] = (
                        rel_id, head[1], head[0], child[0], "ATTRIBUTED_TO", self.annotator
                    )
                    self._do(new)
                    return {"op": "link", "id": rel_id, "doc": head[1], "head": head[0], "child": child[0]}
        if spans and roll < 0.45:
            span = spans[rng.choice(sorted(spans))]
            span_id = span[0]
            if rng.random() < 0.4:
                new = _copy(self.state)
                del new["spans"][json.dumps([span_id])]
                for key, rel in list(new["relations"].items()):
                    if span_id in (rel[2], rel[3]):
                        del new["relations"][key]
                self._do(new)
                return {"op": "delete", "id": span_id}
            changes: dict[str, Any] = {}
            if rng.random() < 0.5:
                changes["label"] = rng.choice(LABELS)
            else:
                changes["start"], changes["end"] = self._random_range(span[1])
            row = list(span)
            if "label" in changes:
                row[4] = changes["label"]
            else:
                row[2], row[3] = changes["start"], changes["end"]
            new = _copy(self.state)
            new["spans"][json.dumps([span_id])] = tuple(row)
            self._do(new)
            return {"op": "update", "id": span_id, **changes}
        doc = rng.choice(self.docs)
        start, end = self._random_range(doc)
        label = rng.choice(LABELS)
        self.counter += 1
        span_id = f"{self.annotator}-s{self.counter}"
        new = _copy(self.state)
        new["spans"][json.dumps([span_id])] = (span_id, doc, start, end, label, self.annotator, "")
        self._do(new)
        return {"op": "add", "id": span_id, "doc": doc, "start": start, "end": end, "label": label}


def execute(store: Store, annotator: str, op: dict[str, Any]) -> None:
    """Perform one model action on a store (one transaction, or none for a no-op)."""
    kind = op["op"]
    if kind == "add":
        store.add_span(
            Span(id=op["id"], document_id=op["doc"], start=op["start"], end=op["end"], label=op["label"],
                 annotator=annotator)
        )
    elif kind == "update":
        store.update_span(op["id"], annotator, start=op.get("start"), end=op.get("end"), label=op.get("label"))
    elif kind == "delete":
        store.delete_span(op["id"], annotator)
    elif kind == "link":
        store.add_relation(
            Relation(id=op["id"], document_id=op["doc"], head=op["head"], child=op["child"], label="ATTRIBUTED_TO",
                     annotator=annotator)
        )
    elif kind == "status":
        store.set_status(op["doc"], annotator, Status(op["status"]))
    elif kind == "undo":
        if store.undo(annotator) is None:
            raise ReliabilityFailure(f"{annotator}: undo found nothing to undo")
    elif kind == "redo":
        if store.redo(annotator) is None:
            raise ReliabilityFailure(f"{annotator}: redo found nothing to redo")
    else:  # pragma: no cover
        raise ValueError(kind)


def model_states(annotator: str, lengths: dict[str, int], seed: int, n_actions: int) -> list[State]:
    """The model's state after 0, 1, ..., n_actions actions."""
    return model_states_at(annotator, lengths, seed, list(range(n_actions + 1)))


def model_states_at(annotator: str, lengths: dict[str, int], seed: int, counts: list[int]) -> list[State]:
    """The model's state after each of ``counts`` actions (states are immutable snapshots: no copying)."""
    model = Model(annotator, lengths, seed)
    wanted = sorted(set(counts))
    found: dict[int, State] = {}
    done = 0
    for count in wanted:
        while done < count:
            model.next_op()
            done += 1
        found[count] = model.state
    return [found[c] for c in counts]


def db_state(store: Store, annotator: str) -> State:
    """An annotator's rows in the database, in the model's form."""
    state = _empty_state()
    for row in store.db.query("SELECT * FROM spans WHERE annotator = ?", [annotator]):
        state["spans"][json.dumps([row["id"]])] = tuple(row[c] for c in SPAN_COLS)
    for row in store.db.query("SELECT * FROM relations WHERE annotator = ?", [annotator]):
        state["relations"][json.dumps([row["id"]])] = tuple(row[c] for c in REL_COLS)
    for row in store.db.query("SELECT * FROM statuses WHERE annotator = ?", [annotator]):
        state["statuses"][json.dumps([row["document_id"], row["annotator"]])] = tuple(row[c] for c in STATUS_COLS)
    return state


def _jsonable(state: State) -> dict[str, dict[str, list]]:
    return {table: {k: list(v) for k, v in rows.items()} for table, rows in state.items()}


def _from_jsonable(data: dict[str, dict[str, list]]) -> State:
    return {table: {k: tuple(v) for k, v in rows.items()} for table, rows in data.items()}


# -- workers (top-level so 'spawn' can import them) ----------------------------------------------


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
        return {"annotator": annotator, "expected": _jsonable(model.state), "latencies": latencies, "errors": errors,
                "first": first, "last": time.time()}
    except Exception as exc:
        return {"annotator": annotator, "expected": None, "latencies": latencies,
                "errors": errors + [f"{annotator}: {type(exc).__name__}: {exc}"]}


def read_worker(db_path: str, stop_file: str, mode: str, out_dir: str) -> dict[str, Any]:
    """Export (or, without an export command, read every document's spans) until ``stop_file`` exists."""
    errors: list[str] = []
    rounds = 0
    while not os.path.exists(stop_file) or rounds == 0:
        try:
            if mode == "export":
                out = Path(out_dir) / f"export-{os.getpid()}.jsonl"
                result = subprocess.run(
                    [sys.executable, "-m", "annotator.cli", "--db", db_path, "export", "--format", "jsonl",
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
            elif mode == "agreement":
                result = subprocess.run(
                    [sys.executable, "-m", "annotator.cli", "--db", db_path, "agreement"],
                    capture_output=True, text=True, timeout=120,
                )
                if result.returncode != 0 or "Traceback" in result.stderr:
                    errors.append(f"agreement exit {result.returncode}: {result.stderr.strip()[-500:]}")
            else:
                with Store(db_path) as store:
                    for doc_id in store.document_ids():
                        spans = store.spans_for(doc_id)
                        store.relations_for(doc_id)
                        text = store.get_document(doc_id).text
                        for span in spans:
                            if span.end > len(text):
                                errors.append(f"read a span out of range: {span}")
        except Exception as exc:
            errors.append(f"{mode}: {type(exc).__name__}: {exc}")
        rounds += 1
        if errors:
            break
    return {"mode": mode, "rounds": rounds, "errors": errors}


def cli_has(command: str) -> bool:
    """Whether ``annotator COMMAND`` exists (export and agreement land in other modules)."""
    from .cli import cli

    return command in cli.commands


# -- load ----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    figures: Figures
    actions_per_second: float
    p50_ms: float
    p99_ms: float
    reader_rounds: dict[str, int]


def _percentile(values: list[float], q: float) -> float:
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
    readers = ["export" if cli_has("export") else "read"]
    if cli_has("agreement"):
        readers.append("agreement")
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
            expected = _from_jsonable(r["expected"])
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
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        reader_rounds={r["mode"]: r["rounds"] for r in reader_results},
    )


# -- kills ---------------------------------------------------------------------------------------


KILL_CHILD = r"""
import json, sys
from annotator.reliability import Model, doc_lengths, execute
from annotator.store import Store
db, annotator, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = Model(annotator, doc_lengths(db), seed)
out = sys.stdout
with Store(db) as store:
    out.write("ready\n"); out.flush()
    for i in range(n):
        execute(store, annotator, model.next_op())
        out.write(f"{i + 1}\n"); out.flush()
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_kills(workdir: str | Path, kills: int = 20, n_actions: int = 1_000_000, seed: int = 7,
              max_delay: float = 0.25, check_app: bool = True) -> Figures:
    """SIGKILL a store-writing process at random moments, ``kills`` times, checking after each.

    After each kill: the database passes integrity_check, the Store opens it,
    every acknowledged action is there (state after k or k+1 actions, never
    anything else), the earlier runs' rows are untouched, and the log replays.
    """
    workdir = Path(workdir)
    db = workdir / "kill.db"
    make_project(db)
    lengths = doc_lengths(db)
    rng = random.Random(seed)
    figures = Figures()
    earlier: dict[str, State] = {}
    for run in range(kills):
        annotator = f"kill{run:03d}"
        run_seed = seed * 100_000 + run
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_CHILD, str(db), annotator, str(run_seed), str(n_actions)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_child_env(),
        )
        figures.processes += 1
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first.strip() != b"ready":
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise ReliabilityFailure(f"kill run {run}: the worker did not start: {err[-800:]}")
        time.sleep(rng.uniform(0, max_delay))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        acked = 0
        for line in proc.stdout.read().splitlines():
            if line.strip().isdigit():
                acked = int(line)
        err = proc.stderr.read().decode() if proc.stderr else ""
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]
        check(not err.strip(), f"kill run {run}: the worker wrote to stderr before the kill: {err[-800:]}")
        if acked >= n_actions:
            figures.notes.append(f"kill run {run} finished before the kill")
        figures.kills += 1
        figures.actions += acked
        counts = [acked] + ([acked + 1] if acked < n_actions else [])
        allowed = model_states_at(annotator, lengths, run_seed, counts)
        figures.integrity_checks += 1
        check(_integrity_raw(db), f"kill run {run}: PRAGMA integrity_check failed")
        figures.integrity_passed += 1
        with Store(db) as store:
            actual = db_state(store, annotator)
            if actual not in allowed:
                lost = sum(len(set(allowed[0][t].items()) - set(actual[t].items())) for t in actual)
                figures.actions_lost += max(lost, 1)
                raise ReliabilityFailure(
                    f"kill run {run}: after {acked} acknowledged actions the database holds neither the state "
                    f"after {acked} nor after {acked + 1} actions"
                )
            for name, state in earlier.items():
                check(db_state(store, name) == state, f"kill run {run}: the rows of earlier run {name} changed")
            check(store.replay() == store.table_state(), f"kill run {run}: the event log does not replay")
            check(store.integrity_ok(), f"kill run {run}: integrity_check failed through the store")
            earlier[annotator] = actual
        if check_app and (run % 50 == 0 or run == kills - 1):
            check_app_mounts(db)
        figures.kills_survived += 1
    return figures


def run_import_kills(workdir: str | Path, kills: int = 3, documents: int = 3000, seed: int = 9) -> Figures:
    """SIGKILL ``annotator import`` at random moments: the import is all there or not there at all."""
    workdir = Path(workdir)
    db = workdir / "import-kill.db"
    make_project(db)
    rng = random.Random(seed)
    figures = Figures()
    base = len(TEXTS)
    after_commit = 0
    for run in range(kills):
        src = workdir / f"batch-{run}.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i in range(documents):
                text = f"Batch {run} document {i}: Sony said revenue rose {i}% in the quarter."
                fh.write(json.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": "CLAIM"}]}) + "\n")
        proc = subprocess.Popen(
            [_console_script(), "--db", str(db), "import", str(src), "--annotator", f"imp{run}", "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        figures.processes += 1
        time.sleep(rng.uniform(0.1, 1.5))  # an import of this size takes about 1 s: some kills land after it
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        figures.kills += 1
        figures.integrity_checks += 1
        check(_integrity_raw(db), f"import kill {run}: integrity_check failed")
        figures.integrity_passed += 1
        with Store(db) as store:
            count = store.document_count()
            spans = sum(store.label_counts().get(f"imp{run}", {}).values())
            check(store.replay() == store.table_state(), f"import kill {run}: the event log does not replay")
        check(count in (base, base + documents) and spans in (0, documents) and (spans == documents) == (count > base),
              f"import kill {run}: half an import is in the database ({count - base} documents, {spans} spans)")
        if count > base:
            after_commit += 1
            base = count
        figures.kills_survived += 1
    figures.notes.append(f"import kills: {kills - after_commit} landed mid-import (nothing kept), "
                         f"{after_commit} after the commit (all kept)")
    return figures


def _integrity_raw(db: Path) -> bool:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def check_app_mounts(db: str | Path, annotator: str = "checker") -> None:
    """Open the database in the Textual app headless and let it mount (then quit)."""
    import asyncio

    from .tui.app import AnnotatorApp

    async def mount() -> None:
        with Store(db) as store:
            app = AnnotatorApp(store, annotator)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()

    asyncio.run(mount())


# -- the real app in a pseudo-terminal, killed mid-session -------------------------------------


TUI_TEXT = (
    "Officials in Geneva told reporters on Monday that the ministry had released three hundred prisoners "
    "from Evin after weeks of talks with families, lawyers, diplomats and a committee of independent doctors "
    "who visited the wards twice and counted every bed in every block of the old prison building.\n"
)


def _console_script() -> str:
    candidate = Path(sys.executable).with_name("annotator")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("annotator")
    if not found:
        raise ReliabilityFailure("the annotator console script is not installed")
    return found


class PtyApp:
    """``annotator`` running in a pseudo-terminal of a fixed size, read continuously."""

    def __init__(self, db: Path, annotator: str, rows: int = 30, cols: int = 110) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none",
               "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [_console_script(), "--db", str(db), "--annotator", annotator, "--no-mouse"],
            stdin=child, stdout=child, stderr=child, env=env, close_fds=True, start_new_session=True,
        )
        os.close(child)
        self.output = bytearray()

    def pump(self, seconds: float) -> None:
        import select

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

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.close()

    def close(self) -> None:
        try:
            os.close(self.master)
        except OSError:
            pass


def _span_ids(db: Path, annotator: str) -> set[str]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM spans WHERE annotator = ?", [annotator])}
    finally:
        conn.close()


def run_tui_kills(workdir: str | Path, kills: int = 2, tags_before_kill: int = 4, seed: int = 5) -> Figures:
    """Drive the real app by keys (e tags the word under the cursor, w moves a word), wait until each
    tag is in the database, press a burst more, SIGKILL at a random moment; then the database passes
    integrity_check, every tag seen before the kill is there, and the app opens again (and quits on q)."""
    workdir = Path(workdir)
    db = workdir / "tui.db"
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text("prison-release.txt", TUI_TEXT))], actor="setup")
    rng = random.Random(seed)
    figures = Figures()
    seen: set[str] = set()
    for run in range(kills):
        annotator = f"tui{run}"
        app = PtyApp(db, annotator)
        figures.processes += 1
        try:
            check(app.wait_for(b"prison-release", 30), f"tui run {run}: the app did not show the document: "
                  + app.output[-1500:].decode(errors="replace"))
            app.pump(0.5)
            mine: set[str] = set()
            for tag in range(tags_before_kill):
                app.press("w" * rng.randrange(1, 3))
                app.pump(0.05)
                app.press("e")
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    app.pump(0.05)
                    now_ids = _span_ids(db, annotator)
                    if len(now_ids) > len(mine):
                        mine = now_ids
                        break
                else:
                    raise ReliabilityFailure(f"tui run {run}: tag {tag + 1} never reached the database")
                figures.actions += 1
            # a burst of keys still being handled when the kill lands
            app.press("".join(rng.choice(["w", "e", "we", "ww", "wc"]) for _ in range(rng.randrange(3, 15))))
            app.pump(rng.uniform(0.0, 0.3))
            seen |= mine | _span_ids(db, annotator)  # everything committed before the kill must survive it
        finally:
            app.kill()
        figures.kills += 1
        figures.integrity_checks += 1
        check(_integrity_raw(db), f"tui run {run}: integrity_check failed after the kill")
        figures.integrity_passed += 1
        present = set()
        with Store(db) as store:
            present = {s.id for doc in store.document_ids() for s in store.spans_for(doc)}
            check(store.replay() == store.table_state(), f"tui run {run}: the event log does not replay")
        missing = {i for i in seen if i not in present}
        figures.actions_lost += len(missing)
        check(not missing, f"tui run {run}: {len(missing)} tags in the database before the kill are gone")
        # the app opens again on the same database and quits cleanly
        again = PtyApp(db, annotator)
        try:
            check(again.wait_for(b"prison-release", 30), f"tui run {run}: the app did not open again")
            again.pump(0.3)
            again.press("q")
            deadline = time.monotonic() + 15
            while again.process.poll() is None and time.monotonic() < deadline:
                again.pump(0.1)
            check(again.process.poll() == 0, f"tui run {run}: the app did not quit cleanly after reopening")
        finally:
            again.kill()
        figures.kills_survived += 1
    return figures


# -- files ---------------------------------------------------------------------------------------


def file_digest(path: str | Path) -> str:
    """A hash of a database file and its -wal (an absent -wal counts as an empty one)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        data = p.read_bytes() if p.exists() else b""
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def db_dump(path: str | Path) -> list[str]:
    """The database's content as SQL lines (read-only connection)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


# -- bad databases --------------------------------------------------------------------------------


def _newer(path: Path, journal: str) -> Path:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute("CREATE TABLE documents (id TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    return path


def _foreign(path: Path) -> Path:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
    conn.commit()
    conn.close()
    return path


def bad_databases(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Damaged, foreign and newer database files made from ``good``: name -> (file, a word the error must say)."""
    data = good.read_bytes()
    cases: dict[str, tuple[Path, str]] = {}
    for size in (50, 100, 4096, len(data) // 2, len(data) - 1000, len(data) - 1):
        path = folder / f"truncated-{size}.db"
        path.write_bytes(data[:size])
        cases[f"truncated at {size} bytes"] = (path, "")
    (folder / "text.db").write_text("just some notes, not a database\n")
    cases["a text file"] = (folder / "text.db", "not")
    (folder / "random.db").write_bytes(random.Random(3).randbytes(8192))
    cases["random bytes"] = (folder / "random.db", "not")
    garbled = bytearray(data)
    garbled[100:4096] = random.Random(4).randbytes(3996)  # the schema page
    (folder / "garbled.db").write_bytes(bytes(garbled))
    cases["garbled schema page"] = (folder / "garbled.db", "")
    zeroed = bytearray(data)
    zeroed[4096:8192] = bytes(4096)
    (folder / "zeroed-page.db").write_bytes(bytes(zeroed))
    cases["a zeroed page"] = (folder / "zeroed-page.db", "")
    cases["newer version (WAL)"] = (_newer(folder / "newer-wal.db", "WAL"), "newer")
    cases["newer version (rollback journal)"] = (_newer(folder / "newer-delete.db", "DELETE"), "newer")
    cases["another program's SQLite file"] = (_foreign(folder / "foreign.db"), "not an annotator database")
    (folder / "adir.db").mkdir(exist_ok=True)
    cases["a directory"] = (folder / "adir.db", "directory")
    return cases


#: Damage SQLite notices only when a command reads the broken page: a command that never reads it may
#: succeed; one that does must refuse cleanly. The screens are not started on them here.
DAMAGED_INSIDE = frozenset({"a zeroed page"})
SCREENS = frozenset({"annotate", "review"})


def command_lines(folder: Path, text_file: Path) -> list[list[str]]:
    """Every command that opens the database, with arguments that would otherwise work."""
    from .cli import cli

    other = folder / "other-for-merge.db"
    if not other.exists():
        make_project(other, ["Another text to merge."])
    known = {
        "import": [["import", str(text_file)]],
        "docs": [["docs"], ["docs", "--json"]],
        "stats": [["stats"]],
        "schema": [["schema", "--labels"]],
        "annotate": [["annotate"]],
        "agreement": [["agreement"]],
        "review": [["review"]],
        "merge": [["merge", str(other)]],
        "reviewers": [["reviewers"]],
        "export": [["export", "--format", "jsonl", "--out", str(folder / "export-out.jsonl")]],
    }
    lines: list[list[str]] = []
    for name in cli.commands:
        lines += known.get(name, [[name]])
    return lines


def run_bad_databases(workdir: str | Path) -> Figures:
    """Every command against every bad database: one clean line, exit 2, the file unchanged."""
    from click.testing import CliRunner

    from .cli import cli

    workdir = Path(workdir)
    figures = Figures()
    good = workdir / "good.db"
    ids = make_project(good)
    with Store(good) as store:
        store.add_span(Span(document_id=ids[0], start=0, end=4, label="ENTITY", annotator="ann"))
    text_file = workdir / "ok.txt"
    text_file.write_text("Sony said revenue rose 5% in the third quarter.\n", encoding="utf-8")
    problems: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        raise ReliabilityFailure("a screen started on a bad database")

    patched = []
    for module_name, attr in (("annotator.tui.app", "run_annotation_app"),
                              ("annotator.tui.screens.review", "run_review_app")):
        try:
            module = __import__(module_name, fromlist=[attr])
        except ImportError:
            continue
        patched.append((module, attr, getattr(module, attr)))
        setattr(module, attr, refuse)
    try:
        for name, (path, needle) in bad_databases(workdir, good).items():
            for args in command_lines(workdir, text_file):
                if name in DAMAGED_INSIDE and args[0] in SCREENS:
                    continue
                figures.bad_databases += 1
                before = file_digest(path) if path.is_file() else None
                result = CliRunner().invoke(cli, ["--db", str(path), *args], catch_exceptions=True)
                stderr = result.stderr
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    stderr += f"Traceback: {type(result.exception).__name__}: {result.exception}"
                problem = clean_error_problem(result.exit_code, result.stdout, stderr, needle)
                if name in DAMAGED_INSIDE and result.exit_code == 0 and "Traceback" not in stderr:
                    problem = None
                if problem is None and before is not None and file_digest(path) != before:
                    problem = "the file changed"
                if problem:
                    problems.append(f"{name}, annotator {' '.join(args)}: {problem}")
                else:
                    figures.bad_databases_clean += 1
    finally:
        for module, attr, original in patched:
            setattr(module, attr, original)
    check(not problems, f"{len(problems)} bad-database runs misbehaved: " + " | ".join(problems[:5]))
    return figures


# -- bad inputs -------------------------------------------------------------------------------


BAD_INPUTS_DIR = Path(__file__).resolve().parents[2] / "tests" / "bad_inputs"


@dataclass
class InputCase:
    name: str
    path: Path
    format: str | None
    expect: str = ""
    accept: bool = False
    why: str = ""


def bad_input_cases(scratch: Path, huge_mb: int = 8) -> list[InputCase]:
    """The committed corpus (tests/bad_inputs/manifest.json) plus large files generated here."""
    manifest = json.loads((BAD_INPUTS_DIR / "manifest.json").read_text(encoding="utf-8"))
    cases = [
        InputCase(name, BAD_INPUTS_DIR / name, spec.get("format"), spec.get("expect", ""),
                  spec.get("accept", False), spec.get("why", ""))
        for name, spec in manifest.items()
    ]
    scratch.mkdir(parents=True, exist_ok=True)
    size = huge_mb * 1024 * 1024
    huge_text = scratch / "huge-single-line.txt"
    with huge_text.open("w", encoding="utf-8") as fh:
        chunk = "word " * 1000
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    cases.append(InputCase("huge-single-line.txt", huge_text, None, accept=True,
                           why=f"{huge_mb} MB on one line: a valid (if odd) document"))
    huge_json = scratch / "huge-line-invalid.jsonl"
    with huge_json.open("w", encoding="utf-8") as fh:
        fh.write('{"text": "' + "x" * size + '", "spans": [oops]}\n')
    cases.append(InputCase("huge-line-invalid.jsonl", huge_json, "jsonl", "invalid JSON",
                           why=f"{huge_mb} MB JSON line, broken at the end"))
    many = scratch / "many-lines-last-bad.jsonl"
    with many.open("w", encoding="utf-8") as fh:
        for i in range(20000):
            fh.write(json.dumps({"text": f"Document number {i} of many."}) + "\n")
        fh.write('{"text": "last", "spans": [{"start": 0, "end": 99, "label": "ENTITY"}]}\n')
    cases.append(InputCase("many-lines-last-bad.jsonl", many, "jsonl", "line 20001",
                           why="20,000 good lines then a bad one: nothing imported"))
    return cases


def clean_error_problem(code: int, stdout: str, stderr: str, needle: str = "") -> str | None:
    """None if this is a clean refusal (exit 2, one ``error:`` line, no traceback), else what is wrong."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if "Traceback" in stderr + stdout:
        return "traceback: " + stderr[-1500:]
    if code != 2:
        return f"exit status {code}, stderr {stderr[-800:]!r}"
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return f"not one 'error: ' line: {stderr[-800:]!r}"
    if needle and needle.lower() not in lines[0].lower():
        return f"the error does not mention {needle!r}: {lines[0]}"
    return None


def _template_db(folder: Path) -> Path:
    template = folder / "template.db"
    if not template.exists():
        ids = make_project(template)
        with Store(template) as store:
            store.add_span(Span(document_id=ids[0], start=0, end=4, label="ENTITY", annotator="ann"))
    return template


def try_input(case: InputCase, folder: Path) -> str | None:
    """Import one case into a copy of a small project via the CLI; None if it behaved, else the problem."""
    from click.testing import CliRunner

    from .cli import cli

    db = folder / f"case-{hashlib.sha1(case.name.encode()).hexdigest()[:10]}.db"
    shutil.copy(_template_db(folder), db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    dump = db_dump(db)
    args = ["--db", str(db), "import", str(case.path), "--annotator", "tester"]
    if case.format:
        args += ["--format", case.format]
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "Traceback\n" + "".join(traceback.format_exception(result.exception))
    try:
        if case.accept:
            if result.exit_code != 0 or "Traceback" in stderr:
                return f"refused a valid input (exit {result.exit_code}): {stderr[-800:]}"
            with Store(db) as store:
                check(store.integrity_ok(), "integrity")
                if case.path.suffix in (".txt",) and case.path.stat().st_size < 1_000_000:
                    from .importers.text import read_file_text

                    wanted = read_file_text(case.path)
                    texts = [d.text for d in store.documents()]
                    if wanted not in texts:
                        return "the stored text differs from the file"
            return None
        problem = clean_error_problem(result.exit_code, result.stdout, stderr, case.expect)
        if problem:
            return problem
        # the main file byte for byte, and the content (a rolled-back transaction may leave
        # uncommitted frames in the -wal, which SQLite ignores)
        if hashlib.sha256(db.read_bytes()).hexdigest() != before or db_dump(db) != dump:
            return "the database changed"
        return None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_bad_inputs(workdir: str | Path, huge_mb: int = 8) -> Figures:
    """Every corpus case through ``annotator import``: refused cleanly and nothing changed (or, for
    the valid-but-hostile ones, imported intact)."""
    workdir = Path(workdir)
    figures = Figures()
    problems = []
    for case in bad_input_cases(workdir / "generated", huge_mb):
        figures.bad_inputs += 1
        problem = try_input(case, workdir)
        if problem:
            problems.append(f"{case.name} ({case.why}): {problem}")
        elif case.accept:
            figures.hostile_valid_imported += 1
        else:
            figures.bad_inputs_rejected += 1
    check(not problems, f"{len(problems)} bad inputs misbehaved: " + " | ".join(problems[:8]))
    return figures


# -- fuzzing ----------------------------------------------------------------------------------


VALID_SAMPLES: dict[str, dict[str, bytes]] = {
    "text": {"doc.txt": "Sony said revenue rose 5% (Reuters).\n".encode()},
    "jsonl": {"doc.jsonl": (
        '{"text": "Sony said revenue rose 5%.", "meta": {"src": "x"}, "spans": [{"id": "a", "start": 0, '
        '"end": 4, "label": "SOURCE", "text": "Sony"}, {"id": "b", "start": 23, "end": 25, "label": "FIGURE"}], '
        '"relations": [{"head": "b", "child": "a", "label": "ATTRIBUTED_TO"}]}\n'
        '{"text": "Second \\u00e9 line \\ud83d\\udcc8", "spans": [{"start": 0, "end": 6, "label": "CLAIM"}]}\n'
    ).encode()},
    "doccano": {"doc.jsonl": (
        '{"text": "Sony said revenue rose 5%.", "label": [[0, 4, "SOURCE"], [23, 25, "FIGURE"]]}\n'
        '{"text": "Emoji \\ud83d\\udcc8 up", "entities": [{"id": 1, "start_offset": 0, "end_offset": 5, '
        '"label": "CLAIM"}, {"id": 2, "start_offset": 9, "end_offset": 11, "label": "SOURCE"}], '
        '"relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "ATTRIBUTED_TO"}]}\n'
    ).encode()},
    "label-studio": {"doc.json": json.dumps([{
        "id": 1, "data": {"text": "Sony said revenue rose 5%."},
        "annotations": [{"completed_by": {"email": "a@b.c"}, "result": [
            {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
             "value": {"start": 0, "end": 4, "text": "Sony", "labels": ["SOURCE"]}},
            {"id": "r2", "type": "labels", "value": {"start": 23, "end": 25, "labels": ["FIGURE"]}},
            {"type": "relation", "from_id": "r2", "to_id": "r1", "labels": ["ATTRIBUTED_TO"]},
        ]}],
    }]).encode()},
    "brat": {
        "doc.txt": "Sony said revenue rose 5%.\nSecond line.\n".encode(),
        "doc.ann": (
            "T1\tSOURCE 0 4\tSony\nT2\tFIGURE 23 25\t5%\nR1\tATTRIBUTED_TO Arg1:T2 Arg2:T1\n"
            "#1\tAnnotatorNotes T1\ta note\nA1\tNegated T1\n"
        ).encode(),
    },
}

#: Keys the JSON formats look at, so random structures reach deep into the importers.
JSON_KEYS = [
    "text", "meta", "name", "spans", "relations", "start", "end", "label", "id", "note", "annotator", "head",
    "child", "entities", "start_offset", "end_offset", "from_id", "to_id", "type", "data", "annotations",
    "result", "value", "labels", "completed_by", "was_cancelled", "email", "username", "_annotator_id",
    "created", "updated", "tokens", "predictions",
]


def fuzz_import(fmt: str, files: dict[str, bytes], folder: Path, store: Store) -> None:
    """Write ``files`` into ``folder`` and import them as ``fmt`` (None: guess); only AnnotatorError may escape."""
    from .errors import AnnotatorError
    from .importers import IMPORTERS, ImportContext, guess_format, read_path

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    context = ImportContext(annotator="fuzzer", schema=store.schema)
    target = folder if fmt == "brat" else folder / next(iter(files))
    try:
        if fmt != "brat":
            guess_format(target)
        records = list(read_path(target, fmt, context))
        store.import_records(records, actor="fuzzer")
    except AnnotatorError as exc:
        if "\n" in str(exc):
            raise ReliabilityFailure(f"a multi-line error: {exc!r}") from None
    assert fmt in IMPORTERS or fmt is None


def _mutate(data: bytes, rng: random.Random, n: int) -> bytes:
    buf = bytearray(data)
    for _ in range(n):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf) + 1) if buf else 0
        if op == 0 and buf:  # flip a byte
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:  # insert interesting bytes
            buf[pos:pos] = rng.choice(
                [b"\x00", b"\xff", b"\xed\xa0\x80", b'"', b"\\", b"\\ud800", b"{", b"]", b"\t", b"\n", b"-1",
                 b"99999999999999999999", b"1e400", b"NaN", b"null", b"true", b"\xe2\x80\xae", b"\r\n", b";"]
            )
        elif op == 2 and buf:  # delete a run
            del buf[pos:pos + rng.randrange(1, 8)]
        elif op == 3 and buf:  # duplicate a run
            end = min(len(buf), pos + rng.randrange(1, 40))
            buf[pos:pos] = buf[pos:end]
        elif op == 4 and buf:  # change a digit
            digits = [i for i, b in enumerate(buf) if 48 <= b <= 57]
            if digits:
                buf[rng.choice(digits)] = rng.randrange(48, 58)
        elif op == 5:  # truncate
            del buf[pos:]
    return bytes(buf)


def run_fuzz(examples: int = 200, seed: int | None = 0) -> Figures:
    """Hypothesis over every importer: random bytes, random JSON-ish structures and mutated valid
    files. ``examples`` per importer and strategy. Anything but AnnotatorError fails."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from .importers import IMPORTERS

    import warnings

    # hypothesis' check that a recursive strategy's extend uses its argument misfires on this one
    # (the structures do nest: depth 4 and more is common); keep the output readable
    warnings.filterwarnings("ignore", message=".*doesn't use it's argument.*")
    figures = Figures()
    counter = {"n": 0}
    scratch = Path(tempfile.mkdtemp(prefix="annotator-fuzz-"))
    store = Store(":memory:")
    json_leaf = st.one_of(
        st.none(), st.booleans(), st.integers(-5, 60), st.integers(), st.floats(allow_nan=True),
        st.sampled_from(["", "Sony", "ENTITY", "CLAIM", "SOURCE", "FIGURE", "ATTRIBUTED_TO", "labels", "relation",
                         "T1", "a", "b", "r1", "\ud800", "\x00", "\u202e", "📈"]),
        st.text(max_size=12),
    )
    json_value = st.recursive(
        json_leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=4), inner, max_size=6),
        ),
        max_leaves=30,
    )
    config = settings(
        max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
    )

    def main_name(fmt: str) -> str:
        return next(n for n in VALID_SAMPLES[fmt] if not n.endswith(".txt")) if fmt == "brat" else next(
            iter(VALID_SAMPLES[fmt])
        )

    try:
        for fmt in sorted(IMPORTERS):
            folder = scratch / fmt.replace("-", "_")
            sample = VALID_SAMPLES.get(fmt)
            if sample is None:
                figures.notes.append(f"no fuzz sample for importer {fmt}")
                continue
            name = main_name(fmt)

            @config
            @given(data=st.binary(max_size=600))
            def random_bytes(data: bytes) -> None:
                counter["n"] += 1
                fuzz_import(fmt, {**sample, name: data}, folder, store)

            @config
            @given(value=st.lists(json_value, min_size=1, max_size=3), as_list=st.booleans())
            def random_json(value: list, as_list: bool) -> None:
                counter["n"] += 1
                if fmt == "label-studio" or (as_list and fmt not in ("jsonl", "doccano")):
                    body = json.dumps(value if as_list else value[0], ensure_ascii=as_list)
                else:
                    body = "\n".join(json.dumps(v, ensure_ascii=bool(i % 2)) for i, v in enumerate(value))
                if fmt == "brat":
                    body = "\n".join(
                        f"{k}\t{v}" for k, v in zip(["T1", "T2", "R1", "#1", "E1"], map(str, value), strict=False)
                    )
                fuzz_import(fmt, {**sample, name: body.encode("utf-8", "surrogatepass")}, folder, store)

            @config
            @given(rng_seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12))
            def mutated(rng_seed: int, n: int) -> None:
                counter["n"] += 1
                rng = random.Random(rng_seed)
                files = dict(sample)
                target = rng.choice(sorted(files)) if fmt == "brat" else name
                files[target] = _mutate(files[target], rng, n)
                fuzz_import(fmt, files, folder, store)

            for test in (random_bytes, random_json, mutated):
                try:
                    test()
                except ReliabilityFailure:
                    raise
                except Exception as exc:
                    raise ReliabilityFailure(
                        f"importer {fmt}, {test.__name__}: {type(exc).__name__}: {exc}"
                    ) from exc
    finally:
        store.close()
        shutil.rmtree(scratch, ignore_errors=True)
    figures.fuzz_examples = counter["n"]
    return figures


def _main_table(figures: Figures, extra: list[tuple[str, str]]) -> str:
    rows = [
        ("processes run", f"{figures.processes}"),
        ("actions run", f"{figures.actions}"),
        ("actions lost", f"{figures.actions_lost}"),
        ("kills (SIGKILL) survived", f"{figures.kills_survived} / {figures.kills}"),
        ("integrity checks passed", f"{figures.integrity_passed} / {figures.integrity_checks}"),
        ("bad databases refused cleanly", f"{figures.bad_databases_clean} / {figures.bad_databases}"),
        ("bad inputs rejected cleanly",
         f"{figures.bad_inputs_rejected} / {figures.bad_inputs - figures.hostile_valid_imported}"),
        ("hostile but valid inputs imported intact", f"{figures.hostile_valid_imported}"),
        ("fuzz examples run", f"{figures.fuzz_examples}"),
        *extra,
    ]
    width = max(len(k) for k, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    line = f"+-{'-' * width}-+-{'-' * vwidth}-+"
    out = [line, f"| {'check'.ljust(width)} | {'result'.rjust(vwidth)} |", line]
    out += [f"| {k.ljust(width)} | {v.rjust(vwidth)} |" for k, v in rows]
    out.append(line)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``make reliability``: the long runs, one table."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m annotator.reliability", description=main.__doc__)
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
    print(_main_table(total, extra))
    for note in total.notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures or total.actions_lost else 0


if __name__ == "__main__":
    sys.exit(main())
