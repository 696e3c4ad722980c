"""Prodigy's own forms (fixtures/prodigy, see its README): what is kept, what is counted, and the way back.

Relations: ``head``/``child`` are token indices (the last token of each span) with ``head_span``/
``child_span``; ``answer``: accepted examples by default, ``--answers`` for the others, each kept as
the annotator's status and written back as it was; a text of only whitespace is a document.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.models import Status
from annotator.store import Store

from .conftest import assert_refused, export_to, run

FIXTURES = Path(__file__).parent / "fixtures" / "prodigy"
ALL = "accept,reject,ignore"
NEWS = "Sony said revenue rose 5% in 2024, Reuters reported."


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def kept(db: Path) -> tuple[set, set, dict]:
    """(text, annotator, start, end, label) of every span; (text, annotator, head, child, label) of every
    relation, each end as (start, end, label); {(text, annotator): status}."""
    with Store(db) as store:
        spans, relations, statuses = set(), set(), {}
        for doc in store.documents():
            by_id = {s.id: s for s in store.spans_for(doc.id)}
            spans |= {(doc.text, s.annotator, s.start, s.end, s.label) for s in by_id.values()}
            for r in store.relations_for(doc.id):
                h, c = by_id[r.head], by_id[r.child]
                relations.add((doc.text, r.annotator, (h.start, h.end, h.label), (c.start, c.end, c.label), r.label))
            statuses |= {(doc.text, a): st.value for a, st in store.statuses_for(doc.id).items()}
        return spans, relations, statuses


def in_file(*paths: Path, answers=("accept",)) -> tuple[set, set, dict]:
    """The same three, read straight from Prodigy files (head/child through head_span)."""
    spans, relations, answered = set(), set(), {}
    for path in paths:
        for row in rows(path):
            if row.get("answer") not in answers:
                continue
            who = row.get("_annotator_id") or "importer"
            spans |= {(row["text"], who, s["start"], s["end"], s["label"]) for s in row.get("spans", [])}
            for r in row.get("relations", []):
                h, c = r["head_span"], r["child_span"]
                relations.add((row["text"], who, (h["start"], h["end"], h["label"]),
                               (c["start"], c["end"], c["label"]), r["label"]))
            answered[row["text"], who] = row["answer"]
    return spans, relations, answered


# -- answers ---------------------------------------------------------------------------------------


def test_ner_manual_imports_the_accepted_examples_and_counts_the_others(tmp_path):
    db = tmp_path / "a.db"
    result = run(db, "--annotator", "importer", "import", str(FIXTURES / "ner_manual.jsonl"), "-v")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0] == (
        "3 documents added, 1 already present, 5 spans added, 2 statuses set; "
        "skipped: 1 answered ignore (see --answers), 1 answered reject (see --answers)"
    )
    assert out[1:] == [
        f"  skipped {FIXTURES / 'ner_manual.jsonl'} line 3: answered reject (see --answers)",
        f"  skipped {FIXTURES / 'ner_manual.jsonl'} line 4: answered ignore (see --answers)",
    ]
    spans, relations, statuses = kept(db)
    assert spans == in_file(FIXTURES / "ner_manual.jsonl")[0]
    assert {(a, label) for text, a, *_, label in spans if text == NEWS} == {
        ("news_ner-alice", "ENTITY"), ("news_ner-alice", "FIGURE"), ("news_ner-alice", "SOURCE"),
        ("news_ner-bob", "ENTITY"),
    }
    # An accepted example without spans is the answer "nothing to tag": kept as done. So is the text of
    # only whitespace, a document like any other.
    assert statuses == {("Nothing to tag here.", "news_ner-alice"): "done", ("  \n", "news_ner-bob"): "done"}
    assert relations == set()
    with Store(db) as store:
        assert "  \n" in {d.text for d in store.documents()}


def test_answers_option_imports_rejected_and_ignored_examples_as_statuses(tmp_path):
    db = tmp_path / "a.db"
    paths = [FIXTURES / name for name in ("ner_manual.jsonl", "rel_manual.jsonl", "spans_manual.jsonl")]
    result = run(db, "--annotator", "importer", "import", "--answers", ALL, *map(str, paths))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "9 documents added, 1 already present, 18 spans added, 4 relations added, 6 statuses set"
    )
    spans, relations, statuses = kept(db)
    expected_spans, expected_relations, answered = in_file(*paths, answers=ALL.split(","))
    assert spans == expected_spans and relations == expected_relations
    status_of = {"reject": "rejected", "ignore": "skipped"}
    assert statuses == {
        key: status_of.get(answer, "done") for key, answer in answered.items()
        if answer != "accept" or not any(s[:2] == key for s in expected_spans)
    }
    assert statuses[("Analysts at AP expect 2% growth.", "importer")] == "rejected"  # older Prodigy: no _annotator_id


def test_only_rejected_examples(tmp_path):
    db = tmp_path / "a.db"
    result = run(db, "import", "--answers", "reject", str(FIXTURES / "ner_manual.jsonl"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "1 documents added, 0 already present, 1 spans added, 1 statuses set; skipped: 4 answered accept "
        "(see --answers), 1 answered ignore (see --answers)"
    )


@pytest.mark.parametrize("value", ["maybe", "accept,maybe", ","])
def test_answers_option_refuses_what_is_no_answer(tmp_path, value):
    result = run(tmp_path / "a.db", "import", "--answers", value, str(FIXTURES / "ner_manual.jsonl"))
    assert result.exit_code == 2
    assert "--answers" in result.output and "accept, reject, ignore" in result.output
    assert not (tmp_path / "a.db").exists() or kept(tmp_path / "a.db") == (set(), set(), {})


def test_an_unknown_answer_is_an_invalid_record(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"text": "Good one.", "answer": "accept"}) + "\n"
                    + json.dumps({"text": "Odd one.", "answer": "maybe"}) + "\n")
    assert_refused(run(tmp_path / "a.db", "import", str(path)), "odd.jsonl line 2", "'maybe'", '"accept"')
    result = run(tmp_path / "b.db", "import", "--skip-invalid", str(path))
    assert result.exit_code == 1 and "1 documents added" in result.stdout and "odd.jsonl line 2" in result.stderr


def test_empty_text_is_skipped_and_counted_whitespace_is_a_document(tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"text": "", "answer": "accept"}, {"text": " ", "answer": "accept"}, {"text": "\t\n", "answer": "accept"},
        {"text": "Words.", "answer": "accept"},
    ]) + "\n")
    result = run(tmp_path / "a.db", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "3 documents added, 0 already present, 0 spans added, 3 statuses set; skipped: 1 empty text (nothing to annotate)"
    )
    with Store(tmp_path / "a.db") as store:
        assert [d.text for d in store.documents()] == [" ", "\t\n", "Words."]


# -- relations ---------------------------------------------------------------------------------------


def test_rel_manual_relations_are_token_indices_told_apart_by_head_span(tmp_path):
    db = tmp_path / "a.db"
    result = run(db, "import", str(FIXTURES / "rel_manual.jsonl"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 documents added, 0 already present, 3 spans added, 2 relations added;")
    _, relations, _ = kept(db)
    text = "Revenue rose 5%, Reuters said."
    # CLAIM and FIGURE both end on token 3 ("%"): each relation found its own span by head_span.
    assert relations == {
        (text, "news_rel-dave", (0, 15, "CLAIM"), (17, 24, "SOURCE"), "ATTRIBUTED_TO"),
        (text, "news_rel-dave", (13, 15, "FIGURE"), (17, 24, "SOURCE"), "ATTRIBUTED_TO"),
    }


def test_a_relation_to_a_token_that_is_no_span_is_one_invalid_line(tmp_path):
    path = FIXTURES / "rel_to_a_token.jsonl"
    db = tmp_path / "a.db"
    assert_refused(run(db, "import", str(path)),
                   f"{path} line 1 relation 1: its head (head_span 8-16) is not one of the line's spans")
    assert not db.exists() or kept(db) == (set(), set(), {})
    result = run(db, "import", "--skip-invalid", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith("0 documents added") and f"{path} line 1 relation 1" in result.stderr


def line_with(tmp_path: Path, relation: dict, spans=None, **more) -> Path:
    """The support forum's example input (t/6467): spans without tokens, relations by token index."""
    text = "1/2 tsp. each: basil, salt and sugar"
    spans = spans if spans is not None else [
        {"start": 15, "end": 20, "label": "FIGURE"}, {"start": 22, "end": 26, "label": "SOURCE"},
    ]
    path = tmp_path / "rel.jsonl"
    path.write_text(json.dumps({"text": text, "spans": spans, "relations": [relation], **more}) + "\n")
    return path


