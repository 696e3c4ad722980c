"""doccano's own export forms since 1.0, as doccano writes them (fixtures/doccano/README.md says from where).

Each import asserts what it kept (documents, meta, spans with their annotator and covered text,
relations) and what it counted as skipped; every fixture has an emoji (or another character
outside the BMP) before a span, so reading the wrong offset unit would move the spans.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from annotator.importers import ImportContext, doccano, guess_format, read_path
from annotator.models import LabelSchema
from annotator.store import Store

from .conftest import assert_refused, run, table_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "doccano"
SCHEMA = FIXTURES / "schema.json"
CATEGORY = "doccano category label (document labels not supported yet)"
COMMENT = "doccano comment (document comments not supported yet)"


def kept(db: Path) -> dict[str, dict]:
    """Everything an import kept, by document text: meta, spans and relations in words."""
    out = {}
    with Store(db) as store:
        for doc in store.documents():
            spans = store.spans_for(doc.id)
            text_of = {s.id: doc.text[s.start : s.end] for s in spans}
            out[doc.text] = {
                "meta": doc.meta,
                "spans": sorted((s.annotator, s.label, doc.text[s.start : s.end]) for s in spans),
                "relations": sorted(
                    (r.annotator, r.label, text_of[r.head], text_of[r.child]) for r in store.relations_for(doc.id)
                ),
            }
    return out


def import_ok(db: Path, *args: str) -> str:
    result = run(db, "--schema", str(SCHEMA), "import", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def context_after(path: Path, **options) -> ImportContext:
    """The ImportContext after reading ``path`` (format guessed): what was skipped and noted."""
    context = ImportContext(annotator="me", schema=LabelSchema.from_file(SCHEMA), **options)
    assert guess_format(path) == "doccano"
    list(read_path(path, None, context))
    return context


# -- doccano 1.0-1.2 -------------------------------------------------------------------------------


def test_v1_2_jsonl_annotations_with_label_ids_users_and_code_points(tmp_path):
    db = tmp_path / "a.db"
    labels = FIXTURES / "v1.2-jsonl" / "label_config.json"
    out = import_ok(db, str(FIXTURES / "v1.2-jsonl" / "dataset.jsonl"), "--doccano-labels", str(labels))
    assert "2 documents added" in out and "4 spans added" in out
    assert kept(db) == {
        "😀 Acme hired Dana Reyes in Oslo.": {
            "meta": {"source": "wire", "id": 1, "annotation_approver": None, "comment_count": 0},
            "spans": [("doccano-user-1", "City", "Oslo"), ("doccano-user-1", "ORG", "Acme"),
                      ("doccano-user-1", "PERSON", "Dana Reyes"), ("doccano-user-2", "ORG", "Acme")],
            "relations": [],
        },
        "No one was tagged here.": {
            "meta": {"id": 2, "annotation_approver": None, "comment_count": 0}, "spans": [], "relations": [],
        },
    }
    with Store(db) as store:
        (doc,) = [d for d in store.documents() if d.text.startswith("😀")]
        (late,) = store.spans_for(doc.id, "doccano-user-2")
        assert late.created == late.updated == "2021-02-04T08:00:00.000+00:00"  # doccano's created_at, kept
    context = context_after(FIXTURES / "v1.2-jsonl" / "dataset.jsonl", doccano_labels=labels)
    assert context.skipped == Counter() and context.notes == Counter({doccano.NOTE_CODEPOINTS: 1})


def test_v1_2_label_ids_without_the_label_export_are_refused_naming_the_option(tmp_path):
    db = tmp_path / "a.db"
    import_ok(db, str(FIXTURES / "v1.2-text-label" / "export.jsonl"))
    with Store(db) as store:
        before = table_snapshot(store)
    result = run(db, "import", str(FIXTURES / "v1.2-jsonl" / "dataset.jsonl"))
    assert_refused(result, "dataset.jsonl line 1 annotation 1", "label 4 is a doccano label id", "--doccano-labels")
    with Store(db) as store:
        assert table_snapshot(store) == before


def test_v1_2_offsets_are_code_points_reading_them_as_utf16_moves_every_span_after_the_emoji(tmp_path):
    db = tmp_path / "a.db"
    import_ok(db, str(FIXTURES / "v1.2-text-label" / "export.jsonl"), "--offsets", "utf16")
    (doc,) = kept(db).values()
    assert [text for _, _, text in doc["spans"]] == [" Gra", " 3 Ma", " Nordwind Gmb"]  # City, DATE, ORG


def test_v1_2_classification_annotations_are_counted_as_skipped(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.2-jsonl" / "classification.jsonl"
    out = import_ok(db, str(path), "-v")
    assert f"skipped: 1 {CATEGORY}" in out and "classification.jsonl line 1 annotation 1" in out
    assert kept(db) == {"Great value 👍 for the price.": {
        "meta": {"id": 3, "annotation_approver": None, "comment_count": 0}, "spans": [], "relations": []}}
    assert context_after(path).skipped == Counter({CATEGORY: 1})


def test_v1_2_text_label_export_labels_key(tmp_path):
    db = tmp_path / "a.db"
    out = import_ok(db, str(FIXTURES / "v1.2-text-label" / "export.jsonl"), "--annotator", "alice")
    assert "3 spans added" in out and "skipped" not in out
    assert kept(db) == {"🎉 Nordwind GmbH opened in Graz on 3 May.": {
        "meta": {"source": "press", "id": 1, "annotation_approver": "alice", "comment_count": 1},
        "spans": [("alice", "City", "Graz"), ("alice", "DATE", "3 May"), ("alice", "ORG", "Nordwind GmbH")],
        "relations": [],
    }}


# -- doccano 1.3-1.6: text under "data", one file per user, JSON arrays -------------------------------


def test_v1_6_per_user_jsonl_folder_data_key_and_utf16(tmp_path):
    db = tmp_path / "a.db"
    out = import_ok(db, str(FIXTURES / "v1.6-jsonl"))
    assert "2 documents added, 1 already present, 4 spans added" in out
    text = "Zürich 🇨🇭 startup Kleio hired Mia Wong."
    assert kept(db) == {
        text: {"meta": {"id": 21, "lang": "en"}, "relations": [],
               "spans": [("alice", "City", "Zürich"), ("alice", "ORG", "Kleio"), ("alice", "PERSON", "Mia Wong"),
                         ("bob", "ORG", "Kleio")]},
        "Nothing here yet.": {"meta": {"id": 22}, "spans": [], "relations": []},
    }
    assert context_after(FIXTURES / "v1.6-jsonl" / "alice.jsonl").notes == Counter({doccano.NOTE_UTF16: 1})


def test_v1_6_read_as_code_points_is_what_doccano_1_4_would_have_meant(tmp_path):
    db = tmp_path / "a.db"
    import_ok(db, str(FIXTURES / "v1.6-jsonl" / "bob.jsonl"), "--offsets", "codepoints")
    (doc,) = kept(db).values()
    assert doc["spans"] == [("bob", "ORG", "eio h")]  # the flag is 2 code points, 4 UTF-16 units: 2 too far


def test_v1_5_json_array_export_of_text_classification(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.5-json" / "alice.json"
    out = import_ok(db, str(path), "-v")
    assert f"skipped: 3 {CATEGORY}" in out
    assert "alice.json line 1, record 2 label 2" in out
    assert kept(db) == {
        "Terrible service 😡 today.": {"meta": {"id": 31}, "spans": [], "relations": []},
        "Fast and friendly.": {"meta": {"id": 32}, "spans": [], "relations": []},
    }
    with Store(db) as store:
        assert sorted(d.name for d in store.documents()) == ["alice-1", "alice-2"]
    assert context_after(path).skipped == Counter({CATEGORY: 3})


# -- doccano 1.7 and later (pandas to_json lines) --------------------------------------------------


def test_v1_8_sequence_labelling_with_meta_and_comments(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.8-jsonl" / "alice.jsonl"
    out = import_ok(db, str(path))
    assert f"skipped: 1 {COMMENT}" in out and "--offsets codepoints" in out
    assert kept(db) == {
        "On 2/3 the 🚀 team at Orbita met Lee Chan.": {
            "meta": {"id": 41, "source": "blog"}, "relations": [],
            "spans": [("alice", "DATE", "2/3"), ("alice", "ORG", "Orbita"), ("alice", "PERSON", "Lee Chan")],
        },
        "A quiet line.": {"meta": {"id": 42, "source": None}, "spans": [], "relations": []},
    }
    context = context_after(path)
    assert context.skipped == Counter({COMMENT: 1}) and context.notes == Counter({doccano.NOTE_UTF16: 1})


def test_v1_8_relation_form_maps_doccano_span_ids(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.8-relation" / "carol.jsonl"
    out = import_ok(db, str(path))
    assert "3 spans added, 2 relations added" in out
    assert kept(db) == {"👩🏽\u200d💻 Vela Labs, founded by Ana Ruiz, is based in Porto.": {
        "meta": {"id": 51},
        "spans": [("carol", "City", "Porto"), ("carol", "ORG", "Vela Labs"), ("carol", "PERSON", "Ana Ruiz")],
        "relations": [("carol", "basedIn", "Vela Labs", "Porto"), ("carol", "foundedBy", "Vela Labs", "Ana Ruiz")],
    }}
    assert context_after(path).skipped == Counter({COMMENT: 1})


def test_v1_8_intent_and_slots_collaborative_all_jsonl(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.8-intent" / "all.jsonl"
    out = import_ok(db, str(path), "--annotator", "team")
    assert f"skipped: 3 {CATEGORY}" in out
    assert kept(db) == {
        "Book a 🛫 flight from Lyon to Nice": {
            "meta": {"id": 61}, "spans": [("team", "City", "Lyon"), ("team", "City", "Nice")], "relations": []},
        "What airports are in Rome": {"meta": {"id": 62}, "spans": [("team", "City", "Rome")], "relations": []},
    }
    context = context_after(path)
    assert context.skipped == Counter({CATEGORY: 3}) and context.notes == Counter({doccano.NOTE_UTF16: 1})


def test_v1_8_text_classification(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "v1.8-classification" / "dave.jsonl"
    import_ok(db, str(path))
    assert kept(db) == {"Slow delivery 🐢.": {"meta": {"id": 71}, "spans": [], "relations": []}}
    assert context_after(path).skipped == Counter({CATEGORY: 1, COMMENT: 1})


# -- pretty-printed files and JSON arrays -----------------------------------------------------------


def test_pretty_printed_relation_object_as_in_doccano_docs(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "pretty" / "relation.json"
    out = import_ok(db, str(path))
    assert "3 spans added, 2 relations added" in out
    assert kept(db) == {"Mars 🔴 Corp was founded by Ivo Petrov in Sofia.": {
        "meta": {},
        "spans": [("relation", "City", "Sofia"), ("relation", "ORG", "Mars 🔴 Corp"),
                  ("relation", "PERSON", "Ivo Petrov")],
        "relations": [("relation", "basedIn", "Mars 🔴 Corp", "Sofia"),
                      ("relation", "foundedBy", "Mars 🔴 Corp", "Ivo Petrov")],
    }}
    assert context_after(path).skipped == Counter()


def test_pretty_printed_jsonl_several_objects(tmp_path):
    db = tmp_path / "a.db"
    import_ok(db, str(FIXTURES / "pretty" / "jq.jsonl"))
    assert kept(db) == {
        "Tea 🍵 from Kyoto": {"meta": {}, "spans": [("jq", "City", "Kyoto")], "relations": []},
        "Plain text, no labels.": {"meta": {}, "spans": [], "relations": []},
    }


def test_pretty_printed_json_array(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "pretty" / "array.json"
    out = import_ok(db, str(path), "-v")
    assert "array.json line 17, record 2 label 1" in out
    assert kept(db) == {
        "Snow ❄️ in Oslo 🏔 and Bergen": {
            "meta": {}, "spans": [("array", "City", "Bergen"), ("array", "City", "Oslo")], "relations": []},
        "Mixed: 👍 fine": {"meta": {}, "spans": [], "relations": []},
    }
    assert context_after(path).skipped == Counter({CATEGORY: 1})


# -- telling doccano from the others; bad records ----------------------------------------------------


def test_label_studio_and_native_files_are_not_taken_for_doccano(tmp_path):
    studio = tmp_path / "tasks.json"
    studio.write_text(json.dumps([{"id": 1, "data": {"text": "Sony"}, "annotations": [
        {"id": 2, "result": [{"value": {"start": 0, "end": 4, "labels": ["ORG"]}, "type": "labels"}]}]}]))
    assert guess_format(studio) != "doccano"
    native = tmp_path / "native.jsonl"
    native.write_text(json.dumps({"text": "Sony", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}) + "\n")
    assert guess_format(native) == "jsonl"


def test_doccano_1_2_file_given_as_native_jsonl_is_refused(tmp_path):
    path = FIXTURES / "v1.2-jsonl" / "classification.jsonl"
    result = run(tmp_path / "a.db", "import", "--format", "jsonl", str(path))
    assert_refused(result, "line 1", "pass --format doccano")


@pytest.mark.parametrize("pretty", [False, True])
def test_skip_invalid_imports_the_other_records(tmp_path, pretty):
    good = {"text": "😀 Acme", "label": [[3, 7, "ORG"]]}
    bad = {"text": "Acme", "label": [[0, 4, "NOPE"]]}
    path = tmp_path / ("mixed.json" if pretty else "mixed.jsonl")
    if pretty:
        path.write_text(json.dumps([good, bad, good | {"text": "😀 Acme again"}], indent=2))
    else:
        lines = [json.dumps(good), json.dumps(bad), "{not json", json.dumps(good | {"text": "😀 Acme 2"})]
        path.write_text("\n".join(lines))
    db = tmp_path / "a.db"
    assert_refused(run(db, "--schema", str(SCHEMA), "import", str(path)), "unknown label 'NOPE'")
    result = run(db, "--schema", str(SCHEMA), "import", str(path), "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert "unknown label 'NOPE'" in result.stderr
    assert sorted(kept(db)) == (["😀 Acme", "😀 Acme again"] if pretty else ["😀 Acme", "😀 Acme 2"])
    assert all(doc["spans"] == [("mixed", "ORG", "Acme")] for doc in kept(db).values())
    if not pretty:
        assert "mixed.jsonl line 3: invalid JSON" in result.stderr
