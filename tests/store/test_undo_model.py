"""Undo and redo against a model of two stacks: any sequence of tags, undos and redos."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.models import Document, Span
from annotator.store import Store

TEXT = "one two three four five six seven eight nine ten"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["tag", "tag", "undo", "redo"]), max_size=30))
def test_undo_and_redo_follow_two_stacks(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("undo") / "a.db"
    with Store(path) as store:
        doc = store.add_document(Document.from_text("a.txt", TEXT))
        done: list[set[int]] = [set()]  # the model: states of alice's spans (by start), undo and redo stacks
        redo: list[set[int]] = []
        next_start = 0
        for op in ops:
            if op == "tag":
                store.add_span(Span(document_id=doc.id, start=next_start, end=next_start + 1, label="ENTITY",
                                    annotator="alice"))
                done.append(done[-1] | {next_start})
                redo.clear()
                next_start += 2
            elif op == "undo":
                result = store.undo("alice")
                assert (result is None) == (len(done) == 1)
                if len(done) > 1:
                    redo.append(done.pop())
            else:
                result = store.redo("alice")
                assert (result is None) == (not redo)
                if redo:
                    done.append(redo.pop())
            assert {s.start for s in store.spans_for(doc.id)} == done[-1]
            assert store.can_undo("alice") == (len(done) > 1) and store.can_redo("alice") == bool(redo)
        assert store.replay() == store.table_state()
