"""Kills: SIGKILL at random moments, of a store-writing process, of ``annotator import``, and of the
real app in a pseudo-terminal. After each kill nothing acknowledged is lost, nothing half-done is
kept, the file passes integrity_check and the app opens on it again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from annotator.models import Document
from annotator.store import ImportRecord, Store

from .. import REPO
from ..cli_runner import console_script
from ..pty_driver import PtyApp
from .figures import Figures, ReliabilityFailure, check
from .model import State, db_state, model_states_at
from .project import TEXTS, doc_lengths, integrity_ok, make_project, span_ids

#: A store writer that prints "ready", then each action's number once its transaction has committed.
KILL_CHILD = r"""
import json, sys
from tests.support.reliability.model import Model, execute
from tests.support.reliability.project import doc_lengths
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
    """The environment for KILL_CHILD: the repository root on the path, for ``tests.support``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
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
        check(integrity_ok(db), f"kill run {run}: PRAGMA integrity_check failed")
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
            [console_script(), "--db", str(db), "import", str(src), "--annotator", f"imp{run}", "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        figures.processes += 1
        time.sleep(rng.uniform(0.1, 1.5))  # an import of this size takes about 1 s: some kills land after it
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        figures.kills += 1
        figures.integrity_checks += 1
        check(integrity_ok(db), f"import kill {run}: integrity_check failed")
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


def check_app_mounts(db: str | Path, annotator: str = "checker") -> None:
    """Open the database in the Textual app headless and let it mount (then quit)."""
    import asyncio

    from annotator.tui.app import AnnotatorApp

    async def mount() -> None:
        with Store(db) as store:
            app = AnnotatorApp(store, annotator)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()

    asyncio.run(mount())


TUI_TEXT = (
    "Officials in Geneva told reporters on Monday that the ministry had released three hundred prisoners "
    "from Evin after weeks of talks with families, lawyers, diplomats and a committee of independent doctors "
    "who visited the wards twice and counted every bed in every block of the old prison building.\n"
)


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
        app = PtyApp(["--db", str(db), "--annotator", annotator, "--no-mouse"])
        figures.processes += 1
        try:
            check(app.wait_for(b"prison-release", 30), f"tui run {run}: the app did not show the document: "
                  + app.text())
            app.pump(0.5)
            mine: set[str] = set()
            for tag in range(tags_before_kill):
                app.press("w" * rng.randrange(1, 3))
                app.pump(0.05)
                app.press("e")
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    app.pump(0.05)
                    now_ids = span_ids(db, annotator)
                    if len(now_ids) > len(mine):
                        mine = now_ids
                        break
                else:
                    raise ReliabilityFailure(f"tui run {run}: tag {tag + 1} never reached the database")
                figures.actions += 1
            # a burst of keys still being handled when the kill lands
            app.press("".join(rng.choice(["w", "e", "we", "ww", "wc"]) for _ in range(rng.randrange(3, 15))))
            app.pump(rng.uniform(0.0, 0.3))
            seen |= mine | span_ids(db, annotator)  # everything committed before the kill must survive it
        finally:
            app.kill()
        figures.kills += 1
        figures.integrity_checks += 1
        check(integrity_ok(db), f"tui run {run}: integrity_check failed after the kill")
        figures.integrity_passed += 1
        with Store(db) as store:
            present = {s.id for doc in store.document_ids() for s in store.spans_for(doc)}
            check(store.replay() == store.table_state(), f"tui run {run}: the event log does not replay")
        missing = {i for i in seen if i not in present}
        figures.actions_lost += len(missing)
        check(not missing, f"tui run {run}: {len(missing)} tags in the database before the kill are gone")
        # the app opens again on the same database and quits cleanly
        with PtyApp(["--db", str(db), "--annotator", annotator, "--no-mouse"]) as again:
            check(again.wait_for(b"prison-release", 30), f"tui run {run}: the app did not open again")
            again.pump(0.3)
            check(again.quit() == 0, f"tui run {run}: the app did not quit cleanly after reopening")
        figures.kills_survived += 1
    return figures
