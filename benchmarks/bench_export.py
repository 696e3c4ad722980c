"""Benchmark the exporters (and the JSONL import) against plain sqlite3 + json on the same rows.

Run: ``.venv/bin/python benchmarks/bench_export.py [--docs 10000] [--spans 10] [--chars 600]``

Builds a database of ``--docs`` synthetic documents (Unicode: emoji, CJK,
combining marks) with ``--spans`` spans each, through ``Store.import_records``.
Then, in the same run:

* the baseline: ``SELECT`` every document and its spans with plain ``sqlite3``
  and ``json.dumps`` one line per document to a file;
* for the exports whose format asks for more than that (jsonl's tokens, brat's two
  files a document, CoNLL's tokens, tags and sentences), the same essential work done
  plainly as a second baseline: the same rows, tokens by a plain regex, ``json.dumps``
  of dicts, ``open().write`` of each file (see :func:`plain_tokens_dump`,
  :func:`plain_brat`, :func:`plain_conll`);
* every export format through the same code as ``annotator export``;
* spaCy: the export of the whole database (refused when spans fall off spaCy's
  tokens: the time to say so), and of the documents whose spans all fit spaCy's
  tokens, against building the same DocBin with spaCy alone (its public API,
  from the same rows; spaCy is imported before either is timed);
* importing the JSONL export into a new database, against a plain ``sqlite3``
  ``executemany`` insert of the same documents and spans in one transaction;
* tracemalloc's peak while exporting JSONL, brat and spaCy and while importing
  the JSONL export, for a tenth of the documents and for all of them
  (streaming: the peak should not grow with the database).

Every export and import (and its baselines) runs ``--repeat`` times (3), each into a new
file, folder or database, and the fastest run is shown: the one least disturbed by other work
on a shared machine (spaCy's two long runs run once).

Prints markdown tables. No assertions: this is for reading, not for CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from bisect import bisect_left, bisect_right
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


#: The plain baselines' tokens: runs of word characters, or one other non-space character.
PLAIN_TOKEN = re.compile(r"\w+|\S")


def plain_tokens_dump(db: Path, out: Path) -> None:
    """The jsonl export's work done plainly: the same rows, each text's tokens (a plain regex, a dict
    each with text, start, end, id and ws), each span's text and token range, ``json.dumps`` a line."""
    conn = sqlite3.connect(db)
    spans_cursor = conn.cursor()
    with open(out, "w", encoding="utf-8") as fh:
        for doc_id, name, text, meta in conn.execute("SELECT id, name, text, meta FROM documents ORDER BY seq"):
            matches = list(PLAIN_TOKEN.finditer(text))
            starts, ends = [m.start() for m in matches], [m.end() for m in matches]
            tokens = [{"text": m.group(), "start": m.start(), "end": m.end(), "id": i,
                       "ws": text[m.end() : m.end() + 1] == " "} for i, m in enumerate(matches)]
            spans = [
                {"start": r[1], "end": r[2], "label": r[3], "text": text[r[1] : r[2]],
                 "token_start": bisect_right(ends, r[1]), "token_end": bisect_left(starts, r[2]) - 1,
                 "id": r[0], "annotator": r[4], "note": r[5] or ""}
                for r in spans_cursor.execute(
                    'SELECT id, start, "end", label, annotator, note FROM spans WHERE document_id = ? ORDER BY start',
                    [doc_id],
                )
            ]
            fh.write(json.dumps({"text": text, "meta": json.loads(meta), "name": name, "tokens": tokens,
                                 "spans": spans, "_annotator_id": spans[0]["annotator"] if spans else ""},
                                ensure_ascii=False) + "\n")
    conn.close()


