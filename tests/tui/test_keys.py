"""The one bindings table: a key means the same on both screens, and the user's keymap file.

Refusals of the keymap are checked in-process (load_keymap) and through the command line (exit 2,
one line, no traceback); a remap is checked in the running screens with Pilot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.keys import key_to_character

from annotator.models import RESERVED_KEYS, Document, LabelSchema
from annotator.store import ImportRecord, Store
from annotator.tui import bindings
from annotator.tui.app import AnnotatorApp
from annotator.tui.compat import binding_chain
from annotator.tui.keymap import KeymapError, check_keymap, default_path, load_keymap
from annotator.tui.screens.review import ReviewApp, ReviewScreen
from annotator.tui.widgets.footer import KeysFooter
from tests.support.cli_runner import assert_clean_error, run_cli
from tui_helpers import TEXT, add_span, spans

#: A keymap that moves keys of both screens, including a swap (x and d trade meanings).
SAMPLE_KEYMAP = {"span.remove": "d", "document.done": "x", "cursor.word_right": "W", "span.accept": "y",
                 "undo": ["u", "ctrl+u"], "help": "f1"}


def screen_keys(app) -> dict[str, str | None]:
    """key -> the id of the bindings it can run on the app's current screen (document view, screen,
    app; enabled now or not), as Textual matches keys (the keymap applied). One id per key."""
    ids: dict[str, set[str | None]] = {}
    for _node, binding in binding_chain(app.screen):
        if binding.id and binding.id.startswith("select.count."):
            continue  # in mark mode a digit is a count; the view enables it only there (tested apart)
        ids.setdefault(binding.key, set()).add(binding.id)
    assert all(len(found) == 1 for found in ids.values()), {k: v for k, v in ids.items() if len(v) > 1}
    return {key: found.pop() for key, found in ids.items()}


async def running_keys(store: Store, keymap: dict | None) -> tuple[dict, dict]:
    annotate, review = AnnotatorApp(store, "alice", keymap=keymap), ReviewApp(store, "lead", keymap=keymap)
    async with annotate.run_test() as pilot:
        await pilot.pause()
        annotate_keys = screen_keys(annotate)
    async with review.run_test() as pilot:
        await pilot.pause()
        assert isinstance(review.screen, ReviewScreen)
        review_keys = screen_keys(review)
    return annotate_keys, review_keys


@pytest.fixture
def two_annotators(store: Store) -> Document:
    document = Document.from_text("first.txt", TEXT)
    store.import_records([ImportRecord(document)], actor="t")
    add_span(store, document, 0, 4, "ENTITY", annotator="alice")
    add_span(store, document, 0, 4, "SOURCE", annotator="bob")
    return document


@pytest.mark.parametrize("keymap", [None, SAMPLE_KEYMAP], ids=["default keys", "a keymap"])
async def test_a_key_bound_on_both_screens_means_the_same_on_both(store, two_annotators, keymap):
    normalized = check_keymap(keymap, store.schema) if keymap else None
    annotate, review = await running_keys(store, normalized)
    shared = set(annotate) & set(review)
    assert {"d" if keymap else "x", "tab", "enter", "R", "n", "u", "c", "1", "less_than_sign", "escape"} <= shared
    different = {key: (annotate[key], review[key]) for key in shared if annotate[key] != review[key]}
    assert different == {}
    # every key of the screens comes from the table (Textual's own ctrl+c aside)
    ids = {i for i in (*annotate.values(), *review.values()) if i is not None}
    table = {key.id for key in bindings.KEYS} | {bindings.label_id(label.name, number)
                                               for label in store.schema.labels for number in (False, True)}
    assert ids <= table
    assert {k for k, i in {**annotate, **review}.items() if i is None} <= set(bindings.TEXTUAL_KEYS)
    if keymap:
        assert annotate["d"] == review["d"] == "span.remove" and annotate["x"] == "document.done"
        assert "x" not in review  # the review screen has no "done": x is free there now


def test_one_id_one_meaning_and_one_set_of_default_keys():
    by_id: dict[str, str] = {}
    for key in bindings.KEYS:
        assert by_id.setdefault(key.id, key.keys) == key.keys, key.id
    # the table holds no clash of its own, on either screen, with the default schema
    assert check_keymap({}, LabelSchema.default()) == {}


def test_every_single_character_key_is_kept_from_label_keys():
    """A schema may not take a key the screens use: models.RESERVED_KEYS covers every default key."""
    for key in bindings.KEYS:
        for name in bindings.normalize_keys(key.keys):
            char = key_to_character(name)  # None for ctrl+x, left, f3...
            if char is not None and char.isprintable():
                assert char in RESERVED_KEYS, (key.id, char)


def test_readme_key_tables_match_the_bindings():
    """Each row of the README's two key tables names binding ids; the keys written in the row are
    exactly their default keys, and every key of each screen has a row."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for screen, section in ((bindings.ANNOTATE, "## The annotation screen"), (bindings.REVIEW, "## Review and")):
        text = readme[readme.index(section):]
        rows = text[text.index("| keys | what they do | id |"):].split("\n\n")[0].splitlines()[2:]
        seen: set[str] = set()
        for row in rows:
            keys_cell, _what, ids_cell = (cell.strip() for cell in row.strip().strip("|").split(" | "))
            ids = re.findall(r"`([^`]+)`", ids_cell)
            if any(i.endswith("*") for i in ids):  # a family: label.*, cursor.*
                seen |= {k.id for k in bindings.KEYS if any(k.id.startswith(i[:-1]) for i in ids)}
                continue
            written = set(re.findall(r"`([^`]+)`", keys_cell))
            assert written == {_as_written(k) for i in ids for k in bindings.keys_of(i)}, row
            seen.update(ids)
        every = {e.id for e in bindings.entries(screen, None)}
        assert every <= seen, sorted(every - seen)


