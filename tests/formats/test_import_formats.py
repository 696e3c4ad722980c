"""Importing brat, doccano and Label Studio: what they read, and bad files leaving the database as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.store import Store

from .conftest import assert_refused, run, table_snapshot


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A database that already holds something, so "unchanged" means something."""
    path = tmp_path / "target.db"
    seed = tmp_path / "seed.jsonl"
    seed.write_text('{"text": "Already here.", "spans": [{"start": 0, "end": 7, "label": "CLAIM"}]}\n')
    assert run(path, "import", str(seed), "--annotator", "zoe").exit_code == 0
    return path


def snapshot(path: Path) -> dict:
    with Store(path) as store:
        return table_snapshot(store)


def brat_folder(tmp_path: Path, ann: str, text: str = "Sony said revenue rose 5%.\nReuters") -> Path:
    folder = tmp_path / "brat"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text("First document is fine.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tENTITY 0 5\tFirst\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(text.encode("utf-8"))
    (folder / "b.ann").write_text(ann, encoding="utf-8")
    return folder


def test_brat_import_reads_spans_fragments_relations_notes(tmp_path, target):
    ann = ("T1\tCLAIM 0 25\tSony said revenue rose 5%\nT2\tSOURCE 27 34\tReuters\nT3\tCLAIM 23 26;27 34\t5%. Reuters\n"
           "R1\tATTRIBUTED_TO Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T2\tthe wire\nA1\tNegated T1\n")
    folder = brat_folder(tmp_path, ann)
    result = run(target, "import", "--format", "brat", str(folder), "--annotator", "ann")
    assert result.exit_code == 0, result.output
    with Store(target) as store:
        (doc,) = [d for d in store.documents() if d.name == "b.txt"]
        spans = {(s.start, s.end, s.label, s.note) for s in store.spans_for(doc.id)}
        assert spans == {(0, 25, "CLAIM", "attribute Negated"), (27, 34, "SOURCE", "the wire"), (23, 34, "CLAIM", "")}
        (rel,) = store.relations_for(doc.id)
        assert rel.label == "ATTRIBUTED_TO" and rel.annotator == "ann"


def test_brat_import_moves_offsets_of_crlf_texts(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "x.txt").write_bytes("\ufeffOne\r\nTwo Sony".encode("utf-8"))
    (folder / "x.ann").write_text("T1\tENTITY 10 14\tSony\n")
    db = tmp_path / "x.db"
    assert run(db, "import", "--format", "brat", str(folder)).exit_code == 0
    with Store(db) as store:
        (doc,) = store.documents()
        (span,) = store.spans_for(doc.id)
        assert doc.text[span.start : span.end] == "Sony" and "\r" not in doc.text


@pytest.mark.parametrize(
    "ann, fragments",
    [
        ("T1\tENTITY 0 x\tSony\n", ["b.ann line 1", "expected LABEL START END"]),
        ("T1 ENTITY 0 4 Sony\n", ["b.ann line 1", "expected an id, a tab"]),
        ("T1\tENTITY 0 4\tSony\nQ1\tfoo\n", ["b.ann line 2", "unknown annotation id"]),
        ("T1\tENTITY 0 4\tSone\n", ["b.ann line 1", "is not what offsets 0 4 select"]),
        ("T1\tENTITY 0 400\tSony\n", ["b.ann line 1", "out of range"]),
        ("T1\tPERSON 0 4\tSony\n", ["b.ann line 1", "unknown label 'PERSON'"]),
        ("T1\tENTITY 0 4;10 17\tSony revenue\n", ["b.ann line 1", "discontinuous span"]),
        ("T1\tENTITY 0 4\tSony\nR1\tATTRIBUTED_TO Arg1:T1 Arg2:T9\n", ["b.ann line 2", "T9"]),
        ("T1\tENTITY 0 4\tSony\nT1\tENTITY 5 9\tsaid\n", ["defined twice"]),
        ("T1\tCLAIM 0 4\tSony\nT2\tENTITY 5 9\tsaid\nR1\tATTRIBUTED_TO Arg1:T1 Arg2:T2\n", ["not allowed from CLAIM to ENTITY"]),
    ],
)
def test_bad_brat_files_leave_the_database_unchanged(tmp_path, target, ann, fragments):
    before = snapshot(target)
    result = run(target, "import", "--format", "brat", str(brat_folder(tmp_path, ann)))
    assert_refused(result, *fragments)
    assert snapshot(target) == before


def test_brat_ann_without_txt_is_refused(tmp_path, target):
    folder = brat_folder(tmp_path, "")
    (folder / "orphan.ann").write_text("T1\tENTITY 0 4\tSony\n")
    assert_refused(run(target, "import", "--format", "brat", str(folder)), "orphan.ann has no orphan.txt")


def ls_file(tmp_path: Path, tasks: list) -> Path:
    path = tmp_path / "tasks.json"
    good = {"data": {"text": "A fine first task."}, "annotations": []}
    path.write_text(json.dumps([good, *tasks]), encoding="utf-8")
    return path


def region(start, end, text, labels=("ENTITY",), rid="r1"):
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": list(labels)}}


def test_label_studio_import_reads_their_own_export_shape(tmp_path, target):
    task = {"id": 7, "data": {"text": "😀 Sony said"}, "annotations": [
        {"completed_by": 10, "result": [region(2, 6, "Sony"), region(7, 11, "said", ["CLAIM"], "r2"),
                                        {"type": "choices", "value": {"choices": ["x"]}}]},
        {"completed_by": {"email": "eve@example.org"}, "was_cancelled": True, "result": [region(2, 6, "Sony")]},
    ], "predictions": [{"result": [region(2, 6, "Sony")]}]}
    path = ls_file(tmp_path, [task])
    result = run(target, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "skipped: 1 Label Studio cancelled annotation" in result.stdout
    with Store(target) as store:
        (doc,) = [d for d in store.documents() if d.name == "tasks-7"]
        assert {(s.annotator, doc.text[s.start : s.end], s.label) for s in store.spans_for(doc.id)} == {
            ("user10", "Sony", "ENTITY"), ("user10", "said", "CLAIM"), ("prediction", "Sony", "ENTITY")
        }


@pytest.mark.parametrize(
    "task, fragments",
    [
        ({"annotations": []}, ["task 2", "missing or non-string \"text\""]),  # a flat task, as Label Studio reads it
        ({"data": {"content": "x"}}, ["task 2", "data.text"]),
        ({"data": {"text": "Sony"}, "annotations": [{"result": [{"type": "labels", "id": "r1"}]}]},
         ["task 2 annotation 1 result 1 (id r1)", "missing \"value\""]),
        ({"data": {"text": "Sony"}, "annotations": [{"result": [region(0, 4, "Sony", [])]}]}, ["value.labels"]),
        ({"data": {"text": "Sony"}, "annotations": [{"result": [region(0, 4, "Sonx")]}]}, ["value.text 'Sonx'"]),
        ({"data": {"text": "😀 Sony"}, "annotations": [{"result": [region(1, 6, "x")]}]}, ["value.text 'x'"]),
        ({"data": {"text": "Sony"}, "annotations": [{"result": [region(0, 9, "Sony")]}]}, ["out of range"]),
        ({"data": {"text": "Sony"}, "annotations": [{"result": [
            region(0, 4, "Sony"), {"type": "relation", "from_id": "r1", "to_id": "zz", "labels": ["ATTRIBUTED_TO"]}]}]},
         ["from_id or to_id"]),
        ({"data": {"text": "Sony"}, "annotations": "no"}, ["\"annotations\" must be a list"]),
    ],
)
def test_bad_label_studio_files_leave_the_database_unchanged(tmp_path, target, task, fragments):
    before = snapshot(target)
    assert_refused(run(target, "import", str(ls_file(tmp_path, [task]))), "tasks.json", *fragments)
    assert snapshot(target) == before


def test_label_studio_invalid_json_names_the_line(tmp_path, target):
    path = tmp_path / "tasks.json"
    path.write_text('[{"data": {"text": "x"}},\n{"data": }]')
    assert_refused(run(target, "import", "--format", "label-studio", str(path)), "tasks.json", "invalid JSON", "line 2")


def doccano_file(tmp_path: Path, line: dict, name: str = "carol.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"text": "Fine first line.", "label": [[0, 4, "CLAIM"]]}) + "\n" + json.dumps(line) + "\n",
                    encoding="utf-8")
    return path


def test_doccano_import_annotator_from_file_name_or_option_and_utf16_offsets(tmp_path, target):
    path = doccano_file(tmp_path, {"text": "😀 Sony", "label": [[3, 7, "ENTITY"]]})
    assert run(target, "import", str(path)).exit_code == 0
    with Store(target) as store:
        (doc,) = [d for d in store.documents() if d.text == "😀 Sony"]
        (span,) = store.spans_for(doc.id)
        assert (span.annotator, doc.text[span.start : span.end]) == ("carol", "Sony")
    other = tmp_path / "fresh.db"
    assert run(other, "import", str(path), "--annotator", "dan").exit_code == 0
    with Store(other) as store:
        assert store.annotators() == ["dan"]


@pytest.mark.parametrize(
    "line, fragments",
    [
        ({"text": "Sony", "label": [[0, 9, "ENTITY"]]}, ["carol.jsonl line 2 label 1", "out of range"]),
        ({"text": "Sony", "label": [[-1, 2, "ENTITY"]]}, ["line 2 label 1"]),
        ({"text": "Sony", "label": [[0, 4]]}, ["line 2 label 1", "[start, end, label] or a category name"]),
        ({"text": "Sony", "label": [[0, 4, "PERSON"]]}, ["unknown label 'PERSON'"]),
        ({"text": "😀 Sony", "label": [[1, 4, "ENTITY"]]}, ["surrogate pair", "see --offsets"]),
        ({"text": "Sony", "entities": [{"id": 1, "start_offset": 0, "end_offset": 4, "label": "ENTITY"}],
          "relations": [{"id": 0, "from_id": 1, "to_id": 5, "type": "ATTRIBUTED_TO"}]}, ["relation 1", "to_id"]),
        ({"label": [[0, 4, "ENTITY"]]}, ["line 2", "\"text\""]),
    ],
)
def test_bad_doccano_files_leave_the_database_unchanged(tmp_path, target, line, fragments):
    before = snapshot(target)
    assert_refused(run(target, "import", "--format", "doccano", str(doccano_file(tmp_path, line))), *fragments)
    assert snapshot(target) == before


def test_doccano_file_is_not_mistaken_for_native_jsonl(tmp_path, target):
    path = doccano_file(tmp_path, {"text": "Sony", "label": [[0, 4, "ENTITY"]]}, name="data.jsonl")
    before = snapshot(target)
    assert_refused(run(target, "import", "--format", "jsonl", str(path)), "pass --format doccano")
    assert snapshot(target) == before
    assert run(target, "import", str(path)).exit_code == 0  # guessed: doccano