def plain_brat(db: Path, out: Path) -> None:
    """The brat export's work done plainly: a folder, and for each document its text and a T line a
    span (label, offsets, text) written to NAME.txt and NAME.ann with ``open().write``."""
    conn = sqlite3.connect(db)
    spans_cursor = conn.cursor()
    folder = out / "synthetic"
    folder.mkdir(parents=True)
    for doc_id, name, text in conn.execute("SELECT id, name, text FROM documents ORDER BY seq"):
        lines = [
            f"T{i}\t{label} {start} {end}\t{text[start:end]}\n"
            for i, (start, end, label) in enumerate(spans_cursor.execute(
                'SELECT start, "end", label FROM spans WHERE document_id = ? ORDER BY start', [doc_id]), start=1)
        ]
        base = name.removesuffix(".txt")
        with open(folder / f"{base}.txt", "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(folder / f"{base}.ann", "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
    conn.close()


def plain_conll(db: Path, out: Path) -> None:
    """The CoNLL export's work done plainly (``--overlap outer``): each text's tokens (a plain regex),
    the longest spans first on free tokens as B-/I- tags, a sentence break after ``.``, ``!`` or ``?``
    before a capital and at a blank line, one ``TOKEN -X- O TAG`` row a token."""
    conn = sqlite3.connect(db)
    spans_cursor = conn.cursor()
    with open(out, "w", encoding="utf-8") as fh:
        for doc_id, text in conn.execute("SELECT id, text FROM documents ORDER BY seq"):
            matches = list(PLAIN_TOKEN.finditer(text))
            first_at = {m.start(): i for i, m in enumerate(matches)}
            last_at = {m.end(): i for i, m in enumerate(matches)}
            tags = ["O"] * len(matches)
            rows = spans_cursor.execute('SELECT start, "end", label FROM spans WHERE document_id = ?', [doc_id])
            for start, end, label in sorted(rows, key=lambda r: r[0] - r[1]):
                first, last = first_at.get(start), last_at.get(end)
                if first is not None and last is not None and all(t == "O" for t in tags[first : last + 1]):
                    tags[first : last + 1] = [f"B-{label}"] + [f"I-{label}"] * (last - first)
            fh.write("-DOCSTART- -X- O O\n\n")
            for i, m in enumerate(matches):
                fh.write(f"{m.group()} -X- O {tags[i]}\n")
                if i + 1 < len(matches):
                    gap, following = text[m.end() : matches[i + 1].start()], matches[i + 1].group()
                    if gap.count("\n") >= 2 or (gap and m.group() in ".!?" and following[0].isupper()):
                        fh.write("\n")
            fh.write("\n")
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


def records_of(store: Store, ids: set[str] | None):
    """The export's records, of the documents ``ids`` only (None: all)."""
    records = export_records(store, Selection())
    return records if ids is None else (r for r in records if r.document.id in ids)


def export(store: Store, fmt: str, out: Path, ids: set[str] | None = None, **options) -> str:
    module = exporter(fmt)
    opts = ExportOptions(schema=store.schema, out=out, **options)
    try:
        summary = write_export(module, records_of(store, ids), str(out), opts)
    except AnnotatorError as exc:
        return f"refused: {str(exc)[:90]}..."
    return f"{summary.spans} spans" + (f", {len(summary.left_out)} left out" if summary.left_out else "")


def spacy_fitting(db: Path) -> set[str]:
    """The documents whose spans all start and end on spaCy's tokens (not timed)."""
    import spacy

    nlp = spacy.blank("en")
    conn = sqlite3.connect(db)
    fitting = set()
    for doc_id, text in conn.execute("SELECT id, text FROM documents"):
        doc = nlp.make_doc(text)
        spans = conn.execute("SELECT start, end FROM spans WHERE document_id = ?", [doc_id]).fetchall()
        if all(doc.char_span(start, end) is not None for start, end in spans):
            fitting.add(doc_id)
    conn.close()
    return fitting


def spacy_alone(db: Path, ids: set[str], out: Path) -> None:
    """The spaCy baseline: the same DocBin (one annotator per document, as in this database),
    built with spaCy's public API from the same rows, in one piece."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc_bin = DocBin(store_user_data=True)
    conn = sqlite3.connect(db)
    spans_cursor = conn.cursor()
    for doc_id, name, text, meta in conn.execute("SELECT id, name, text, meta FROM documents ORDER BY seq"):
        if doc_id not in ids:
            continue
        doc = nlp.make_doc(text)
        rows = spans_cursor.execute(
            'SELECT start, "end", label, annotator, note FROM spans WHERE document_id = ? '
            'ORDER BY start, "end" DESC, label, annotator, id', [doc_id]
        ).fetchall()
        doc.spans["sc"] = [doc.char_span(start, end, label=label) for start, end, label, _, _ in rows]
        doc.user_data.update({"name": name, "document_id": doc_id, "annotator": rows[0][3] if rows else "",
                              "meta": json.loads(meta), "notes": [r[4] or "" for r in rows], "relations": []})
        doc_bin.add(doc)
    conn.close()
    out.write_bytes(doc_bin.to_bytes())


def timed(fn, *args, **kwargs):
    """(seconds, result); ``timed.system`` is the part of them the kernel spent for this process
    (creating files: most of a brat export on a slow file system)."""
    before, start = os.times(), time.perf_counter()
    result = fn(*args, **kwargs)
    seconds, after = time.perf_counter() - start, os.times()
    timed.system = after.system - before.system
    return seconds, result


def fastest(repeat: int, run):
    """``timed(run, i)`` for i in ``range(repeat)``: (seconds, result) of the fastest run, the one least
    disturbed by other work on a shared machine; ``timed.system`` is that run's kernel share."""
    best = None
    for i in range(repeat):
        seconds, result = timed(run, i)
        if best is None or seconds < best[0]:
            best = (seconds, result, timed.system)
    timed.system = best[2]
    return best[0], best[1]


def at(tmp: Path, name: str, run: int) -> Path:
    """Where run ``run`` writes ``name``: the first run to ``name`` itself (read by later steps)."""
    return tmp / (name if run == 0 else f"run{run}-{name}")


def peak_mb(fn, *args, **kwargs) -> float:
    """tracemalloc's peak (MB) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def import_jsonl(path: Path, db: Path) -> None:
    fresh = Store(db)
    context = ImportContext(annotator="bench", schema=fresh.schema)
    fresh.import_records(read_path(path, "jsonl", context), actor="bench")
    fresh.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=10)
    parser.add_argument("--chars", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the fastest is shown")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "bench.db"
        store = Store(db)
        seconds, summary = timed(store.import_records,
                                 synthetic_corpus(args.docs, args.spans, size_chars=args.chars, unicode=True), "bench")
        print(f"database: {summary.line()} in {seconds:.1f} s ({size_mb(db):.1f} MB)\n")

        base_seconds, _ = fastest(repeat, lambda i: plain_dump(db, at(tmp, "plain.jsonl", i)))
        base_mb = size_mb(tmp / "plain.jsonl")
        base_system = timed.system
        same_work = {}  # format -> (seconds, system seconds) of its work done plainly
        for fmt, plain, name in (("jsonl", plain_tokens_dump, "plain-tokens.jsonl"), ("brat", plain_brat, "plain-brat"),
                                 ("conll", plain_conll, "plain.conll")):
            same_work[fmt] = (fastest(repeat, lambda i: plain(db, at(tmp, name, i)))[0], timed.system)
        print("| format | seconds | of which system | MB | ratio to plain dump | ratio to the same work done plainly "
              "| note |")
        print("|---|---:|---:|---:|---:|---:|---|")
        print(f"| plain sqlite3 + json.dumps | {base_seconds:.2f} | {base_system:.2f} | {base_mb:.1f} | 1.0 | | "
              "baseline |")
        for fmt, (seconds, system) in same_work.items():
            print(f"| (same work done plainly: {fmt}) | {seconds:.2f} | {system:.2f} | | {seconds / base_seconds:.1f} | "
                  "1.0 | baseline |")
        try:
            fitting = spacy_fitting(db)  # also imports spaCy, so no timing below includes that
        except ImportError:
            fitting = None
        for fmt, name, options in FORMATS:
            if fmt == "spacy" and fitting is None:
                print("| spacy | | | | | | spaCy is not installed |")
                continue
            seconds, note = fastest(repeat, lambda i: export(store, fmt, at(tmp, name, i), **options))
            mb = size_mb(tmp / name) if (tmp / name).exists() else 0.0
            plainly = f"{seconds / same_work[fmt][0]:.1f}" if fmt in same_work else ""
            print(f"| {fmt} | {seconds:.2f} | {timed.system:.2f} | {mb:.1f} | {seconds / base_seconds:.1f} | {plainly} "
                  f"| {note} |")

        if fitting is not None:
            alone_seconds, _ = timed(spacy_alone, db, fitting, tmp / "alone.spacy")
            ours_seconds, note = timed(export, store, "spacy", tmp / "fitting.spacy", ids=fitting)
            same = (tmp / "alone.spacy").read_bytes() == (tmp / "fitting.spacy").read_bytes()
            print(f"\n| spaCy, the {len(fitting)} documents whose spans fit its tokens | seconds | ratio to spaCy alone "
                  "| note |")
            print("|---|---:|---:|---|")
            print(f"| spaCy alone (DocBin.add, to_bytes) | {alone_seconds:.2f} | 1.0 | baseline |")
            print(f"| annotator export (spacy) | {ours_seconds:.2f} | {ours_seconds / alone_seconds:.1f} | {note}, "
                  f"{'the same bytes' if same else 'NOT the same bytes'} |")

        insert_seconds, _ = fastest(repeat, lambda i: plain_insert(tmp / "plain.jsonl", at(tmp, "plain.db", i)))
        print("\n| import | seconds | ratio to plain insert | note |")
        print("|---|---:|---:|---|")
        print(f"| plain sqlite3 executemany (of the plain dump) | {insert_seconds:.2f} | 1.0 | baseline |")
        for source, what in (("out.jsonl", "the jsonl export, with tokens"), ("plain.jsonl", "the plain dump")):
            runs = []  # the import alone is timed (each into a new database), not opening and closing it
            for i in range(repeat):
                fresh = Store(at(tmp, f"again-{source}.db", i))
                context = ImportContext(annotator="bench", schema=fresh.schema)
                runs.append(timed(lambda: fresh.import_records(read_path(tmp / source, "jsonl", context),
                                                               actor="bench")))
                fresh.close()
            import_seconds, imported = min(runs, key=lambda run: run[0])
            print(f"| annotator import (jsonl) of {what} ({size_mb(tmp / source):.1f} MB) | {import_seconds:.2f} | "
                  f"{import_seconds / insert_seconds:.1f} | {imported.line()} |")

        tenth = max(1, args.docs // 10)
        first = set(store.document_ids()[:tenth])
        with open(tmp / "out.jsonl", encoding="utf-8") as fh, open(tmp / "tenth.jsonl", "w", encoding="utf-8") as part:
            part.writelines(line for _, line in zip(range(tenth), fh))
        print(f"\n| tracemalloc peak, MB | {tenth} documents | {args.docs} documents |")
        print("|---|---:|---:|")
        for fmt, name, options in [f for f in FORMATS if f[0] in ("jsonl", "brat", "spacy")]:
            if fmt == "spacy" and fitting is None:
                continue
            ids = fitting if fmt == "spacy" else None
            small = peak_mb(export, store, fmt, tmp / f"peak-small-{name}", ids=first & ids if ids else first, **options)
            full = peak_mb(export, store, fmt, tmp / f"peak-full-{name}", ids=ids, **options)
            print(f"| {fmt} export{' (fitting documents)' if ids else ''} | {small:.1f} | {full:.1f} |")
        small = peak_mb(import_jsonl, tmp / "tenth.jsonl", tmp / "peak-small.db")
        full = peak_mb(import_jsonl, tmp / "out.jsonl", tmp / "peak-full.db")
        print(f"| jsonl import | {small:.1f} | {full:.1f} |")


if __name__ == "__main__":
    main()
