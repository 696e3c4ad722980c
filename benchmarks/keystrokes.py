"""Keys per task on the reference article, counted on the real app and checked in the database.

Run: ``.venv/bin/python benchmarks/keystrokes.py`` (or ``make keystrokes``)

Issue 10's six tasks (tag a word you are on; tag a 3 to 6 word span; tag a whole sentence as CLAIM;
link a claim to its source; fix a boundary; change a label), each from a stated starting state on
``sample_docs/evin-prison-leak.txt``: a fresh database with the article imported and the task's
existing spans (and links) added through the store, the real :class:`~annotator.tui.app.AnnotatorApp`
under Textual's Pilot at 100x30, the cursor put on a stated word with ``view.move_cursor``. Then the
keys are pressed, the app is closed, and the database must hold exactly the intended spans and
links of the annotator, nothing more or less; otherwise the script stops with what was stored
(exit status 1). A key is "shifted" when a US keyboard needs shift for it (``( ) { } < > ? A-Z``,
``shift+...``).

Prints a Markdown table (task | keys pressed | count | count without any shifted key | target), then
the old ways for comparison. Those are computed from the text (words between the ends, the keys of
before this issue), not pressed: before this issue the same keys stored other things (edge
punctuation, nested spans), which is what the issue was about.

``tests/tui/test_keystrokes.py`` runs every task of :data:`TASKS` through :func:`run_task`, so CI
proves the counts stay true.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "sample_docs" / "evin-prison-leak.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")
ANNOTATOR = "alice"
SIZE = (100, 30)

#: Textual key names a US keyboard types with shift.
SHIFTED_NAMES = frozenset({
    "exclamation_mark", "quotation_mark", "number_sign", "dollar_sign", "percent_sign", "ampersand",
    "left_parenthesis", "right_parenthesis", "asterisk", "plus", "colon", "less_than_sign",
    "greater_than_sign", "question_mark", "at", "circumflex_accent", "underscore", "left_curly_bracket",
    "right_curly_bracket", "vertical_line", "tilde",
})


def shifted(key: str) -> bool:
    """Whether ``key`` (a Textual key name) needs shift."""
    return "shift+" in key or key in SHIFTED_NAMES or (len(key) == 1 and key.isupper())


def typed(key: str) -> str:
    """A key as the user types it: ``)`` for right_parenthesis, ``↓`` for down, ``enter``."""
    from annotator.tui.bindings import key_display

    return key_display(key)


@dataclass(frozen=True)
class Place:
    """A piece of the article: ``text`` inside the first occurrence of ``within`` (default: ``text``)."""

    text: str
    within: str = ""

    @property
    def start(self) -> int:
        within = self.within or self.text
        outer = TEXT.index(within)
        return outer + within.index(self.text)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Task:
    task: str  # the task, as the issue names it
    start: str  # the starting state, in words
    cursor: Place  # the cursor starts on this word ...
    keys: tuple[str, ...]  # Textual key names, pressed in order
    expect: tuple[tuple[str, Place], ...]  # the annotator's spans afterwards, exactly (label, place)
    target: int
    into: int = 0  # ... this many characters into it
    spans: tuple[tuple[str, Place], ...] = ()  # the annotator's spans before (added through the store)
    links: tuple[tuple[Place, str, Place], ...] = ()  # the relations afterwards, exactly (head, label, child)

    @property
    def shown(self) -> str:
        return " ".join(f"`{typed(k)}`" for k in self.keys)

    @property
    def count(self) -> int:
        return len(self.keys)

    @property
    def unshifted(self) -> bool:
        return not any(shifted(k) for k in self.keys)


EVIN = Place("Evin", "hackers of Evin Prison")
NCRI_COUNCIL = Place("National Council of Resistance of Iran")
SENTENCE = Place("Over 60 of those executions have taken place in the past two months, following the "
                 "presidential election in June")
PREVIOUS_SENTENCE = Place("According to official figures")
IN_SENTENCE = Place("executions", SENTENCE.text)
DIGIT_SENTENCE = Place("2019 saw 281 prisoners hanged, while numbers reached at least 251 in 2020")
CLAIM = Place("they had received surveillance footage from anonymous hackers of Evin Prison")
IN_CLAIM = Place("surveillance", CLAIM.text)
AP = Place("the Associated Press")
AP_SHORT = Place("Associated Press", "the Associated Press")
NCRI = Place("NCRI", "(NCRI)")
RAISI = Place("Ebrahim Raisi")
HACKERS_CLAIM = Place("the hackers copied data that amounts to hundreds of gigabytes")
AP2 = Place("AP", "received by the AP,")
NCRI2 = Place("The NCRI", "The NCRI said, “According")

#: The six tasks (some two ways); every one is pressed on the real app and checked in the database.
TASKS: tuple[Task, ...] = (
    Task("tag a word you are on", "cursor on “Evin” (of “Evin Prison”)", EVIN, ("e",),
         expect=(("ENTITY", EVIN),), target=1, into=1),
    Task("tag a 3 to 6 word span", "cursor on “National” (6 words: v, a count, w, the label)", NCRI_COUNCIL,
         ("v", "6", "w", "s"), expect=(("SOURCE", NCRI_COUNCIL),), target=4, into=2),
    Task("tag a whole sentence as CLAIM", "cursor inside the sentence “Over 60 of those executions …”",
         IN_SENTENCE, ("ctrl+s", "c"), expect=(("CLAIM", SENTENCE),), target=3, into=3),
    Task("tag a whole sentence as CLAIM", "cursor at the start of the sentence before it (0: next sentence)",
         PREVIOUS_SENTENCE, ("0", "ctrl+s", "c"), expect=(("CLAIM", SENTENCE),), target=3),
    Task("tag a whole sentence as CLAIM", "cursor on “2019” of “… per capita. 2019 saw 281 prisoners hanged, …” "
         "(no sentence break before a digit, so ctrl+s would take both sentences; 0: up to the paragraph's end)",
         DIGIT_SENTENCE, ("v", "0", "c"), expect=(("CLAIM", DIGIT_SENTENCE),), target=3),
    Task("link a claim to its source", "CLAIM “they had received … Evin Prison”, SOURCEs “the Associated "
         "Press” (nearest) and “NCRI”; cursor on the claim (r: the pick-list, nearest first)", IN_CLAIM,
         ("r", "enter"), spans=(("CLAIM", CLAIM), ("SOURCE", AP), ("SOURCE", NCRI)),
         expect=(("CLAIM", CLAIM), ("SOURCE", AP), ("SOURCE", NCRI)), links=((CLAIM, "ATTRIBUTED_TO", AP),),
         target=4, into=2),
    Task("link a claim to its source", "CLAIM “the hackers copied data …”, SOURCEs “the AP” (nearest) and "
         "“The NCRI” (the one meant); cursor on the claim", Place("copied", HACKERS_CLAIM.text),
         ("r", "down", "enter"), spans=(("CLAIM", HACKERS_CLAIM), ("SOURCE", AP2), ("SOURCE", NCRI2)),
         expect=(("CLAIM", HACKERS_CLAIM), ("SOURCE", AP2), ("SOURCE", NCRI2)),
         links=((HACKERS_CLAIM, "ATTRIBUTED_TO", NCRI2),), target=4, into=2),
    Task("fix a boundary", "SOURCE “Associated Press” should be “the Associated Press”; cursor on it",
         AP_SHORT, ("left_square_bracket",), spans=(("SOURCE", AP_SHORT),), expect=(("SOURCE", AP),),
         target=2, into=3),
    Task("fix a boundary", "the same, cursor on “National” at the start (tab: the next span)", NCRI_COUNCIL,
         ("tab", "left_square_bracket"), spans=(("SOURCE", AP_SHORT),), expect=(("SOURCE", AP),), target=2),
    Task("change a label", "ENTITY “Ebrahim Raisi”, to be a FIGURE; cursor on it", RAISI, ("f",),
         spans=(("ENTITY", RAISI),), expect=(("FIGURE", RAISI),), target=2, into=2),
)


class TaskFailed(AssertionError):
    """The keys did not store what the task meant."""


def _ranges(pairs) -> list[tuple[str, int, int, str]]:
    return sorted((label, place.start, place.end, place.text) for label, place in pairs)


async def run_task(task: Task, directory: Path) -> list[tuple[str, int, int, str]]:
    """Press ``task``'s keys on the real app over a fresh database in ``directory``; return the stored
    spans (label, start, end, text), or raise :class:`TaskFailed` when spans or links are not exactly
    what the task meant."""
    from annotator.models import Document, Span
    from annotator.store import ImportRecord, Store
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.screens.annotate import AnnotateScreen

    path = Path(tempfile.mkdtemp(dir=directory)) / "keystrokes.db"
    document = Document.from_text(ARTICLE.name, TEXT)
    with Store(path) as store:
        store.import_records([ImportRecord(document)], actor="t")
        for label, place in task.spans:
            store.add_span(Span(document_id=document.id, start=place.start, end=place.end, label=label,
                                annotator=ANNOTATOR))
        app = AnnotatorApp(store, ANNOTATOR)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            if not isinstance(screen, AnnotateScreen):
                raise TaskFailed(f"{task.task}: the app did not open on the annotation screen ({screen!r})")
            screen.view.move_cursor(task.cursor.start + task.into)
            await pilot.pause()
            await pilot.press(*task.keys)
            await pilot.pause()
            if not isinstance(app.screen, AnnotateScreen):
                raise TaskFailed(f"{task.task}: after {task.shown} the app shows {type(app.screen).__name__}, "
                                 "not the annotation screen")
        spans = store.spans_for(document.id, annotator=ANNOTATOR)
        relations = store.relations_for(document.id, annotator=ANNOTATOR)
    stored = sorted((s.label, s.start, s.end, TEXT[s.start:s.end]) for s in spans)
    by_id = {s.id: (s.start, s.end) for s in spans}
    stored_links = sorted((by_id.get(r.head), r.label, by_id.get(r.child)) for r in relations)
    wanted_links = sorted(((h.start, h.end), label, (c.start, c.end)) for h, label, c in task.links)
    if stored != _ranges(task.expect) or stored_links != wanted_links:
        raise TaskFailed(
            f"{task.task} ({task.start}): keys {task.shown}\n"
            f"  expected spans {_ranges(task.expect)}\n  stored   spans {stored}\n"
            f"  expected links {wanted_links}\n  stored   links {stored_links}")
    return stored


def _words(start: int, end: int) -> int:
    """How many times ``w`` moves from ``start`` before it reaches ``end`` (the words in between)."""
    from annotator import text as textmod

    count, offset = 0, start
    while offset < end:
        count += 1
        offset = textmod.next_word_start(TEXT, offset)
    return count


def old_ways() -> list[tuple[str, str, int, int]]:
    """(task, the keys of before this issue, count, count without shift), computed from the text, not
    pressed. Before this issue ``v`` marked the cursor and each ``w`` took one more word into the
    selection; linking was ``r`` on one end and ``enter`` on the other; no digit counts, no ``a``,
    no unshifted ``9`` ``0`` ``[`` ``]``."""
    span_words = _words(NCRI_COUNCIL.start, NCRI_COUNCIL.end)
    sentence_words = _words(SENTENCE.start, SENTENCE.end)
    back_to_start = _words(SENTENCE.start, IN_SENTENCE.start)  # b back to its first word
    back_to_source = _words(AP.end - len("Press"), IN_CLAIM.start)  # to its last word
    return [
        ("tag a 3 to 6 word span", f"`v` + `w`×{span_words} + `s` (no count)", span_words + 2, span_words + 2),
        ("tag a whole sentence as CLAIM", "`(` `v` `)` `c` from inside it; without shift "
         f"`b`×{back_to_start} + `v` + `w`×{sentence_words} + `c`", 4, back_to_start + sentence_words + 2),
        ("link a claim to its source", f"`r`, `b`×{back_to_source} back to the source, `enter`",
         back_to_source + 2, back_to_source + 2),
        ("fix a boundary", "`<`; without shift (no key grew a span) `x`, `b`, `v` + `w`×3, `s`", 1, 7),
    ]


def table(results: list[tuple[Task, int]]) -> str:
    lines = ["| task | from | keys pressed (as typed) | count | count without any shifted key | target |",
             "|---|---|---|---:|---:|---:|"]
    for task, count in results:
        unshifted = str(count) if task.unshifted else "-"
        ok = "" if count <= task.target else " (over)"
        lines.append(f"| {task.task} | {task.start} | {task.shown} | {count} | {unshifted} | "
                     f"{'' if task.target == 1 else '≤ '}{task.target}{ok} |")
    return "\n".join(lines)


def old_table() -> str:
    lines = ["| task | keys before (computed, not pressed) | count | without shift |", "|---|---|---:|---:|"]
    for task, keys, count, unshifted in old_ways():
        lines.append(f"| {task} | {keys} | {count} | {unshifted} |")
    return "\n".join(lines)


async def main() -> int:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for task in TASKS:
            try:
                await run_task(task, Path(directory))
            except TaskFailed as failure:
                print(f"FAILED: {failure}", file=sys.stderr)
                return 1
            results.append((task, task.count))
    print(table(results))
    print()
    print(old_table())
    over = [t for t, c in results if c > t.target or not t.unshifted]
    if over:
        print(f"\n{len(over)} task(s) over target or needing shift", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    raise SystemExit(asyncio.run(main()))
