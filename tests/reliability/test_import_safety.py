"""Import robustness: paths with ``..``, non-regular files, JSON the parser must not trust, names that
would reach a terminal, documents with more spans than a screen can hold.

Each hostile input is one ``error:`` line, exit status 2, no traceback and the database unchanged
(through the real console script, so a hang or a traceback is what a user would see).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from annotator.importers import MAX_SPANS_PER_DOCUMENT, jsonio
from tests.support.cli_runner import assert_clean_error, run_cli, run_script
from tests.support.reliability.project import db_dump

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")


def _project(tmp_path: Path) -> Path:
    db = tmp_path / "project.db"
    seed = tmp_path / "seed.txt"
    seed.write_text("Sony said revenue rose 5%.\n", encoding="utf-8")
    assert run_cli("--db", str(db), "import", str(seed)).code == 0
    return db


def _refused(tmp_path: Path, path: Path, *needles: str, extra: tuple[str, ...] = ()) -> None:
    db = _project(tmp_path)
    dump = db_dump(db)
    outcome = run_script("--db", str(db), "import", str(path), *extra, timeout=30)
    assert_clean_error(outcome, *needles)
    assert db_dump(db) == dump


# -- paths ----------------------------------------------------------------------------------------


def test_a_folder_given_through_dot_dot_is_read(tmp_path: Path) -> None:
    """`annotator import ../folder` found nothing: `..` was taken for a hidden folder."""
    (tmp_path / "folder" / "sub").mkdir(parents=True)
    (tmp_path / "folder" / "a.txt").write_text("Sony said revenue rose.\n", encoding="utf-8")
    (tmp_path / "folder" / "sub" / "b.txt").write_text("Revenue fell.\n", encoding="utf-8")
    (tmp_path / "folder" / ".hidden").mkdir()
    (tmp_path / "folder" / ".hidden" / "c.txt").write_text("Not me.\n", encoding="utf-8")
    (tmp_path / "folder" / ".d.txt").write_text("Nor me.\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    outcome = run_script("--db", "x.db", "import", "../folder", cwd=work)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.startswith("2 documents added"), outcome.stdout
    # a hidden folder given by name is read too (only parts *below* the given folder count)
    outcome = run_script("--db", "x.db", "import", "../folder/.hidden", cwd=work)
    assert outcome.code == 0 and outcome.stdout.startswith("1 documents added"), outcome.stdout + outcome.stderr


# -- non-regular files ----------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("fmt", [None, "text", "jsonl", "doccano"])
def test_a_fifo_is_refused_before_reading(tmp_path: Path, fmt: str | None) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    _refused(tmp_path, fifo, "FIFO", extra=("--format", fmt) if fmt else ())


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_before_reading(tmp_path: Path, device: str) -> None:
    _refused(tmp_path, Path(device), "device", extra=("--format", "text"))
    _refused(tmp_path, Path(device), "device")


@posix_only
def test_a_symlink_to_a_device_is_refused_and_skipped_in_folders(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    _refused(tmp_path, link, "device")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    (folder / "ok.txt").write_text("Sony said.\n", encoding="utf-8")
    outcome = run_script("--db", str(tmp_path / "f.db"), "import", str(folder), timeout=30)
    assert outcome.code == 0 and outcome.stdout.startswith("1 documents added"), outcome.stdout + outcome.stderr


def test_the_regular_file_check_runs_on_the_open_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "a"}\n', encoding="utf-8")
    with jsonio.open_regular(path) as fh:
        assert fh.read() == b'{"text": "a"}\n'
    with pytest.raises(Exception, match="folder"):
        jsonio.open_regular(tmp_path)


# -- JSON the parser must not trust ---------------------------------------------------------------

HOSTILE_JSON = {
    "deep": ('{"text": "a b", "meta": {"x": ' + "[" * 5000 + "]" * 5000 + "}}", "nested deeper than 100"),
    "deep-in-first-line-of-head": ("[" * 3000 + "]" * 3000, "nested deeper"),
    "deep-object": ('{"text": "a b", "meta": ' + '{"a": ' * 150 + "1" + "}" * 150 + "}", "nested deeper"),
    "bigint": ('{"text": "a b", "meta": {"x": ' + "1" * 5000 + "}}", "digits"),
    "bigint-offset": ('{"text": "a b", "spans": [{"start": 0, "end": ' + "9" * 5000 + ', "label": "ENTITY"}]}',
                      "digits"),
    "nan": ('{"text": "a b", "meta": {"x": NaN}}', "NaN"),
    "infinity": ('{"text": "a b", "meta": {"x": Infinity}}', "Infinity"),
    "minus-infinity": ('{"text": "a b", "meta": {"x": [-Infinity]}}', "Infinity"),
    "overflow": ('{"text": "a b", "meta": {"x": 1e999}}', "too large"),
    "duplicate-key": ('{"text": "a b", "text": "c d"}', 'duplicate key "text"'),
    "duplicate-key-nested": ('{"text": "a b", "spans": [{"start": 0, "end": 1, "start": 2, "label": "ENTITY"}]}',
                             'duplicate key "start"'),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
@pytest.mark.parametrize("fmt", [None, "jsonl", "doccano"])
def test_hostile_json_is_one_line(tmp_path: Path, name: str, fmt: str | None) -> None:
    line, needle = HOSTILE_JSON[name]
    path = tmp_path / f"{name}.jsonl"
    path.write_text('{"text": "A fine first line."}\n' + line + "\n", encoding="utf-8")
    _refused(tmp_path, path, needle, "line 2", extra=("--format", fmt) if fmt else ())


def test_hostile_json_on_the_first_line_when_the_format_is_guessed(tmp_path: Path) -> None:
    """The guess reads the first line: a RecursionError or ValueError there was a traceback."""
    for name in ("deep", "deep-in-first-line-of-head", "bigint", "duplicate-key"):
        line, needle = HOSTILE_JSON[name]
        path = tmp_path / f"first-{name}.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        outcome = run_script("--db", str(tmp_path / "g.db"), "import", str(path))
        assert "Traceback" not in outcome.stderr, outcome.stderr
        assert outcome.code == 2, outcome.stderr


def test_hostile_json_under_skip_invalid_is_listed_and_the_rest_imported(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": "Good one."}\n{"text": "x", "meta": {"a": NaN}}\n{"text": "Good two."}\n',
                    encoding="utf-8")
    outcome = run_script("--db", str(tmp_path / "s.db"), "import", str(path), "--skip-invalid")
    # a line that is not JSON at all ends the file's reading: only the lines before it are kept
    assert "Traceback" not in outcome.stderr
    assert outcome.code in (1, 2), outcome.stderr


def test_limits_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"{jsonio.MAX_DEPTH} levels" in readme
    assert f"{jsonio.MAX_LINE_BYTES // 1024 // 1024} MiB" in readme
    assert f"{jsonio.MAX_NUMBER_DIGITS} digits" in readme
    assert f"{MAX_SPANS_PER_DOCUMENT:,} spans" in readme


def test_strict_loads_keeps_what_is_valid() -> None:
    value = jsonio.loads('{"a": [1, 2.5, -3e10, "x[{", {"b": null}], "c": 12345678901234567890}', "t")
    assert value == {"a": [1, 2.5, -3e10, "x[{", {"b": None}], "c": 12345678901234567890}
    nested = "[" * jsonio.MAX_DEPTH + "]" * jsonio.MAX_DEPTH
    assert jsonio.loads(nested, "t") is not None
    assert jsonio.loads('"' + "[" * 500 + '"', "t") == "[" * 500  # brackets inside strings do not nest
    assert jsonio.loads('{"a": "' + "1" * 500 + '"}', "t") == {"a": "1" * 500}  # digits in a string are text
    with pytest.raises(Exception, match="lone surrogate"):
        jsonio.loads('{"text": "\\ud800"}', "t")
    assert jsonio.sniff_json(b"[" * 5000) is jsonio.NOT_JSON


def test_a_line_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text('{"text": "' + "x" * 2000 + '"}\n', encoding="utf-8")
    with pytest.raises(Exception, match="line 1: longer than"):
        list(jsonio.json_lines(path, max_line=1000))


# -- names that would reach a terminal ------------------------------------------------------------

CONTROL_NAMES = ["\x1b]0;PWNED\x07", "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b[2J", "csi\x9b31m", "tab\tname", "a\nb",
                 "\u202eevil", ""]


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_annotator_names_with_control_characters_are_refused_at_import(tmp_path: Path, name: str) -> None:
    path = tmp_path / "names.jsonl"
    lines = [{"text": "Fine document."},
             {"text": "Sony said.", "name": "doc-two", "spans": [{"start": 0, "end": 4, "label": "ENTITY",
                                                                   "annotator": name or " "}]}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    _refused(tmp_path, path, "annotator name", "record 2", "doc-two")


@pytest.mark.parametrize("key", ["_annotator_id"])
def test_a_default_annotator_with_control_characters_is_refused(tmp_path: Path, key: str) -> None:
    path = tmp_path / "names.jsonl"
    path.write_text(json.dumps({"text": "Sony said.", key: "\x1b]0;x\x07",
                                "spans": [{"start": 0, "end": 4, "label": "ENTITY"}]}) + "\n", encoding="utf-8")
    _refused(tmp_path, path, "annotator name")


def test_doccano_file_name_as_annotator_is_checked(tmp_path: Path) -> None:
    """doccano names the annotator after the file: a file name with an escape is refused too."""
    path = tmp_path / "evil\x1b[2J.jsonl"
    path.write_text(json.dumps({"text": "Sony said.", "label": [[0, 4, "ENTITY"]]}) + "\n", encoding="utf-8")
    _refused(tmp_path, path, "annotator name", extra=("--format", "doccano"))
    # --annotator names them instead: then the file name does not matter
    db = tmp_path / "ok.db"
    outcome = run_script("--db", str(db), "import", str(path), "--format", "doccano", "--annotator", "ann")
    assert outcome.code == 0, outcome.stderr


def test_skip_invalid_leaves_out_a_record_with_a_bad_annotator(tmp_path: Path) -> None:
    path = tmp_path / "names.jsonl"
    lines = [{"text": "Fine document."},
             {"text": "Sony said.", "spans": [{"start": 0, "end": 4, "label": "ENTITY", "annotator": "\x1b[2J"}]}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    outcome = run_script("--db", str(tmp_path / "s.db"), "import", str(path), "--skip-invalid")
    assert outcome.code == 1, outcome.stderr
    assert outcome.stdout.startswith("1 documents added")
    assert "\x1b" not in outcome.stdout + outcome.stderr
    assert "annotator name" in outcome.stderr


# -- a million spans -----------------------------------------------------------------------------


def test_a_document_over_the_span_limit_is_refused_before_building_spans(tmp_path: Path) -> None:
    n = MAX_SPANS_PER_DOCUMENT + 1
    text = "ab " * 10
    spans = ",".join('{"start":0,"end":2,"label":"ENTITY","id":"s%d"}' % i for i in range(n))
    path = tmp_path / "many.jsonl"
    path.write_text('{"text": "%s", "name": "big", "spans": [%s]}\n' % (text, spans), encoding="utf-8")
    _refused(tmp_path, path, f"{MAX_SPANS_PER_DOCUMENT:,}", "line 1")


LABEL_STUDIO_HOSTILE = {
    "nan": ('[{"data": {"text": "a b"}, "meta": {"x": NaN}}]', "NaN"),
    "duplicate-key": ('[{"data": {"text": "a b", "text": "c d"}}]', 'duplicate key "text"'),
    "deep": ('[{"data": {"text": "a b"}, "meta": ' + "[" * 3000 + "]" * 3000 + "}]", "nested deeper"),
    "bigint": ('[{"data": {"text": "a b"}, "id": ' + "7" * 5000 + "}]", "digits"),
}


@pytest.mark.parametrize("name", sorted(LABEL_STUDIO_HOSTILE))
@pytest.mark.parametrize("fmt", [None, "label-studio"])
def test_hostile_json_in_a_whole_file_export_is_one_line(tmp_path: Path, name: str, fmt: str | None) -> None:
    body, needle = LABEL_STUDIO_HOSTILE[name]
    path = tmp_path / "tasks.json"
    path.write_text(body, encoding="utf-8")
    _refused(tmp_path, path, needle, extra=("--format", fmt) if fmt else ())


def test_a_line_of_millions_of_containers_is_refused_before_parsing() -> None:
    """A 64 MiB line of ``[],[],...`` became 21 million lists (2 GB); counted first, in constant memory."""
    n = jsonio.MAX_CONTAINERS_PER_LINE + 1
    line = '{"text": "a b", "meta": {"x": [' + "[]," * (n - 1) + "[]]}}"
    with pytest.raises(Exception, match="arrays and objects in one line"):
        jsonio.loads(line, "t", jsonio.MAX_CONTAINERS_PER_LINE)
    assert jsonio.loads(line, "t")["text"] == "a b"  # a whole-file value has no such limit
    # the constant-memory scan (long lines) and the fast one agree
    long_line = '{"s": "' + "[" * 5_000_000 + '", "a": [' + "{}," * 999 + "{}]}"
    assert jsonio._shape(long_line, 10**6) == (3, 1002)
    assert jsonio._shape(long_line.replace("[" * 5_000_000, "[" * 100), 10**6) == (3, 1002)


def test_the_span_and_container_limits_are_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"{jsonio.MAX_CONTAINERS_PER_LINE:,} arrays and objects" in readme
