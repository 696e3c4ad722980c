"""The command line: import, docs, stats, schema, options anywhere, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store
from tests.conftest import REPO, SAMPLE


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def db_state(path: Path) -> tuple:
    """Everything a user could lose: documents, tracked rows and events."""
    if not path.exists():
        return ()
    with Store(path) as store:
        docs = [(d.id, d.text, d.meta) for d in store.documents()]
        return docs, store.table_state(), len(store.history(limit=10**9))


def test_import_text_and_markdown_folders_recursively(tmp_path, db_path):
    (tmp_path / "in" / "deeper").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("First document.")
    (tmp_path / "in" / "deeper" / "b.md").write_text("# Second\n\ndocument.")
    (tmp_path / "in" / "ignored.png").write_bytes(b"\x89PNG")
    result = run("--db", str(db_path), "import", str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    assert "2 documents added, 0 already present, 0 spans added" in result.output
    with Store(db_path) as store:
        assert [name for _, name in store.document_names()] == ["a.txt", "b.md"]


def test_bom_is_dropped_and_crlf_becomes_lf(tmp_path, db_path):
    path = tmp_path / "w.txt"
    path.write_bytes("\ufeffline one\r\nline two\rstill two".encode())
    assert run("import", str(path), "--db", str(db_path)).exit_code == 0
    with Store(db_path) as store:
        assert next(store.documents()).text == "line one\nline two\rstill two"


def test_the_same_text_imported_twice_is_one_document(db_path):
    run("--db", str(db_path), "import", str(SAMPLE))
    result = run("--db", str(db_path), "import", str(SAMPLE))
    assert "0 documents added, 1 already present" in result.output
    with Store(db_path) as store:
        assert store.document_count() == 1


def test_jsonl_with_spans_and_relations(tmp_path, db_path):
    text = "Reuters said revenue rose 5% 👍 in 2024."
    line = {
        "text": text, "meta": {"url": "https://example.org/x"},
        "spans": [
            {"start": 0, "end": 7, "label": "SOURCE", "text": "Reuters"},
            {"start": 13, "end": 28, "label": "CLAIM", "annotator": "bob"},
            {"start": 34, "end": 38, "label": "FIGURE", "text": "2024"},
        ],
        # Prodigy's form: head and child are token indices (each span's last token), head_span/child_span say which
        "relations": [{"head": 5, "child": 0, "label": "ATTRIBUTED_TO",
                       "head_span": {"start": 13, "end": 28, "token_start": 2, "token_end": 5, "label": "CLAIM"},
                       "child_span": {"start": 0, "end": 7, "token_start": 0, "token_end": 0, "label": "SOURCE"}}],
    }
    path = tmp_path / "pre.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n\n")
    result = run("--db", str(db_path), "--annotator", "alice", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 documents added, 0 already present, 3 spans added, 1 relations added" in result.output
    with Store(db_path) as store:
        doc = next(store.documents())
        spans = store.spans_for(doc.id)
        assert doc.meta == {"url": "https://example.org/x"}
        assert [(s.label, s.annotator, doc.text[s.start:s.end]) for s in spans] == [
            ("SOURCE", "alice", "Reuters"), ("CLAIM", "bob", "revenue rose 5%"), ("FIGURE", "alice", "2024"),
        ]
        (rel,) = store.relations_for(doc.id)
        assert (store.get_span(rel.head).label, store.get_span(rel.child).label) == ("CLAIM", "SOURCE")


BAD_INPUTS = {
    "latin1.txt": ("caf\xe9".encode("latin-1"), "not UTF-8 (byte 0xe9 at offset 3)"),
    "binary.txt": (b"\x7fELF\x00\x00\x01", "looks binary"),
    "empty.txt": (b"", "is empty"),
    "blank.txt": (b"  \n\n", "is empty"),
    "broken.jsonl": (b'{"text": "ok"}\n{"text": \n', "line 2: invalid JSON"),
    "notobject.jsonl": (b'{"text": "ok"}\n[1, 2]\n', "line 2: expected a JSON object"),
    "surrogate.jsonl": (b'{"text": "bad \\ud800 half"}\n', "lone surrogate"),
    "range.jsonl": (b'{"text": "short", "spans": [{"start": 0, "end": 50, "label": "CLAIM"}]}\n', "out of range"),
    "mismatch.jsonl": (b'{"text": "hello world", "spans": [{"start": 0, "end": 5, "label": "CLAIM", "text": "world"}]}\n',
                       "covers 'hello', not 'world'"),
    "label.jsonl": (b'{"text": "hello world", "spans": [{"start": 0, "end": 5, "label": "PERSON"}]}\n', "unknown label 'PERSON'"),
    "types.jsonl": (b'{"text": "hello world", "spans": [{"start": "0", "end": 5, "label": "CLAIM"}]}\n', "must be integers"),
    "notext.jsonl": (b'{"meta": {}}\n', 'missing or non-string "text"'),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_line_exit_2_and_changes_nothing(tmp_path, db_path, name):
    run("--db", str(db_path), "import", str(SAMPLE))
    before = db_state(db_path)
    data, message = BAD_INPUTS[name]
    good = tmp_path / "good.txt"
    good.write_text("A good file imported in the same run must not land either.")
    bad = tmp_path / name
    bad.write_bytes(data)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert str(bad) in lines[0]
    assert db_state(db_path) == before


def test_missing_file_is_a_clear_error(db_path):
    result = run("--db", str(db_path), "import", "no/such/file.txt")
    assert result.exit_code == 2 and result.output.strip() == "error: no/such/file.txt does not exist: check the path"


def test_options_work_before_or_after_the_command(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert run("--db", str(a), "--annotator", "zoe", "import", str(SAMPLE)).exit_code == 0
    assert run("import", str(SAMPLE), "--db", str(b), "--annotator", "zoe").exit_code == 0
    for path in (a, b):
        with Store(path) as store:
            assert store.document_count() == 1


def test_database_from_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "env.db"
    result = run("import", str(SAMPLE), env={"ANNOTATOR_DB": str(path)})
    assert result.exit_code == 0 and path.exists()


def test_default_database_is_annotations_db_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    assert run("import", str(SAMPLE)).exit_code == 0
    assert (tmp_path / "annotations.db").exists()


def test_docs_and_stats(db_path, tmp_path):
    path = tmp_path / "pre.jsonl"
    path.write_text(json.dumps({"text": "Reuters said so.", "spans": [
        {"start": 0, "end": 7, "label": "SOURCE", "annotator": "bob"},
        {"start": 0, "end": 16, "label": "CLAIM", "annotator": "amy"},
    ]}) + "\n")
    run("--db", str(db_path), "import", str(path), str(SAMPLE))
    docs = json.loads(run("--db", str(db_path), "docs", "--json").output)
    assert [d["name"] for d in docs] == ["pre-1", "evin-prison-leak.txt"]
    assert docs[0]["spans"] == {"amy": 1, "bob": 1}
    table = run("--db", str(db_path), "docs").output
    assert "evin-prison-leak.txt" in table and "amy (todo, 1)" in table
    stats = json.loads(run("stats", "--json", "--db", str(db_path)).output)
    assert stats == {"amy": {"CLAIM": 1}, "bob": {"SOURCE": 1}}
    assert "SOURCE" in run("stats", "--db", str(db_path)).output


def test_docs_on_a_missing_database_is_a_clear_error(tmp_path):
    result = run("--db", str(tmp_path / "none.db"), "docs")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_custom_schema_becomes_the_projects_schema(tmp_path, db_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"name": "ner", "labels": [{"name": "PERSON", "key": "y"}, {"name": "ORG", "key": "o"}]}))
    doc = tmp_path / "d.jsonl"
    doc.write_text(json.dumps({"text": "Ada at ACME", "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}) + "\n")
    assert run("--db", str(db_path), "--schema", str(schema), "import", str(doc)).exit_code == 0
    shown = json.loads(run("--db", str(db_path), "schema", "--labels").output)
    assert [label["name"] for label in shown["labels"]] == ["PERSON", "ORG"]


def test_bad_schema_is_one_line_naming_the_field(tmp_path, db_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"labels": [{"name": "PERSON", "key": "too long"}]}))
    result = run("--db", str(db_path), "--schema", str(schema), "import", str(SAMPLE))
    assert result.exit_code == 2
    assert result.output.startswith("error: schema file") and "labels.0.key" in result.output


def test_schema_colour_the_screens_cannot_draw_is_refused_and_nothing_changes(tmp_path, db_path):
    run("--db", str(db_path), "import", str(SAMPLE))
    before = db_state(db_path)
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"labels": [{"name": "PERSON", "key": "y", "colour": "#fff\n[labels]\nX | Y"}]}))
    result = run("--db", str(db_path), "--schema", str(schema), "import", str(SAMPLE))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: schema file {schema}: labels.0.colour: not a colour: '#fff\\n[labels]")
    assert result.output.count("\n") == 1
    assert db_state(db_path) == before


def test_screen_refuses_a_stored_colour_from_before_colours_were_checked(db_path):
    """A schema stored by an older version may hold any colour: refused with the field named, not a traceback."""
    import sqlite3

    run("--db", str(db_path), "import", str(SAMPLE))
    legacy = {"name": "old", "labels": [{"name": "CLAIM", "key": "c", "colour": "notacolour"}]}
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('schema', ?)", [json.dumps(legacy)])
    conn.close()
    for command in (["annotate"], ["review"]):
        result = run("--db", str(db_path), *command)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"error: the label schema in {db_path}: labels.0.colour: not a colour: "
                                        "'notacolour'"), result.output


def test_stored_schema_with_a_broken_colour_is_one_line_and_a_given_schema_repairs_it(tmp_path, db_path):
    import sqlite3

    run("--db", str(db_path), "import", str(SAMPLE))
    broken = {"name": "old", "labels": [{"name": "CLAIM", "key": "c", "colour": "red\n[labels]"}]}
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('schema', ?)", [json.dumps(broken)])
    conn.close()
    result = run("--db", str(db_path), "stats")
    assert result.exit_code == 2
    assert result.output.startswith("error: the label schema stored in the database: labels.0.colour: not a colour: "
                                    "'red\\n[labels]'") and result.output.count("\n") == 1
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps({"labels": [{"name": "CLAIM", "key": "c", "colour": "red"}]}))
    assert run("--db", str(db_path), "--schema", str(fixed), "stats").exit_code == 0
    assert run("--db", str(db_path), "stats").exit_code == 0


def test_listing_table_fits_the_terminal_and_wraps_by_cells():
    from annotator.cli.table import cell_width, render

    lines = render(["#", "name", "chars"], [["1", "東京" * 10, "20"], ["2", "short", "3"]], right=(0, 2), wrap=(1,),
                   width=24)
    rows = lines[2:]  # after the header and its rule
    assert all(cell_width(line) <= 24 for line in rows)
    assert sum(line.count("東") for line in rows) == 10  # wrapped, nothing cut
    assert rows[0].startswith("1  東京") and rows[0].endswith("20")
    assert rows[-1].startswith("2  short") and rows[-1].endswith(" 3")
    unfitted = render(["#", "name"], [["1", "東京" * 10]], wrap=(1,))
    assert unfitted[2] == "1  " + "東京" * 10  # piped output is never wrapped


def test_schema_command_prints_the_json_schemas():
    schemas = json.loads(run("schema").output)
    assert set(schemas) == {p.name for p in (REPO / "schemas").glob("*.schema.json")}


@pytest.mark.parametrize(
    "command",
    [[], ["import"], ["docs"], ["stats"], ["schema"], ["annotate"], ["export"], ["review"], ["agreement"], ["merge"], ["reviewers"]],
)
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output and "--db" in result.output


def test_usage_errors_exit_2():
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 2
    assert CliRunner().invoke(cli, ["import"]).exit_code == 2


def test_bad_annotator_name(db_path):
    result = run("--db", str(db_path), "--annotator", "  ", "import", str(SAMPLE))
    assert result.exit_code == 2 and "annotator name" in result.output
