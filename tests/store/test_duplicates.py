"""One annotator never holds the same span or relation twice (issue 10: "Duplicates are stored").

The bugs, as a user reproduced them: a search hit inside an existing span then the same label
stored two identical SOURCE spans; two windows of one annotator pressing the same key stored two;
linking the same pair twice stored two relations. The store now refuses the second copy inside
the write's transaction (AlreadyExists, whose message is the line the screen shows), undo and
redo skip an entry that would put one back, and imports and merges keep one and count the rest.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from annotator.errors import AlreadyExists, AnnotatorError
from annotator.models import Document, Relation, Span
from annotator.store import ImportRecord, Store


def tag(store: Store, doc: Document, words: str, label: str, annotator: str = "alice", nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(words, start + 1)
    return store.add_span(Span(document_id=doc.id, start=start, end=start + len(words), label=label, annotator=annotator))


def link(store: Store, doc: Document, head: Span, child: Span, annotator: str = "alice") -> Relation:
    return store.add_relation(
        Relation(document_id=doc.id, head=head.id, child=child.id, label="ATTRIBUTED_TO", annotator=annotator)
    )


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# -- the store refuses a second copy ------------------------------------------------------------------


def test_a_second_copy_of_a_span_is_refused_with_the_line_the_screen_shows(store, article):
    first = tag(store, article, "Ebrahim", "FIGURE")
    events = count(store, "events")

    with pytest.raises(AlreadyExists) as caught:
        tag(store, article, "Ebrahim", "FIGURE")

    assert str(caught.value) == "already tagged: FIGURE 'Ebrahim' (480-487)"
    assert caught.value.existing == first.id
    assert isinstance(caught.value, AnnotatorError)  # every command prints it as one line, exit 2
    assert [s.id for s in store.spans_for(article.id)] == [first.id]
    assert count(store, "events") == events  # nothing logged either
    assert store.undo("alice").description == "undid: tag FIGURE 'Ebrahim'"  # the refused add is no undo step


def test_the_same_span_is_still_anyones_own_and_other_labels_or_ranges_are_other_spans(store, article):
    tag(store, article, "Ebrahim", "FIGURE")
    tag(store, article, "Ebrahim", "FIGURE", annotator="bob")  # another annotator's own work
    tag(store, article, "Ebrahim", "ENTITY")  # another label
    tag(store, article, "Ebrahim Raisi", "FIGURE")  # another range
    assert len(store.spans_for(article.id)) == 4


def test_two_windows_of_one_annotator_pressing_the_same_key_store_one_span(store, article, db_path):
    with Store(db_path) as other_window:
        tag(store, article, "Evin Prison", "ENTITY")
        with pytest.raises(AlreadyExists, match="already tagged: ENTITY 'Evin Prison'"):
            tag(other_window, article, "Evin Prison", "ENTITY")
        assert len(other_window.spans_for(article.id)) == 1


def test_two_processes_racing_store_one_span(article, db_path):
    """Both writers start together; the check runs inside BEGIN IMMEDIATE, so exactly one wins."""
    start = article.text.index("Evin Prison")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def press() -> None:
        with Store(db_path) as window:
            barrier.wait()
            try:
                window.add_span(Span(document_id=article.id, start=start, end=start + 11, label="ENTITY",
                                     annotator="alice"))
                outcomes.append("stored")
            except AlreadyExists:
                outcomes.append("already")

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "already", "already", "stored"]
    with Store(db_path) as store:
        assert len(store.spans_for(article.id)) == 1


def test_a_relabel_onto_an_identical_span_is_refused_and_changes_nothing(store, article):
    figure = tag(store, article, "Ebrahim", "FIGURE")
    entity = tag(store, article, "Ebrahim", "ENTITY")
    with pytest.raises(AlreadyExists, match=r"^already tagged: FIGURE 'Ebrahim' \(480-487\)$") as caught:
        store.update_span(entity.id, "alice", label="FIGURE")
    assert caught.value.existing == figure.id
    assert store.get_span(entity.id).label == "ENTITY"
    store.update_span(entity.id, "alice", note="a note is not another span")  # the key stays: allowed
    store.update_span(entity.id, "alice", label="ENTITY")  # relabel to its own label: no duplicate


def test_a_boundary_move_onto_an_identical_span_is_refused(store, article):
    whole = tag(store, article, "Ebrahim Raisi", "ENTITY")
    first_name = tag(store, article, "Ebrahim", "ENTITY")
    with pytest.raises(AlreadyExists, match="already tagged: ENTITY 'Ebrahim Raisi'"):
        store.update_span(first_name.id, "alice", end=whole.end)
    assert store.get_span(first_name.id).end == whole.start + len("Ebrahim")


def test_an_identical_relation_is_refused(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE")
    first = link(store, article, claim, source)
    with pytest.raises(AlreadyExists, match=r"^already linked: CLAIM -> SOURCE$") as caught:
        link(store, article, claim, source)
    assert caught.value.existing == first.id
    assert len(store.relations_for(article.id)) == 1
    link(store, article, claim, source, annotator="bob")  # bob's own link of the same pair
    assert len(store.relations_for(article.id)) == 2


# -- undo and redo never put a second copy back -----------------------------------------------------


def _import_span(store: Store, doc: Document, words: str, label: str, annotator: str = "alice") -> None:
    """The same span arriving another way than a key (an import, not on anyone's undo stack)."""
    start = doc.text.index(words)
    span = Span(document_id=doc.id, start=start, end=start + len(words), label=label, annotator=annotator)
    store.import_records([ImportRecord(doc, [span])], actor="import")


def test_undo_of_a_delete_after_the_span_was_made_again_is_skipped_with_a_message(store, article):
    raisi = tag(store, article, "Raisi", "ENTITY")
    earlier = tag(store, article, "Evin Prison", "ENTITY")
    store.delete_span(raisi.id, "alice")
    _import_span(store, article, "Raisi", "ENTITY")

    result = store.undo("alice")

    assert result.skipped and result.changes == []
    assert result.description.startswith("cannot undo delete ENTITY 'Raisi': ")
    assert "tagged ENTITY 'Raisi' (" in result.description and "again since" in result.description
    assert [s.start for s in store.spans_for(article.id) if s.label == "ENTITY"].count(raisi.start) == 1
    assert store.undo("alice").description == "undid: tag ENTITY 'Evin Prison'"  # the stack goes on
    assert store.get_span(earlier.id) is None
    assert store.duplicates().spans == [] and store.replay() == store.table_state()


def test_redo_of_a_tag_after_the_span_was_made_again_is_skipped(store, article):
    tag(store, article, "Raisi", "ENTITY")
    store.undo("alice")
    _import_span(store, article, "Raisi", "ENTITY")
    result = store.redo("alice")
    assert result.skipped and "cannot redo tag ENTITY 'Raisi'" in result.description
    assert len(store.spans_for(article.id)) == 1 and store.redo("alice") is None


def test_undo_of_a_relabel_back_onto_a_span_made_since_is_skipped(store, article):
    span = tag(store, article, "Raisi", "ENTITY")
    store.update_span(span.id, "alice", label="SOURCE")
    _import_span(store, article, "Raisi", "ENTITY")
    result = store.undo("alice")
    assert result.skipped and "again since" in result.description
    assert store.get_span(span.id).label == "SOURCE" and store.duplicates().spans == []


def test_undo_of_an_unlink_after_the_same_link_was_made_again_is_skipped(store, article):
    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE")
    relation = link(store, article, claim, source)
    store.delete_relation(relation.id, "alice")
    again = Relation(document_id=article.id, head=claim.id, child=source.id, label="ATTRIBUTED_TO", annotator="alice")
    store.import_records([ImportRecord(article, [store.get_span(claim.id), store.get_span(source.id)], [again])],
                         actor="import")
    assert len(store.relations_for(article.id)) == 1
    result = store.undo("alice")
    assert result.skipped and "linked CLAIM -> SOURCE again since" in result.description
    assert len(store.relations_for(article.id)) == 1


# -- undo and redo say what they did, in plain words ---------------------------------------------------


def test_undo_and_redo_messages_say_what_in_plain_words(store, article):
    ebrahim = tag(store, article, "Ebrahim", "FIGURE")
    assert store.undo("alice").description == "undid: tag FIGURE 'Ebrahim'"  # not the status it set
    assert store.redo("alice").description == "redid: tag FIGURE 'Ebrahim'"

    store.update_span(ebrahim.id, "alice", label="ENTITY")
    assert store.undo("alice").description == "undid: relabel ENTITY back to FIGURE 'Ebrahim'"
    assert store.redo("alice").description == "redid: relabel FIGURE to ENTITY 'Ebrahim'"

    store.update_span(ebrahim.id, "alice", end=ebrahim.end + len(" Raisi"))
    assert store.undo("alice").description == "undid: move the end of ENTITY 'Ebrahim Raisi'"
    store.update_span(ebrahim.id, "alice", note="the president")
    assert store.undo("alice").description == "undid: note on ENTITY 'Ebrahim'"

    claim = tag(store, article, "2019 saw 281 prisoners hanged", "CLAIM")
    source = tag(store, article, "Iran Human Rights Monitor", "SOURCE")
    link(store, article, claim, source)
    assert store.undo("alice").description == "undid: link CLAIM -> SOURCE"
    store.redo("alice")
    store.delete_span(source.id, "alice")
    assert store.undo("alice").description == "undid: delete SOURCE 'Iran Human Rights Monitor' and its 1 link"
    raisi = tag(store, article, "Raisi", "ENTITY", nth=1)
    store.delete_span(raisi.id, "alice")
    assert store.undo("alice").description == "undid: delete ENTITY 'Raisi'"
    store.update_span(claim.id, "alice", start=claim.start + len("2019 "), end=claim.end + 1)
    assert store.undo("alice").description == "undid: move CLAIM 'saw 281 prisoners hanged,'"


def test_undo_messages_are_display_safe(tmp_path):
    with Store(tmp_path / "a.db") as store:
        doc = store.add_document(Document.from_text("a.txt", "Say \x1b]0;owned\x07 now\nand\u202e then"))
        store.add_span(Span(document_id=doc.id, start=0, end=len(doc.text), label="CLAIM", annotator="alice"))
        description = store.undo("alice").description
        assert description.startswith("undid: tag CLAIM 'Say ")
        assert description.isprintable() and "\x1b" not in description and "\n" not in description


# -- imports and merges keep one copy and count the rest ---------------------------------------------


def test_an_import_keeps_one_copy_of_a_span_and_a_link_it_holds_twice_and_counts_the_rest(store, article):
    start = article.text.index("Iran Human Rights Monitor")
    source = Span(document_id=article.id, start=start, end=start + 25, label="SOURCE", annotator="alice")
    twice = source.model_copy(update={"id": "again"})
    cstart = article.text.index("2019 saw 281")
    claim = Span(document_id=article.id, start=cstart, end=cstart + 12, label="CLAIM", annotator="alice")
    links = [Relation(document_id=article.id, head=claim.id, child=s.id, label="ATTRIBUTED_TO", annotator="alice")
             for s in (source, twice)]  # the second links the left-out copy: the same link after all
    skipped: list[tuple[str, str]] = []

    summary = store.import_records([ImportRecord(article, [source, twice, claim], links)], actor="alice",
                                   skip=lambda reason, where: skipped.append((reason, where)))

    assert (summary.spans_added, summary.spans_duplicate, summary.relations_added, summary.relations_duplicate) == (
        2, 1, 1, 1)
    assert [reason for reason, _ in skipped] == ["duplicate span", "duplicate relation"]
    assert "SOURCE" in skipped[0][1] and "evin-prison-leak.txt" in skipped[0][1]
    assert store.duplicates().spans == [] and len(store.relations_for(article.id)) == 1

    # the same file again: nothing doubles; what it holds once is already present, its second copies duplicates
    skipped.clear()
    again = store.import_records([ImportRecord(article, [source, twice, claim], links)], actor="alice",
                                 skip=lambda reason, where: skipped.append((reason, where)))
    assert (again.spans_added, again.spans_present, again.relations_added, again.relations_present) == (0, 2, 0, 1)
    assert [reason for reason, _ in skipped] == ["duplicate span", "duplicate relation"]  # still twice in the file
    assert len(store.spans_for(article.id)) == 2 and len(store.relations_for(article.id)) == 1
    assert store.replay() == store.table_state()


def test_without_a_skip_the_summary_line_counts_the_duplicates(store, article):
    span = Span(document_id=article.id, start=0, end=4, label="ENTITY", annotator="alice")
    summary = store.import_records([ImportRecord(article, [span, span.model_copy(update={"id": "x"})])], actor="a")
    assert summary.line().endswith("1 spans added; skipped: 1 duplicate span")


def test_the_import_command_counts_duplicate_spans_with_what_else_it_skipped(tmp_path):
    from tests.support.cli_runner import run_cli

    path = tmp_path / "twice.jsonl"
    path.write_text(
        '{"text": "Sony said revenue rose.", "spans": [{"start": 0, "end": 4, "label": "SOURCE"}, '
        '{"start": 0, "end": 4, "label": "SOURCE"}, {"start": 10, "end": 17, "label": "FIGURE"}]}\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "a.db")
    first = run_cli("--db", db, "--annotator", "alice", "import", str(path), "-v")
    assert first.code == 0, first.stderr
    assert "2 spans added; skipped: 1 duplicate span" in first.stdout
    assert first.stdout.splitlines()[1] == "  skipped document 'twice-1': SOURCE 0-4: duplicate span"
    second = run_cli("--db", db, "--annotator", "alice", "import", str(path))
    assert "0 spans added (2 already present); skipped: 1 duplicate span" in second.stdout
    with Store(db) as store:
        assert sum(len(store.spans_for(d)) for d in store.document_ids()) == 2


def test_a_merge_stores_an_identical_span_once_and_counts_it(tmp_path, article, store):
    mine = tag(store, article, "Evin Prison", "ENTITY")
    there_path = tmp_path / "there.db"
    with Store(there_path) as there:
        there.add_document(article)
        start = article.text.index("Evin Prison")
        same = there.add_span(Span(document_id=article.id, start=start, end=start + 11, label="ENTITY",
                                   annotator="alice"))
        assert same.id != mine.id
    report = store.merge_from(there_path)
    assert report.tables["spans"][:2] == [0, 1]  # none added, one already here
    assert [s.id for s in store.spans_for(article.id)] == [mine.id]


# -- a database written before: it opens, and its duplicates are reported --------------------------


def test_a_database_that_already_holds_duplicates_opens_and_reports_them(db_path):
    with Store(db_path, migrate=False) as old:
        old.migrate(target=4)
        old.conn.execute("INSERT INTO documents VALUES (1, 'd1', 'a.txt', 'Sony said so.', '{}', 't0')")
        for i in (1, 2, 3):
            old.conn.execute("INSERT INTO spans VALUES (?, 'd1', 0, 4, 'ENTITY', 'alice', '', 't', 't')", [f"s{i}"])
        for i in (1, 2):
            old.conn.execute("INSERT INTO relations VALUES (?, 'd1', 's1', 's2', 'ATTRIBUTED_TO', 'alice', 't')",
                             [f"r{i}"])
    with Store(db_path) as upgraded:
        assert upgraded.version == 5
        report = upgraded.duplicates()
        assert report.spans == [("d1", "alice", 0, 4, "ENTITY", 3)]
        assert report.relations == [("d1", "alice", "s1", "s2", "ATTRIBUTED_TO", 2)]
        assert report.line() == ("2 duplicate spans (copies of 1 span) and 1 duplicate relation (copies of 1 "
                                 "relation), each held more than once by one annotator")
        upgraded.update_span("s1", "alice", note="editing a note on one of them still works")
    from tests.support.cli_runner import run_cli

    shown = run_cli("--db", str(db_path), "stats")
    assert shown.code == 0 and "note: 2 duplicate spans (copies of 1 span) and 1 duplicate relation" in shown.stdout


def test_the_duplicate_check_is_one_index_look_up(store):
    plans = [
        " ".join(str(r) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        for sql, args in (
            ('SELECT * FROM spans WHERE "document_id" = ? AND "annotator" = ? AND "start" = ? AND "end" = ? '
             'AND "label" = ? AND id != ? LIMIT 1', ["d", "a", 0, 1, "L", "x"]),
            ('SELECT * FROM relations WHERE "head" = ? AND "child" = ? AND "label" = ? AND "annotator" = ? '
             'AND "document_id" = ? AND id != ? LIMIT 1', ["h", "c", "L", "a", "d", "x"]),
        )
    ]
    assert "idx_spans_natural" in plans[0] and "idx_relations_natural" in plans[1]


# -- whatever two windows do, no duplicate ever exists ---------------------------------------------

TEXT = "Ab cd ef gh."  # short: random ranges collide often
LABELS = ("CLAIM", "SOURCE")


class TwoWindows(RuleBasedStateMachine):
    """One annotator in two windows (two Store connections on one file) doing anything in any order,
    and now and then an import bringing the same spans another way (so undo and redo meet them)."""

    @initialize()
    def open(self) -> None:
        import tempfile
        from pathlib import Path

        self.folder = tempfile.mkdtemp()
        self.path = Path(self.folder) / "a.db"
        self.windows = [Store(self.path), Store(self.path)]
        self.doc = self.windows[0].add_document(Document.from_text("a.txt", TEXT))

    def teardown(self) -> None:
        for window in getattr(self, "windows", []):
            window.close()
        if hasattr(self, "folder"):
            shutil.rmtree(self.folder, ignore_errors=True)

    def _spans(self) -> list[Span]:
        return self.windows[0].spans_for(self.doc.id, "alice")

    @rule(window=st.integers(0, 1), start=st.integers(0, len(TEXT) - 1), length=st.integers(1, 3),
          label=st.sampled_from(LABELS))
    def add(self, window: int, start: int, length: int, label: str) -> None:
        end = min(len(TEXT), start + length)
        held = any((s.start, s.end, s.label) == (start, end, label) for s in self._spans())
        try:
            self.windows[window].add_span(Span(document_id=self.doc.id, start=start, end=end, label=label,
                                               annotator="alice"))
            assert not held, "a second copy was stored"
        except AlreadyExists:
            assert held, "refused a span that was not there"

    @precondition(lambda self: bool(self._spans()))
    @rule(window=st.integers(0, 1), pick=st.integers(0, 100), label=st.sampled_from(LABELS),
          move=st.integers(-1, 1))
    def update(self, window: int, pick: int, label: str, move: int) -> None:
        spans = self._spans()
        span = spans[pick % len(spans)]
        end = max(span.start + 1, min(len(TEXT), span.end + move))
        try:
            self.windows[window].update_span(span.id, "alice", label=label, end=end)
        except AlreadyExists:
            assert any((s.start, s.end, s.label) == (span.start, end, label) and s.id != span.id for s in spans)

    @precondition(lambda self: bool(self._spans()))
    @rule(window=st.integers(0, 1), pick=st.integers(0, 100))
    def delete(self, window: int, pick: int) -> None:
        spans = self._spans()
        self.windows[window].delete_span(spans[pick % len(spans)].id, "alice")

    @precondition(lambda self: len(self._spans()) >= 2)
    @rule(window=st.integers(0, 1), pick=st.integers(0, 100))
    def link(self, window: int, pick: int) -> None:
        spans = self._spans()
        head, child = spans[pick % len(spans)], spans[(pick + 1) % len(spans)]
        try:
            self.windows[window].add_relation(Relation(document_id=self.doc.id, head=head.id, child=child.id,
                                                       label="ATTRIBUTED_TO", annotator="alice"))
        except AlreadyExists:
            pass
        except AnnotatorError as exc:
            assert "not allowed" in str(exc)  # the schema's rule (CLAIM -> SOURCE only)

    @rule(start=st.integers(0, len(TEXT) - 1), label=st.sampled_from(LABELS))
    def import_again(self, start: int, label: str) -> None:
        span = Span(document_id=self.doc.id, start=start, end=min(len(TEXT), start + 2), label=label, annotator="alice")
        self.windows[1].import_records([ImportRecord(self.doc, [span, span.model_copy(update={"id": "x" + span.id})])],
                                       actor="import")

    @rule(window=st.integers(0, 1), kind=st.sampled_from(["undo", "redo"]))
    def invert(self, window: int, kind: str) -> None:
        store = self.windows[window]
        result = store.undo("alice") if kind == "undo" else store.redo("alice")
        if result is not None:
            assert result.description.isprintable()

    @invariant()
    def no_duplicates(self) -> None:
        if hasattr(self, "windows"):
            report = self.windows[1].duplicates()
            assert not report, report.line()


TwoWindows.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_two_windows_never_hold_a_duplicate = TwoWindows.TestCase


def test_the_duplicate_check_sees_rows_another_connection_committed(db_path, article):
    """The check reads inside the writer's transaction: a row committed by another connection a
    moment ago is seen (nothing cached), so a stale window cannot add a second copy."""
    with Store(db_path) as stale:
        stale.spans_for(article.id)  # reads before the other window writes
        with Store(db_path) as fresh:
            tag(fresh, article, "Raisi", "ENTITY")
        with pytest.raises(AlreadyExists):
            tag(stale, article, "Raisi", "ENTITY")
