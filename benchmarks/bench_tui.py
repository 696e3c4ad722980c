"""Benchmark the annotation screen against a plain read-only TextArea holding the same text.

Run: ``.venv/bin/python benchmarks/bench_tui.py [--size 1000000] [--spans 5000] [--dense 50000] [--docs 10000]``

Headless (``App.run_test``), 120x40. Measures, for both apps in the same run:

* first paint: from starting the app to the first idle screen with the document shown (wall);
* first paint against the number of spans: the annotation screen on the same text with no spans
  and with ``--dense`` spans (wall and CPU), and the ratio between them (it should stay near 1:
  only what is visible is built);
* cursor key: CPU time per key over many presses (a Pilot press costs ~40 ms of wall time
  whatever the app does, so wall time per press says nothing);
* tag: CPU per key press that tags the word under the cursor and repaints (TextArea side:
  the same key restyles it with ``notify_style_update()`` + ``refresh()``, what a TextArea
  based view would do after a tag);
* next document on a database of 10,000 documents: CPU per ``n`` (TextArea side: read
  the next document from the same store and ``load_text`` it).

Prints a markdown table. No assertions: this is for reading, not for CI.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import TextArea

# the repository root, for the test support code (tests/support) the benchmark shares with the tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.models import Document, Span  # noqa: E402
from annotator.store import ImportRecord, Store  # noqa: E402
from annotator.tui.app import AnnotatorApp  # noqa: E402
from tests.support.synthetic import synthetic_corpus, synthetic_spans, synthetic_text  # noqa: E402

SIZE = (120, 40)


class PlainTextAreaApp(App):
    """The baseline: a read-only TextArea, plus keys that mimic a tag restyle and a document change."""

    BINDINGS = [Binding("e", "restyle"), Binding("n", "next_document")]

    def __init__(self, text: str, store: Store | None = None) -> None:
        super().__init__()
        self.text = text
        self.store = store
        self.document_id = store.first_document() if store else None

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, read_only=True, soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_restyle(self) -> None:
        area = self.query_one(TextArea)
        area.notify_style_update()
        area.refresh()

    def action_next_document(self) -> None:
        assert self.store is not None and self.document_id is not None
        self.document_id = self.store.neighbour_document(self.document_id, 1) or self.store.first_document()
        self.query_one(TextArea).load_text(self.store.get_document(self.document_id).text)


def make_big_store(directory: Path, size: int, spans: int, name: str = "big") -> tuple[Store, str]:
    text = synthetic_text(size, seed=1)
    document = Document.from_text("big.txt", text)
    records = [
        Span(document_id=document.id, start=s, end=e, label=label, annotator="alice")
        for s, e, label in synthetic_spans(text, spans, seed=1)
    ] if spans else []
    store = Store(directory / f"{name}.db")
    store.import_records([ImportRecord(document, records)], actor="bench")
    return store, text


def make_many_store(directory: Path, docs: int) -> Store:
    store = Store(directory / "many.db")
    store.import_records(synthetic_corpus(docs, 3, seed=2, size_chars=600, annotator="alice"), actor="bench")
    return store


async def first_paint(make_app) -> float:
    return (await first_paint_wall_and_cpu(make_app))[0]


async def first_paint_wall_and_cpu(make_app) -> tuple[float, float]:
    """Wall and CPU time from creating the app to its first idle screen (CPU is steadier on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, cpu


async def cpu_per_key(make_app, keys: list[str], warmup: list[str] | None = None) -> float:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if warmup:
            await pilot.press(*warmup)
        start = time.process_time()
        await pilot.press(*keys)
        await pilot.pause()
        return (time.process_time() - start) / len(keys)


async def baseline_key_cost(keys: int) -> float:
    """CPU per Pilot press in an app with nothing in it (subtracted from both columns? No: shown apart)."""
    app = App()
    async with app.run_test(size=SIZE) as pilot:
        start = time.process_time()
        await pilot.press(*(["x"] * keys))
        return (time.process_time() - start) / keys


def median_of(n: int, coroutine_factory) -> float:
    return statistics.median(asyncio.run(coroutine_factory()) for _ in range(n))


def medians_of(n: int, coroutine_factory) -> tuple[float, ...]:
    """Medians, figure by figure, of ``n`` runs of a coroutine returning a tuple of figures."""
    runs = [asyncio.run(coroutine_factory()) for _ in range(n)]
    return tuple(statistics.median(run[i] for run in runs) for i in range(len(runs[0])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--dense", type=int, default=50_000, help="spans on the text for the first-paint scaling")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        t = time.perf_counter()
        big, text = make_big_store(directory, args.size, args.spans)
        print(f"built {len(text):,} code points with {args.spans} spans in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
        t = time.perf_counter()
        bare, _ = make_big_store(directory, args.size, 0, name="bare")
        dense, _ = make_big_store(directory, args.size, args.dense, name="dense")
        print(f"built the same text with 0 and {args.dense:,} spans in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
        t = time.perf_counter()
        many = make_many_store(directory, args.docs)
        print(f"built {args.docs:,} documents in {time.perf_counter() - t:.1f} s", file=sys.stderr)

        ours = lambda: AnnotatorApp(big, "alice")  # noqa: E731
        plain = lambda: PlainTextAreaApp(text)  # noqa: E731
        ours_many = lambda: AnnotatorApp(many, "alice")  # noqa: E731
        plain_many = lambda: PlainTextAreaApp(many.get_document(many.first_document()).text, many)  # noqa: E731

        cursor_keys = (["down"] * 3 + ["right"] * 2 + ["w"]) * (args.keys // 6)
        tag_keys = ["w", "w", "w", "e"] * 25  # tag a word every fourth key (the w's are measured too)
        rows = []

        def add(name: str, ours_value: float, plain_value: float, unit: str) -> None:
            rows.append((name, ours_value, plain_value, unit))

        add("first paint (mount), wall",
            median_of(args.repeat, lambda: first_paint(ours)), median_of(args.repeat, lambda: first_paint(plain)), "s")
        add("cursor key, CPU per key",
            median_of(args.repeat, lambda: cpu_per_key(ours, cursor_keys)),
            median_of(args.repeat, lambda: cpu_per_key(plain, cursor_keys)), "ms")
        add("tag (w w w e), CPU per key",
            median_of(args.repeat, lambda: cpu_per_key(ours, tag_keys, warmup=["g"])),
            median_of(args.repeat, lambda: cpu_per_key(plain, tag_keys)), "ms")
        # Alternate the two apps run by run, so a busy spell of the machine weighs on both alike.
        next_ours, next_plain = [], []
        for _ in range(max(args.repeat, 5)):
            next_ours.append(asyncio.run(cpu_per_key(ours_many, ["n"] * 100)))
            next_plain.append(asyncio.run(cpu_per_key(plain_many, ["n"] * 100)))
        add(f"next document ({args.docs:,} docs), CPU per key",
            statistics.median(next_ours), statistics.median(next_plain), "ms")
        idle = asyncio.run(baseline_key_cost(100))
        paint_bare = medians_of(args.repeat, lambda: first_paint_wall_and_cpu(lambda: AnnotatorApp(bare, "alice")))
        paint_dense = medians_of(args.repeat, lambda: first_paint_wall_and_cpu(lambda: AnnotatorApp(dense, "alice")))

    print(f"\n{len(text):,} code points, {args.spans:,} spans, {SIZE[0]}x{SIZE[1]}, medians of {args.repeat}\n")
    print("| measure | annotator | plain read-only TextArea | ratio (annotator / TextArea) |")
    print("|---|---|---|---|")
    for name, a, b, unit in rows:
        scale = 1000 if unit == "ms" else 1
        print(f"| {name} | {a * scale:.1f} {unit} | {b * scale:.1f} {unit} | {a / b:.2f} |")
    print(f"\nA Pilot key press in an empty App costs {idle * 1000:.1f} ms CPU (included in both columns).")
    print(f"\nFirst paint of the annotation screen against the number of spans (the same text), "
          f"medians of {args.repeat}\n")
    print(f"| measure | no spans | {args.dense:,} spans | ratio ({args.dense:,} / none) |")
    print("|---|---|---|---|")
    for index, kind in enumerate(("wall", "CPU")):
        none, many_spans = paint_bare[index], paint_dense[index]
        print(f"| first paint, {kind} | {none:.2f} s | {many_spans:.2f} s | {many_spans / none:.2f} |")


if __name__ == "__main__":
    main()
