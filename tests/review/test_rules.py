"""review.rules: what accepting a span rejects, accept-all-agreed, the open disagreements; no screen needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annotator.models import Document, Relation, Span
from annotator.review.candidates import Candidate, RelationCandidate, ReviewDocument, review_document
from annotator.review.rules import (
    accept_agreed_everywhere,
    accept_changes,
    describe_agreed,
    is_rival,
    open_disagreements,
)
from annotator.store import GoldChange, RelationChange, Store

CLAIM = (10, 40, "CLAIM")


def cand(start: int, end: int, label: str, *annotators: str, agreed: bool = False, decision: str | None = None,
         ) -> Candidate:
    return Candidate(start, end, label, annotators=annotators or ("bob",), span_ids=(), agreed=agreed,
                     decision=decision)


@pytest.mark.parametrize(
    ("other", "rival", "why"),
    [
        ((20, 25, "FIGURE"), False, "a FIGURE nested in the CLAIM: both can be gold"),
        ((0, 60, "FIGURE"), False, "a span of another label around it"),
        ((10, 40, "FIGURE"), True, "the same words with another label"),
        ((12, 40, "CLAIM"), True, "the same label with other boundaries"),
        ((20, 25, "CLAIM"), True, "the same label nested: still another reading of the claim"),
        ((30, 50, "FIGURE"), True, "crossing boundaries"),
        ((0, 15, "SOURCE"), True, "crossing boundaries on the left"),
        ((40, 50, "CLAIM"), False, "touching, not overlapping"),
        ((50, 60, "CLAIM"), False, "elsewhere"),
    ],
)
def test_rivals(other, rival, why):
    assert is_rival(cand(*other), *CLAIM) is rival, why


def test_accepting_rejects_open_rivals_only():
    review = ReviewDocument("d", ["alice", "bob"], [
        cand(10, 40, "CLAIM", "alice"),
        cand(10, 40, "FIGURE", "bob"),  # rival: same words
        cand(20, 25, "FIGURE", "bob"),  # nested, another label: kept open
        cand(30, 50, "SOURCE", "bob", decision="accept"),  # crossing but decided: left alone
        cand(12, 40, "CLAIM", "alice", "bob", agreed=True),  # agreed: never rejected as a rival
    ])
    changes = accept_changes(review, *CLAIM, ("alice",))
    assert changes == [
        GoldChange(10, 40, "CLAIM", "accept", ("alice",)),
        GoldChange(10, 40, "FIGURE", "reject", ("bob",)),
    ]


def test_an_edit_rejects_what_it_replaces_and_takes_the_makers_of_where_it_lands():
    review = ReviewDocument("d", ["alice", "bob"], [cand(10, 42, "CLAIM", "bob"), cand(10, 40, "CLAIM", "alice")])
    changes = accept_changes(review, 10, 40, "CLAIM", ("bob",), replacing=(10, 42, "CLAIM"))
    assert changes == [
        GoldChange(10, 42, "CLAIM", "reject", ("bob",)),
        GoldChange(10, 40, "CLAIM", "accept", ("alice",)),  # alice made exactly this span
    ]


def test_open_disagreements_in_reading_order_with_open_links_at_their_head():
    head, child = cand(5, 9, "CLAIM", "alice"), cand(20, 24, "SOURCE", "alice", "bob", agreed=True)
    settled = cand(0, 3, "FIGURE", "bob", decision="reject")
    link = RelationCandidate(head.key, child.key, "ATTRIBUTED_TO", ("alice",), agreed=False)
    review = ReviewDocument("d", ["alice", "bob"], [settled, head, child], [link])
    assert open_disagreements(review) == [(head, None), (head, link)]


def test_describe_agreed_counts_candidates_and_links_apart():
    link = RelationChange((0, 1, "X"), (2, 3, "Y"), "R", "accept")
    assert describe_agreed([GoldChange(0, 1, "X", "accept")]) == "1 agreed candidate"
    assert describe_agreed([GoldChange(0, 1, "X", "accept")] * 2 + [link] * 2) == "2 agreed candidates and 2 links"


def test_accepting_agreed_everywhere_is_one_action_over_every_document(tmp_path):
    text = "Reuters said profits rose 5% in Tokyo."
    with Store(tmp_path / "a.db") as store:
        docs = [store.add_document(Document.from_text(f"{n}.txt", text + n)) for n in ("a", "b")]
        for doc in docs:
            for who in ("alice", "bob"):
                figure, source = (
                    store.add_span(Span(document_id=doc.id, start=text.index(sub), end=text.index(sub) + len(sub),
                                        label=label, annotator=who))
                    for sub, label in (("5%", "FIGURE"), ("Reuters", "SOURCE"))
                )
                store.add_relation(Relation(document_id=doc.id, head=figure.id, child=source.id,
                                            label="ATTRIBUTED_TO", annotator=who))
            store.add_span(Span(document_id=doc.id, start=text.index("Tokyo"), end=text.index("Tokyo") + 5,
                                label="ENTITY", annotator="alice"))  # alice only: not agreed
        changes = accept_agreed_everywhere(store, "lead")
        assert describe_agreed(changes) == "4 agreed candidates and 2 links"
        assert len({e["action"] for e in store.history(actor="lead", limit=20)}) == 1  # one undo step
        for doc in docs:
            review = review_document(store, doc.id)
            assert {c.key[2]: c.state for c in review.candidates} == {
                "SOURCE": "accepted", "FIGURE": "accepted", "ENTITY": "disagreed"}
            assert [r.state for r in review.relations] == ["accepted"]
        assert accept_agreed_everywhere(store, "lead") == []  # nothing left: nothing written


def test_review_modules_never_import_the_screens():
    code = (
        "import pkgutil, importlib, sys, annotator.review as r\n"
        "for m in pkgutil.iter_modules(r.__path__): importlib.import_module('annotator.review.' + m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('annotator.tui'))\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_imported_predictions_are_neither_reviewed_nor_measured_with_people(tmp_path):
    """A model's predictions (Label Studio `predictions`, imported as prediction:<model>) are not a person's work."""
    from click.testing import CliRunner

    from annotator.cli import cli
    from annotator.models import Document, Span
    from annotator.review.candidates import review_document
    from annotator.store import Store

    db = tmp_path / "p.db"
    with Store(db) as store:
        doc = store.add_document(Document.from_text("a.txt", "Acme Corp said revenue rose."))
        for who in ("alice", "bob", "prediction:ner-v1"):
            store.add_span(Span(document_id=doc.id, start=0, end=4, label="ENTITY", annotator=who))
        store.add_span(Span(document_id=doc.id, start=5, end=9, label="ENTITY", annotator="prediction:ner-v1"))
        review = review_document(store, doc.id)
        assert review.annotators == ["alice", "bob"]
        assert [(c.start, c.end) for c in review.candidates] == [(0, 4)]
    result = CliRunner().invoke(cli, ["--db", str(db), "agreement", "--json"])
    assert result.exit_code == 0, result.output
    assert "prediction" not in result.output
    named = CliRunner().invoke(cli, ["--db", str(db), "agreement", "--json", "--annotators", "alice,prediction:ner-v1"])
    assert named.exit_code == 0 and "prediction:ner-v1" in named.output
