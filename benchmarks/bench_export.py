"""Benchmark the exporters (and the JSONL import) against plain sqlite3 + json on the same rows.

Run: ``.venv/bin/python benchmarks/bench_export.py [--docs 10000] [--spans 10] [--chars 600]``

Builds a database of ``--docs`` synthetic documents (Unicode: emoji, CJK,
combining marks) with ``--spans`` spans each, through ``Store.import_records``.
Then, in the same run:

* the baseline: ``SELECT`` every document and its spans with plain ``sqlite3``
  and ``json.dumps`` one line per document to a file;
* every export format through the same code as ``annotator export``;
* importing the JSONL export into a new database, against a plain ``sqlite3``
  ``executemany`` insert of the same documents and spans in one transaction;
* tracemalloc's peak while exporting JSONL from the full database and from a
  tenth of it (streaming: the peak should not grow with the database).

Prints markdown tables. No assertions: this is for reading, not for CI.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# the repository root, for the test support code (tests/support) the benchmark shares with the tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.errors import AnnotatorError  # noqa: E402
from annotator.exporters import ExportOptions, Selection, export_records, exporter  # noqa: E402
from annotator.exporters import write_export  # noqa: E402
from annotator.importers import ImportContext, read_path  # noqa: E402
from annotator.store import Store  # noqa: E402
from tests.support.synthetic import synthetic_corpus  # noqa: E402

FORMATS = [
    ("jsonl", "out.jsonl", {}),
    ("csv", "out.csv", {}),
    ("doccano", "out.doccano.jsonl", {"relations": True}),
    ("label-studio", "out.ls.json", {}),
    ("brat", "brat", {}),
    ("conll", "out.conll", {"overlap": "outer"}),
    ("spacy", "out.spacy", {}),
]


def size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def plain_dump(db: Path, out: Path) -> None:
    """The baseline: the same rows, straight from sqlite3 to JSON lines."""
    conn = sqlite3.connect(db)
    spans_cursor = conn.cursor()
    with open(out, "w", encoding="utf-8") as fh:
        for doc_id, name, text, meta in conn.execute("SELECT id, name, text, meta FROM documents ORDER BY seq"):
            spans = [
                {"id": r[0], "start": r[1], "end": r[2], "label": r[3], "annotator": r[4], "note": r[5]}
                for r in spans_cursor.execute(
                    "SELECT id, start, end, label, annotator, note FROM spans WHERE document_id = ? ORDER BY start",
                    [doc_id],
                )
            ]
            fh.write(json.dumps({"id": doc_id, "name": name, "text": text, "meta": json.loads(meta), "spans": spans},
                                ensure_ascii=False) + "\n")
    conn.close()


def plain_insert(dump: Path, db: Path) -> None:
    """The import baseline: the dumped rows back with executemany, one transaction."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE documents (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, text TEXT, meta TEXT)")
    conn.execute("CREATE TABLE spans (id TEXT PRIMARY KEY, document_id TEXT, start INT, end INT, label TEXT, "
                 "annotator TEXT, note TEXT)")
    conn.execute("CREATE INDEX spans_doc ON spans (document_id, start)")
    docs, spans = [], []
    with open(dump, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            docs.append((row["id"], row["name"], row["text"], json.dumps(row["meta"])))
            spans += [(s["id"], row["id"], s["start"], s["end"], s["label"], s["annotator"], s["note"]) for s in row["spans"]]
    with conn:
        conn.executemany("INSERT INTO documents (id, name, text, meta) VALUES (?, ?, ?, ?)", docs)
        conn.executemany("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?, ?)", spans)
    conn.close()


def export(store: Store, fmt: str, out: Path, **options) -> str:
    module = exporter(fmt)
    opts = ExportOptions(schema=store.schema, out=out, **options)
    try:
        summary = write_export(module, export_records(store, Selection()), str(out), opts)
    except AnnotatorError as exc:
        return f"refused: {str(exc)[:90]}..."
    return f"{summary.spans} spans" + (f", {len(summary.left_out)} left out" if summary.left_out else "")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def export_peak(store: Store, out: Path, limit: int | None) -> float:
    """tracemalloc peak (MB) of a JSONL export of the first ``limit`` documents."""
    module = exporter("jsonl")
    records = export_records(store, Selection())
    if limit is not None:
        ids = set(store.document_ids()[:limit])
        records = (r for r in records if r.document.id in ids)
    tracemalloc.start()
    with open(out, "w", encoding="utf-8") as fh:
        module.write(records, fh, ExportOptions(schema=store.schema, out=out))
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=10)
    parser.add_argument("--chars", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "bench.db"
        store = Store(db)
        seconds, summary = timed(store.import_records,
                                 synthetic_corpus(args.docs, args.spans, size_chars=args.chars, unicode=True), "bench")
        print(f"database: {summary.line()} in {seconds:.1f} s ({size_mb(db):.1f} MB)\n")

        base_seconds, _ = timed(plain_dump, db, tmp / "plain.jsonl")
        base_mb = size_mb(tmp / "plain.jsonl")
        print("| format | seconds | MB | ratio to plain dump | note |")
        print("|---|---:|---:|---:|---|")
        print(f"| plain sqlite3 + json.dumps | {base_seconds:.2f} | {base_mb:.1f} | 1.0 | baseline |")
        for fmt, name, options in FORMATS:
            seconds, note = timed(export, store, fmt, tmp / name, **options)
            mb = size_mb(tmp / name) if (tmp / name).exists() else 0.0
            print(f"| {fmt} | {seconds:.2f} | {mb:.1f} | {seconds / base_seconds:.1f} | {note} |")

        insert_seconds, _ = timed(plain_insert, tmp / "plain.jsonl", tmp / "plain.db")
        fresh = Store(tmp / "again.db")
        context = ImportContext(annotator="bench", schema=fresh.schema)
        import_seconds, imported = timed(
            lambda: fresh.import_records(read_path(tmp / "out.jsonl", "jsonl", context), actor="bench")
        )
        print("\n| import | seconds | ratio to plain insert | note |")
        print("|---|---:|---:|---|")
        print(f"| plain sqlite3 executemany | {insert_seconds:.2f} | 1.0 | baseline |")
        print(f"| annotator import (jsonl) | {import_seconds:.2f} | {import_seconds / insert_seconds:.1f} | "
              f"{imported.line()} |")

        tenth = max(1, args.docs // 10)
        small = export_peak(store, tmp / "peak-small.jsonl", tenth)
        full = export_peak(store, tmp / "peak-full.jsonl", None)
        print(f"\njsonl export, tracemalloc peak: {small:.1f} MB for {tenth} documents, "
              f"{full:.1f} MB for {args.docs} documents")


if __name__ == "__main__":
    main()
