"""Label Studio files in the shapes Label Studio writes: what is kept, what is counted as skipped.

The fixtures (tests/formats/fixtures/label_studio/, sources in its README.md) follow
Label Studio's own export and import shapes. Offsets are code points, as current
Label Studio counts them (web/libs/editor/src/utils/selection-tools.js converts
the browser's UTF-16 lengths; its tests "Should calculate offsets by code points
in text" in web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts). Our export is
read back by Label Studio's own converter (label-studio-converter), which needs
task and annotation ids.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.store import Store

from .conftest import assert_refused, build_project, export_to, run

FIXTURES = Path(__file__).parent / "fixtures" / "label_studio"


def fixture(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def spans_of(db: Path) -> set[tuple[str, str, str, str]]:
    """(document name, annotator, covered text, label) of every span."""
    with Store(db) as store:
        return {(d.name, s.annotator, d.text[s.start : s.end], s.label)
                for d in store.documents() for s in store.spans_for(d.id)}


def relations_of(db: Path) -> set[tuple[str, str, str, str, str]]:
    """(document name, annotator, head text, type, child text) of every relation."""
    found = set()
    with Store(db) as store:
        for doc in store.documents():
            by_id = {s.id: doc.text[s.start : s.end] for s in store.spans_for(doc.id)}
            found |= {(doc.name, r.annotator, by_id[r.head], r.label, by_id[r.child]) for r in store.relations_for(doc.id)}
    return found


# -- today's export --------------------------------------------------------------------------------


def test_current_export_keeps_spans_relations_predictions_and_counts_the_rest(tmp_path):
    db, path = tmp_path / "a.db", fixture(tmp_path, "export_current.json")
    result = run(db, "import", str(path), "-v")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == (
        "2 documents added, 0 already present, 9 spans added, 2 relations added; skipped: "
        "1 Label Studio cancelled annotation (was_cancelled), 1 Label Studio choices (document labels not supported yet), "
        "1 Label Studio relation without labels (no relation type), 1 Label Studio textarea result"
    )
    # every skipped thing is listed with its file, line and place in the task
    listed = result.stdout.splitlines()[1:]
    assert len(listed) == 4
    assert any("export_current.json line 2, task 1 annotation 1 result 6: Label Studio relation without" in x
               for x in listed)
    assert any("task 1 annotation 1 result 7 (id Hh4jK5lL6p): Label Studio choices" in x for x in listed)
    assert any("task 1 annotation 2: Label Studio cancelled annotation" in x for x in listed)
    # spans after the emoji land on their words (code points); predictions are their own annotators
    assert spans_of(db) == {
        ("export_current-101", "user1", "Sony said revenue rose 5%", "CLAIM"),
        ("export_current-101", "user1", "Sony", "ENTITY"),
        ("export_current-101", "user1", "5%", "FIGURE"),
        ("export_current-101", "user1", "Reuters", "SOURCE"),
        ("export_current-101", "prediction:ner-v2", "Sony", "ENTITY"),
        ("export_current-101", "prediction:ner-v2", "Reuters", "SOURCE"),
        ("export_current-102", "alice@example.com", "3%", "FIGURE"),
        ("export_current-102", "alice@example.com", "AP", "SOURCE"),
        ("export_current-102", "prediction", "Tokyo", "ENTITY"),
    }
    # direction "left" points from to_id to from_id: the figure is attributed to AP
    assert relations_of(db) == {
        ("export_current-101", "user1", "Sony said revenue rose 5%", "ATTRIBUTED_TO", "Reuters"),
        ("export_current-102", "alice@example.com", "3%", "ATTRIBUTED_TO", "AP"),
    }


def test_annotator_option_names_people_but_never_predictions(tmp_path):
    db = tmp_path / "a.db"
    result = run(db, "import", str(fixture(tmp_path, "export_current.json")), "--annotator", "carol")
    assert result.exit_code == 0, result.output
    assert {annotator for _, annotator, _, _ in spans_of(db)} == {"carol", "prediction:ner-v2", "prediction"}


def test_a_line_without_value_text_is_read_in_the_default_unit(tmp_path):
    data = json.loads((FIXTURES / "export_current.json").read_text(encoding="utf-8"))
    for annotation in data[0]["annotations"] + data[0]["predictions"]:
        for item in annotation["result"]:
            item.get("value", {}).pop("text", None)
    path = tmp_path / "no_text.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "a.db"
    assert run(db, "import", str(path)).exit_code == 0
    assert ("no_text-101", "user1", "Reuters", "SOURCE") in spans_of(db)


# -- offsets: code points by default, UTF-16 for old files -----------------------------------------


def test_an_old_utf16_export_is_refused_naming_the_option_then_read_with_it(tmp_path):
    db, path = tmp_path / "a.db", fixture(tmp_path, "export_2021_utf16.json")
    assert_refused(run(db, "import", str(path)), "export_2021_utf16.json line 2, task 1 annotation 1 result 1",
                   "value.text 'ACME' is at 3-7 counted in UTF-16 code units", "import with --offsets utf16")
    assert not db.exists() or spans_of(db) == set()
    result = run(db, "import", str(path), "--offsets", "utf16")
    assert result.exit_code == 0, result.output
    assert spans_of(db) == {("export_2021_utf16-1", "user10", t, label)
                            for t, label in [("ACME", "ENTITY"), ("4%", "FIGURE"), ("Bloomberg", "SOURCE")]}


def test_a_current_export_read_as_utf16_is_refused_naming_code_points(tmp_path):
    result = run(tmp_path / "a.db", "import", str(fixture(tmp_path, "export_current.json")), "--offsets", "utf16")
    assert_refused(result, "value.text", "counted in code points, not UTF-16 code units", "import with --offsets codepoints")


def test_value_text_matching_neither_unit_is_refused_without_blaming_the_unit(tmp_path):
    data = json.loads((FIXTURES / "export_current.json").read_text(encoding="utf-8"))
    data[0]["annotations"][0]["result"][1]["value"]["text"] = "Sonny"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run(tmp_path / "a.db", "import", str(path))
    assert_refused(result, "task 1 annotation 1 result 2 (id b7Tq2LmZ9c)", "value.text 'Sonny' is not the text at 2-6 ('Sony')")
    assert "--offsets" not in result.stderr


# -- import shapes: flat tasks, another text key ---------------------------------------------------


def test_flat_tasks_are_their_own_data_and_other_fields_kept_in_meta(tmp_path):
    db = tmp_path / "a.db"
    result = run(db, "import", str(fixture(tmp_path, "flat_tasks.json")), "--format", "label-studio")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 documents added, 0 already present, 0 spans added")
    assert "skipped" not in result.stdout
    with Store(db) as store:
        docs = {d.name: d for d in store.documents()}
    assert docs["flat_tasks-1"].text == "Sony said revenue rose 5%." and docs["flat_tasks-1"].meta == {}
    assert docs["flat_tasks-2"].meta == {"data": {"source": "wire", "day": 3}}


def test_another_text_key_is_read_with_text_key(tmp_path):
    db, path = tmp_path / "a.db", fixture(tmp_path, "review_key.json")
    assert_refused(run(db, "import", str(path)), "review_key.json line 2, task 1",
                   "missing or non-string \"data.text\"", "'review'", "--text-key NAME")
    result = run(db, "import", str(path), "--text-key", "review")
    assert result.exit_code == 0, result.output
    assert spans_of(db) == {("review_key-3", "user4", "ACME", "ENTITY")}
    with Store(db) as store:
        (doc,) = store.documents()
    assert doc.text == "Great 👍 phone from ACME." and doc.meta == {"data": {"product": "X1"}}


# -- bad tasks -------------------------------------------------------------------------------------


def test_skip_invalid_imports_the_other_tasks_and_names_the_bad_one(tmp_path):
    data = json.loads((FIXTURES / "export_current.json").read_text(encoding="utf-8"))
    data[1]["annotations"][0]["result"][0]["value"]["end"] = 999
    path = tmp_path / "one_bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    db = tmp_path / "a.db"
    assert_refused(run(db, "import", str(path)), "one_bad.json line", "task 2 annotation 1 result 1")
    result = run(db, "import", str(path), "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert "1 invalid record" in result.stdout
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if '"id": 102' in text)
    assert f"one_bad.json line {line - 1}, task 2 annotation 1 result 1 (id a1B2c3D4e5)" in result.stderr
    names = {name for name, _, _, _ in spans_of(db)}
    assert names == {"one_bad-101"}
    # the skipped task's own counts are not in the summary: only what was imported is accounted for
    assert "relation without labels" in result.stdout and "textarea" in result.stdout


@pytest.mark.parametrize("who", ["eve\x1b]0;owned\x07", {"email": "eve\x1b[2J@example.com"}])
def test_control_characters_in_completed_by_are_refused_naming_the_annotation(tmp_path, who):
    data = json.loads((FIXTURES / "export_current.json").read_text(encoding="utf-8"))
    data[1]["annotations"][0]["completed_by"] = who
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run(tmp_path / "a.db", "import", str(path))
    assert_refused(result, "task 2 annotation 1: completed_by", "control characters", "--annotator NAME")
    assert "\x1b" not in result.output


def test_control_characters_in_model_version_are_refused(tmp_path):
    data = json.loads((FIXTURES / "export_current.json").read_text(encoding="utf-8"))
    data[0]["predictions"][0]["model_version"] = "v2\x1b]52;c;aGk=\x07"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run(tmp_path / "a.db", "import", str(path), "--annotator", "carol")
    assert_refused(result, "task 1 prediction 1: model_version", "control characters")
    assert "\x1b" not in result.output


# -- export: ids, predictions, and Label Studio's own converter ------------------------------------


def test_predictions_go_back_out_as_predictions_with_their_model_version(tmp_path):
    db = tmp_path / "a.db"
    assert run(db, "import", str(fixture(tmp_path, "export_current.json"))).exit_code == 0
    out = tmp_path / "out.json"
    result = run(db, "export", "--format", "label-studio", "--out", str(out))
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["id"] for t in tasks] == [1, 2]
    first, second = tasks
    assert [a["completed_by"] for a in first["annotations"]] == ["user1"]
    assert [(p.get("model_version"), [r["value"]["text"] for r in p["result"]]) for p in first["predictions"]] == [
        ("ner-v2", ["Sony", "Reuters"])
    ]
    assert [(p.get("model_version"), [r["value"]["text"] for r in p["result"]]) for p in second["predictions"]] == [
        (None, ["Tokyo"])
    ]
    ids = [x["id"] for t in tasks for x in t["annotations"] + t["predictions"]]
    assert sorted(ids) == list(range(1, len(ids) + 1))
    # read back: the same spans, each under the same annotator
    again = tmp_path / "b.db"
    assert run(again, "import", str(out)).exit_code == 0
    assert {x[1:] for x in spans_of(again)} == {x[1:] for x in spans_of(db)}


def test_label_studios_converter_reads_our_export(tmp_path):
    """label-studio-converter (Label Studio's own converter) turns our export into CoNLL and JSON-min."""
    from label_studio_converter import Converter

    project = build_project(tmp_path / "p.db")
    out = tmp_path / "tasks.json"
    export_to(project.store, "label-studio", out)
    project.store.close()
    converter = Converter(config=(tmp_path / "tasks.config.xml").read_text(encoding="utf-8"), project_dir=None)
    converter.convert_to_conll2003(str(out), str(tmp_path / "conll"), is_dir=False)
    rows = [line.split(" ") for line in (tmp_path / "conll" / "result.conll").read_text(encoding="utf-8").splitlines()]
    tagged = [(row[0], row[-1]) for row in rows if len(row) == 4 and row[-1] != "O"]
    # the converter slices the text with the offsets as Python does (code points): the span after the
    # emojis of "Ünïcödé 👩🏽‍💻 works at ACME in 東京." tags ACME, not "at A"
    assert ("ACME", "B-ENTITY") in tagged and ("東京", "B-ENTITY") in tagged
    assert [t for t in tagged if t[1].endswith("CLAIM")] == [
        ("Sony", "B-CLAIM"), ("said", "I-CLAIM"), ("revenue", "I-CLAIM"), ("rose", "I-CLAIM"), ("5", "I-CLAIM"),
        ("%", "I-CLAIM"),
    ]
    converter.convert_to_json_min(str(out), str(tmp_path / "min"), is_dir=False)
    records = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    assert [(r["id"], r["annotation_id"], r["annotator"]) for r in records] == [
        (1, 1, "alice"), (1, 2, "bob"), (2, 3, "alice"), (3, None, None)
    ]
    emoji = records[2]
    assert [(x["text"], x["labels"]) for x in emoji["label"]] == [("ACME", ["ENTITY"]), ("東京", ["ENTITY"])]
    assert all(emoji["text"][x["start"] : x["end"]] == x["text"] for x in emoji["label"])