def _as_written(key: str) -> str:
    """A key as the README writes it: as the help shows it, but ctrl+ in words (ctrl+→, not ^→)."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, bindings.key_display(name)])


# -- the keymap file -------------------------------------------------------------------------------


REFUSALS = [
    ('spam.remove = "x"\n', "unknown binding id 'spam.remove' (did you mean span.remove?)"),
    ('span.remove = "d"\n', "d would be both span.remove and document.done on the annotation screen"),
    ('"span.start_left" = "a"\n', "a would be both span.start_left and span.accept on the review screen"),
    ('undo = "c"\n', "c tags as CLAIM (a label key of the schema)"),
    ('undo = "2"\n', "2 tags as FIGURE"),
    ('label.CLAIM = "y"\n', "label.CLAIM: label keys come from the schema"),
    ('undo = "ctrl+nope"\n', "undo: unknown key 'ctrl+nope'"),
    ('undo = 3\n', "undo: keys must be a string"),
    ('undo = ""\n', "undo: an empty key"),
    ('undo = "ctrl+c"\n', "Textual's own"),
    ('undo = "u\n', "not valid TOML"),
]


@pytest.mark.parametrize(("content", "message"), REFUSALS, ids=[m.split(" (")[0][:40] for _c, m in REFUSALS])
def test_a_bad_keymap_is_refused_with_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "keys.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KeymapError) as refused:
        load_keymap(LabelSchema.default(), path)
    assert str(refused.value).startswith(f"keymap {path}: ") and message in str(refused.value)


def test_a_named_keymap_must_exist_and_be_text(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_KEYMAP", raising=False)
    with pytest.raises(KeymapError, match="no such file"):
        load_keymap(LabelSchema.default(), tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"undo = '\xff'\n")
    with pytest.raises(KeymapError, match="not UTF-8"):
        load_keymap(LabelSchema.default(), binary)
    monkeypatch.setenv("ANNOTATOR_KEYMAP", str(tmp_path / "also-missing.toml"))
    with pytest.raises(KeymapError, match="also-missing.toml: no such file"):
        load_keymap(LabelSchema.default())


def test_the_default_keymap_file_is_optional_and_read_from_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_KEYMAP", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_path() == tmp_path / "annotator" / "keys.toml"
    assert load_keymap(LabelSchema.default()) == {}  # no file: the default keys
    default_path().parent.mkdir()
    default_path().write_text('[span]\nremove = "X"\n"start_left" = ["<", "f5"]\n', encoding="utf-8")
    assert load_keymap(LabelSchema.default()) == {"span.remove": "X",
                                                  "span.start_left": "less_than_sign,f5"}
    monkeypatch.setenv("XDG_CONFIG_HOME", "")
    assert default_path() == Path.home() / ".config" / "annotator" / "keys.toml"


@pytest.mark.parametrize("command", [[], ["annotate"], ["review", "--annotator", "lead"]])
def test_the_command_refuses_a_bad_keymap_before_any_screen(tmp_path, monkeypatch, command):
    db = tmp_path / "k.db"
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text("a.txt", TEXT))], actor="t")
    bad = tmp_path / "keys.toml"
    bad.write_text('span.remove = "n"\n', encoding="utf-8")
    monkeypatch.setattr("annotator.tui.app.AnnotatorApp.run", _must_not_run)
    monkeypatch.setattr("annotator.tui.screens.review.ReviewApp.run", _must_not_run)
    assert_clean_error(run_cli("--db", str(db), *command, "--keymap", str(bad)), str(bad), "span.remove")
    assert_clean_error(run_cli("--db", str(db), *command, env={"ANNOTATOR_KEYMAP": str(bad)}), str(bad))


def _must_not_run(*args, **kwargs):
    raise AssertionError("the app started despite a bad keymap")


def test_the_command_gives_the_checked_keymap_to_the_app(tmp_path, monkeypatch):
    db = tmp_path / "k.db"
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text("a.txt", TEXT))], actor="t")
    good = tmp_path / "keys.toml"
    good.write_text('span.remove = "X"\nhelp = "?"\n', encoding="utf-8")
    started = []
    monkeypatch.setattr("annotator.tui.app.AnnotatorApp.run", lambda app, **kw: started.append(app.keymap))
    outcome = run_cli("--db", str(db), "--keymap", str(good))
    assert outcome.code == 0, outcome.stderr
    assert started == [{"span.remove": "X", "help": "question_mark"}]


# -- a remap at work -------------------------------------------------------------------------------


async def test_remapped_keys_move_tag_and_delete_and_the_help_and_footer_show_them(store, notifications):
    document = Document.from_text("first.txt", TEXT)
    store.import_records([ImportRecord(document)], actor="t")
    app = AnnotatorApp(store, "alice", keymap=check_keymap(SAMPLE_KEYMAP, store.schema))
    async with app.run_test(size=(120, 30), message_hook=notifications) as pilot:
        screen = app.screen
        await pilot.press("w")  # no longer a key
        assert screen.view.cursor == 0
        await pilot.press("W")
        assert screen.view.cursor == 5
        await pilot.press("c")  # label keys stay the schema's
        assert spans(store, document) == [(5, 9, "CLAIM")]
        await pilot.press("b")  # back onto the span (the cursor rested on the next word)
        screen.flush_footer()
        await pilot.pause()
        footer = {description: keys for keys, description in screen.query_one(KeysFooter).shown}
        assert footer["Delete"] == "d" and footer["Done"] == "x"
        await pilot.press("d")  # d deletes the span now
        assert spans(store, document) == []
        await pilot.press("ctrl+u")  # a second key for undo
        assert spans(store, document) == [(5, 9, "CLAIM")]
        await pilot.press("f1")
        lines = app.screen.query_one("#help-text").render().plain.splitlines()
        for keys, what in (("W", "Next word"), ("d", "Delete the selected span"), ("u, ^u", "Undo my last"),
                           ("x", "Mark this document done"), ("f1", "Show every key")):
            assert any(line.startswith(keys + "  ") and what in line for line in lines), (keys, what)
        await pilot.press("f1")  # the help key closes help too
        await pilot.press("x")  # done, and on to the next document not done: there is none
        assert store.status(document.id, "alice").value == "done"


async def test_remapped_keys_work_on_the_review_screen(store, two_annotators):
    app = ReviewApp(store, "lead", keymap=check_keymap(SAMPLE_KEYMAP, store.schema))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert "y accept  d reject" in str(screen.query_one("#review-keys").render())
        candidate = screen.current_candidate()
        await pilot.press("y")
        assert {(d.start, d.end, d.label): d.decision for d in store.gold_decisions(two_annotators.id)}[
            candidate.key] == "accept"
