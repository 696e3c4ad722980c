"""The data model: what a span, a schema and a document accept and refuse."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from annotator.errors import AnnotatorError
from annotator.models import DEFAULT_SCHEMA_PATH, NAME_PATTERN, Document, LabelSchema, Span, document_id_for, json_schemas
from tests.conftest import REPO


def test_document_id_is_a_stable_hash_of_the_text():
    a = Document.from_text("a.txt", "Sony said revenue rose 5%.")
    b = Document.from_text("other-name.txt", "Sony said revenue rose 5%.")
    assert a.id == b.id == document_id_for("Sony said revenue rose 5%.")
    assert Document.from_text("c", "Sony said revenue rose 6%.").id != a.id


def test_span_offsets_are_code_points():
    text = "👩‍⚕️ Dr Núñez said 5%"
    start = text.index("Núñez")
    span = Span(document_id="d", start=start, end=start + 5, label="SOURCE", annotator="a")
    span.check(text, LabelSchema.default(), expected_text="Núñez")


@pytest.mark.parametrize(
    "start,end,message",
    [(-1, 3, "greater than or equal to 0"), (3, 3, "must be before"), (5, 2, "must be before")],
)
def test_span_refuses_bad_offsets(start, end, message):
    with pytest.raises(ValidationError, match=message):
        Span(document_id="d", start=start, end=end, label="CLAIM", annotator="a")


def test_span_check_refuses_out_of_range_unknown_label_and_wrong_text():
    schema = LabelSchema.default()
    with pytest.raises(ValueError, match="out of range"):
        Span(document_id="d", start=0, end=10, label="CLAIM", annotator="a").check("short", schema)
    with pytest.raises(ValueError, match="unknown label 'PERSON'"):
        Span(document_id="d", start=0, end=2, label="PERSON", annotator="a").check("short", schema)
    with pytest.raises(ValueError, match="covers 'sh', not 'xx'"):
        Span(document_id="d", start=0, end=2, label="CLAIM", annotator="a").check("short", schema, "xx")


def test_default_schema_has_the_four_news_labels_and_attribution():
    schema = LabelSchema.default()
    assert schema.label_names == ["CLAIM", "FIGURE", "SOURCE", "ENTITY"]
    assert [label.key for label in schema.labels] == ["c", "f", "s", "e"]
    assert schema.relation_allowed("ATTRIBUTED_TO", "CLAIM", "SOURCE")
    assert schema.relation_allowed("ATTRIBUTED_TO", "FIGURE", "SOURCE")
    assert not schema.relation_allowed("ATTRIBUTED_TO", "SOURCE", "CLAIM")


def test_schema_refuses_duplicate_keys_and_names():
    with pytest.raises(ValidationError, match="duplicate key 'y'"):
        LabelSchema.model_validate({"labels": [{"name": "A", "key": "y"}, {"name": "B", "key": "y"}]})
    with pytest.raises(ValidationError, match="duplicate label name 'A'"):
        LabelSchema.model_validate({"labels": [{"name": "A", "key": "y"}, {"name": "A", "key": "i"}]})


#: Label names real schemas use (Label Studio, doccano, CoNLL corpora, brat configurations).
REAL_LABEL_NAMES = ["_gt_0", "_gt_12", "Person name", "B-PER", "Organisation (other)", "Ort/Stadt", "日本の地名",
                    "1st", "[PER]", "a,b", "Named Entity: person", "x" * 100, "ÉVÉNEMENT", "I-MISC", "cause-effect"]
BAD_LABEL_NAMES = ["", " ", "  PER", "PER ", "A\x1b[2J", "A\tB", "A\nB", "A\u202eB", "csi\x9b31m", "\x07", "x" * 101,
                   "A\u2028B", "A\x00"]


@pytest.mark.parametrize("name", REAL_LABEL_NAMES)
def test_label_and_relation_names_real_schemas_use_are_allowed(name):
    schema = LabelSchema.model_validate({"labels": [{"name": name, "key": "y"}],
                                         "relations": [{"name": name, "heads": [name]}]})
    assert schema.label_names == [name] and schema.relations[0].name == name
    assert re.fullmatch(NAME_PATTERN, name)  # the JSON Schemas' pattern says the same


def test_the_json_schema_pattern_refuses_what_the_validator_refuses():
    for name in BAD_LABEL_NAMES + ["A\u00a0", "\u200bA", "\ue000"]:
        assert not re.fullmatch(NAME_PATTERN, name) or len(name) > 100, repr(name)


@pytest.mark.parametrize("name", BAD_LABEL_NAMES)
def test_label_and_relation_names_with_control_characters_or_outer_spaces_are_refused(name):
    with pytest.raises(ValidationError, match=r"labels\.0\.name"):
        LabelSchema.model_validate({"labels": [{"name": name, "key": "y"}]})
    with pytest.raises(ValidationError, match=r"relations\.0\.name"):
        LabelSchema.model_validate({"labels": [{"name": "A", "key": "y"}], "relations": [{"name": name}]})


def test_schema_refuses_keys_the_screen_uses():
    with pytest.raises(ValidationError, match="used by the annotation screen"):
        LabelSchema.model_validate({"labels": [{"name": "PERSON", "key": "j"}]})


def test_bad_schema_file_error_names_the_field(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"labels": [{"name": "OK", "key": "y"}, {"name": "bad\u001b[2J", "key": "i"}]}))
    with pytest.raises(AnnotatorError, match=r"labels\.1\.name: .*control character"):
        LabelSchema.from_file(path)
    path.write_text("{not json")
    with pytest.raises(AnnotatorError, match="not valid JSON"):
        LabelSchema.from_file(path)
    with pytest.raises(AnnotatorError, match="not found"):
        LabelSchema.from_file(tmp_path / "missing.json")


def test_committed_json_schemas_match_the_models():
    """schemas/*.schema.json are generated (annotator schema --write schemas): they never drift."""
    for name, generated in json_schemas().items():
        committed = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
        assert committed == generated, f"schemas/{name} is stale: run annotator schema --write schemas"


def test_default_schema_file_is_valid():
    LabelSchema.model_validate_json((REPO / "schemas" / "news.json").read_text(encoding="utf-8"))


def test_schemas_news_json_is_the_packaged_one():
    """One copy: schemas/news.json is a link to the package's news.json (git keeps it as a symlink)."""
    packaged = REPO / "src" / "annotator" / "news.json"
    assert DEFAULT_SCHEMA_PATH.resolve() == packaged.resolve()
    assert (REPO / "schemas" / "news.json").read_bytes() == packaged.read_bytes()


def test_shipped_schema_colours_are_drawable():
    """default() skips Textual's colour parse (start-up time), so the shipped colours are parsed here."""
    LabelSchema.default().check_colours()
    LabelSchema.model_validate_json(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))  # the full check


def _schema_with_colour(tmp_path, colour: str):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"labels": [{"name": "PERSON", "key": "y", "colour": colour}]}))
    return path


@pytest.mark.parametrize(
    "colour",
    [
        "not-a-colour",
        "notacolour",  # only Textual's parser knows it is not a colour
        "red link=https://example.org",  # would become a link in a Rich style
        "red @click=app.quit",
        "[b]red[/b]",
        "#ffffff\n[labels]\nEVIL | pwned",  # a section injected into brat's visual.conf
        "#ffffff\n",  # Textual's own parser takes a trailing newline
        "red\x1b]0;title\x07",
        "",
    ],
)
def test_schema_refuses_a_colour_the_screens_cannot_draw(tmp_path, colour):
    path = _schema_with_colour(tmp_path, colour)
    with pytest.raises(AnnotatorError) as caught:
        LabelSchema.from_file(path)
    message = str(caught.value)
    assert message.startswith(f"schema file {path}: labels.0.colour: not a colour: {colour!r}")
    assert "\n" not in message


def test_colour_refusal_suggests_the_colour_meant(tmp_path):
    with pytest.raises(AnnotatorError, match="not a colour: 'rde'; did you mean 'red'"):
        LabelSchema.from_file(_schema_with_colour(tmp_path, "rde"))


@pytest.mark.parametrize("colour", ["#fff", "#d7875f", "#d7875f80", "red", "aliceblue", "ansi_red", "rgb(1, 2, 3)",
                                    "hsl(120,50%,50%)"])
def test_schema_takes_every_textual_colour_form(tmp_path, colour):
    assert LabelSchema.from_file(_schema_with_colour(tmp_path, colour)).labels[0].colour == colour


def test_stored_schema_still_refuses_unsafe_characters():
    """from_stored skips Textual's parse (it was done when the schema was set), never the character check."""
    stored = {"labels": [{"name": "PERSON", "key": "y", "colour": "red link=x"}]}
    with pytest.raises(AnnotatorError, match=r"stored in the database: labels\.0\.colour: not a colour: 'red link=x'"):
        LabelSchema.from_stored(stored)
    legacy = LabelSchema.from_stored({"labels": [{"name": "PERSON", "key": "y", "colour": "notacolour"}]})
    with pytest.raises(ValueError, match=r"labels\.0\.colour: not a colour: 'notacolour'"):
        legacy.check_colours()