def test_token_indices_without_tokens_or_head_span_are_refused_not_guessed(tmp_path):
    # Prodigy tokenizes such input with spaCy; another tokenizer could pick another span, so nothing is guessed.
    path = line_with(tmp_path, {"head": 5, "child": 7, "label": "ATTRIBUTED_TO"})
    assert_refused(run(tmp_path / "a.db", "import", str(path)),
                   "rel.jsonl line 1 relation 1: head 5 is a token index", "no head_span", "tokens")


def test_token_indices_found_through_tokens_or_token_end(tmp_path):
    import spacy

    text = "1/2 tsp. each: basil, salt and sugar"
    tokens = [{"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i, "ws": bool(t.whitespace_)}
              for t in spacy.blank("en").make_doc(text)]
    assert [t["text"] for t in tokens][5:8] == ["basil", ",", "salt"]
    relation = {"head": 5, "child": 7, "label": "ATTRIBUTED_TO"}
    result = run(tmp_path / "a.db", "import", str(line_with(tmp_path, relation, tokens=tokens)))
    assert result.exit_code == 0 and "1 relations added" in result.stdout, result.output
    spans = [{"start": 15, "end": 20, "token_start": 5, "token_end": 5, "label": "FIGURE"},
             {"start": 22, "end": 26, "token_start": 7, "token_end": 7, "label": "SOURCE"}]
    result = run(tmp_path / "b.db", "import", str(line_with(tmp_path, relation, spans=spans)))
    assert result.exit_code == 0 and "1 relations added" in result.stdout, result.output
    for db in ("a.db", "b.db"):
        (rel,) = kept(tmp_path / db)[1]
        assert rel[2:] == ((15, 20, "FIGURE"), (22, 26, "SOURCE"), "ATTRIBUTED_TO")


def test_two_spans_ending_on_the_token_need_head_span(tmp_path):
    spans = [{"start": 15, "end": 20, "token_start": 5, "token_end": 5, "label": "FIGURE"},
             {"start": 15, "end": 20, "token_start": 5, "token_end": 5, "label": "CLAIM"},
             {"start": 22, "end": 26, "token_start": 7, "token_end": 7, "label": "SOURCE"}]
    path = line_with(tmp_path, {"head": 5, "child": 7, "label": "ATTRIBUTED_TO"}, spans=spans)
    assert_refused(run(tmp_path / "a.db", "import", str(path)), "2 spans of the line end at token 5", "head_span")


def test_span_ids_as_strings_are_still_read(tmp_path):
    spans = [{"id": "f1", "start": 15, "end": 20, "label": "FIGURE"}, {"id": "s1", "start": 22, "end": 26, "label": "SOURCE"}]
    path = line_with(tmp_path, {"head": "f1", "child": "s1", "label": "ATTRIBUTED_TO"}, spans=spans)
    result = run(tmp_path / "a.db", "import", str(path))
    assert result.exit_code == 0 and "1 relations added" in result.stdout, result.output
    path = line_with(tmp_path, {"head": "f1", "child": "nope", "label": "ATTRIBUTED_TO"}, spans=spans)
    assert_refused(run(tmp_path / "b.db", "import", str(path)), "child 'nope' is not the id of a span")


# -- the way back ---------------------------------------------------------------------------------------


def test_export_keeps_each_answer_and_the_round_trip_keeps_spans_and_relations(tmp_path):
    paths = [FIXTURES / name for name in ("ner_manual.jsonl", "rel_manual.jsonl", "spans_manual.jsonl")]
    first_db, again_db = tmp_path / "a.db", tmp_path / "b.db"
    assert run(first_db, "--annotator", "importer", "import", "--answers", ALL, *map(str, paths)).exit_code == 0
    out = tmp_path / "out.jsonl"
    with Store(first_db) as store:
        export_to(store, "jsonl", out)
    exported = rows(out)
    _, _, answered = in_file(*paths, answers=ALL.split(","))
    # every record's answer as it was: ignore stays ignore, reject stays reject
    assert {(r["text"], r["_annotator_id"]): r["answer"] for r in exported} == answered
    assert sum(r["answer"] == "ignore" for r in exported) == 2 and sum(r["answer"] == "reject" for r in exported) == 2
    # relations in Prodigy's form: head/child the token_end of each span, which head_span/child_span name
    for r in exported:
        for rel in r["relations"]:
            for end in ("head", "child"):
                ref = rel[f"{end}_span"]
                (span,) = [s for s in r["spans"] if (s["start"], s["end"], s["label"]) ==
                           (ref["start"], ref["end"], ref["label"])]
                assert rel[end] == span["token_end"] == ref["token_end"]
    result = run(again_db, "--annotator", "importer", "import", "--answers", ALL, str(out))
    assert result.exit_code == 0, result.output
    assert kept(again_db) == kept(first_db)
    out2 = tmp_path / "out2.jsonl"
    with Store(again_db) as store:
        export_to(store, "jsonl", out2)
    assert out2.read_bytes() == out.read_bytes()


def test_our_own_records_without_an_answer_export_as_accept(project, tmp_path):
    project.store.set_status(project.emoji.id, "alice", Status.in_progress)
    out = tmp_path / "out.jsonl"
    export_to(project.store, "jsonl", out)
    assert {r["answer"] for r in rows(out)} == {"accept"}


def test_export_is_read_by_explosions_relation_script_logic(tmp_path):
    """What explosion/projects tutorials/rel_component/scripts/parse_data.py does with a Prodigy file:
    a spaCy Doc from the tokens' text and ws, ``doc.char_span`` of each span's offsets, and each relation's
    head/child looked up as a span's token_end. Texts with newlines, tabs and runs of spaces included."""
    import spacy
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    text = "  Revenue rose 5%,\n\nReuters  said.\t AP put it at 6%. "

    def at(piece: str, label: str) -> dict:
        return {"start": text.index(piece), "end": text.index(piece) + len(piece), "label": label}

    claim, reuters, ap, figure = at("Revenue rose 5%", "CLAIM"), at("Reuters", "SOURCE"), at("AP", "SOURCE"), at("6%", "FIGURE")
    line = {"text": text, "answer": "accept", "_annotator_id": "dave", "spans": [claim, reuters, ap, figure],
            "relations": [{"head": 0, "child": 0, "head_span": head, "child_span": child, "label": "ATTRIBUTED_TO"}
                          for head, child in [(claim, reuters), (figure, ap)]]}  # head_span decides, not 0
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(line) + "\n")
    db = tmp_path / "a.db"
    assert run(db, "import", str(path)).exit_code == 0
    out = tmp_path / "out.jsonl"
    with Store(db) as store:
        export_to(store, "jsonl", out)
    (example,) = rows(out)
    words = [t["text"] for t in example["tokens"]]
    spaces = [t["ws"] for t in example["tokens"]]
    doc = Doc(Vocab(), words=words, spaces=spaces)
    assert doc.text == text
    assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in spacy.blank("en")(text)]
    span_end_to_start = {}
    for span in example["spans"]:
        entity = doc.char_span(span["start"], span["end"], label=span["label"])
        assert entity is not None and (entity.start, entity.end - 1) == (span["token_start"], span["token_end"])
        span_end_to_start[span["token_end"]] = span["token_start"]
    found = {(span_end_to_start[r["head"]], span_end_to_start[r["child"]], r["label"]) for r in example["relations"]}
    by_start = {doc.char_span(s["start"], s["end"]).start: s["text"] for s in example["spans"]}
    assert {(by_start[h], by_start[c], label) for h, c, label in found} == {
        ("Revenue rose 5%", "Reuters", "ATTRIBUTED_TO"), ("6%", "AP", "ATTRIBUTED_TO"),
    }
