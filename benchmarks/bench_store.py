"""Store costs that must not grow with the history or the corpus: undo/redo and moving between documents.

Run: ``.venv/bin/python benchmarks/bench_store.py [--events 300000] [--documents 100000] [--runs 21]``

Undo and redo: an annotator with a short history of their own, and an import of ``--events``
rows logged under the importer's name plus 30,000 of the annotator's own actions (issue 9:
undo took 37 ms with none, 0.77 s at 300,000 events, because finding the undo stack sorted all
of the actor's events). Baseline, in the same run: one plain ``sqlite3`` transaction that reads
a span by its key and updates it (what an undo does at least).

Document position and neighbours (what ``n`` asks the store): near the first and near the last
of ``--documents`` documents (issue 9: 15 ms near the first of 100,000, 48 ms near the last).
Baseline: a plain ``sqlite3`` primary-key look-up.

Medians of ``--runs``, in milliseconds, from a warm connection. No assertions: this is for reading.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from annotator.models import Document, Span  # noqa: E402
from annotator.store import Store  # noqa: E402


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _bulk_history(store: Store, doc: Document, events: int, own: int) -> None:
    """Log ``events`` imported rows (the importer) and ``own`` actions of alice, fast, in the log's own shape."""
    conn = store.conn
    with store.db.transaction():
        action = store.log.new_action("import", "import", None, "t", "import", doc.id)
        rows = []
        for i in range(events):
            row = {"id": f"imp{i}", "document_id": doc.id, "start": 0, "end": 4, "label": "ENTITY",
                   "annotator": "importer", "note": "", "created": "t", "updated": "t"}
            rows.append([action, "t", "import", "import", None, doc.id, "spans", json.dumps([row["id"]]), None,
                         json.dumps(row), "import ENTITY"])
        conn.executemany(
            "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after, what)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for i in range(own):
            a = store.log.new_action("alice", "do", None, "t", "status", doc.id)
            conn.execute(
                "INSERT INTO events (action, time, actor, kind, target, document_id, table_name, row_id, before, after,"
                " what) VALUES (?, 't', 'alice', 'do', NULL, ?, 'positions', '[]', NULL, NULL, 'old action')",
                [a, doc.id],
            )


def bench_undo(events: int, runs: int) -> list[tuple[str, float]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, n_events, own in (("no history", 0, 0), (f"{events:,} events", events, 30_000)):
            path = Path(tmp) / f"undo-{n_events}.db"
            with Store(path) as store:
                doc = store.add_document(Document.from_text("a.txt", "Sony said revenue rose 5%. " * 10))
                _bulk_history(store, doc, n_events, own)
                span = store.add_span(Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator="alice"))

                def pair() -> None:
                    store.undo("alice")
                    store.redo("alice")

                out.append((f"undo + redo, {label}", _median_ms(pair, runs)))
        plain = sqlite3.connect(path, isolation_level=None)  # the big history's file and span

        def baseline() -> None:
            plain.execute("BEGIN IMMEDIATE")
            row = plain.execute("SELECT * FROM spans WHERE id = ?", [span.id]).fetchone()
            plain.execute("UPDATE spans SET note = ? WHERE id = ?", [row[6], span.id])
            plain.execute("COMMIT")

        out.insert(0, ("plain sqlite3 read + update transaction (x2)", 2 * _median_ms(baseline, runs)))
        plain.close()
    return out


def bench_documents(documents: int, runs: int) -> list[tuple[str, float]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.db"
        with Store(path) as store:
            with store.db.transaction():
                store.conn.executemany(
                    "INSERT INTO documents (seq, id, name, text, meta, added) VALUES (?, ?, ?, ?, '{}', 't')",
                    [(i + 1, f"d{i:06}", f"doc {i}", f"text {i}") for i in range(documents)],
                )
            plain = sqlite3.connect(path)
            first, last = "d000001", f"d{documents - 2:06}"
            out.append(("plain sqlite3 primary-key look-up (x3)",
                        3 * _median_ms(lambda: plain.execute("SELECT seq FROM documents WHERE id = ?", [last]).fetchone(), runs)))
            for where, doc_id in (("near the first", first), ("near the last", last)):
                def step() -> None:
                    store.document_position(doc_id)
                    store.document_count()
                    store.neighbour_document(doc_id, 1)

                out.append((f"position + count + next, {where} of {documents:,}", _median_ms(step, runs)))
            plain.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    for title, rows in (("undo and redo", bench_undo(args.events, args.runs)),
                        ("moving between documents", bench_documents(args.documents, args.runs))):
        base = rows[0][1]
        print(f"\n{title}\n| measure | ms | ratio to baseline |\n|---|---:|---:|")
        for name, ms in rows:
            print(f"| {name} | {ms:.2f} | {ms / base:.1f} |")


if __name__ == "__main__":
    main()
