"""No escape sequence from the data ever reaches the terminal: every command and both screens, in a
real pseudo-terminal, reading every raw byte written.

The data holds the sequences that do harm: ``ESC ]0;`` (window title), ``ESC ]52;`` (clipboard
write), ``ESC [2J`` (clear screen), the C1 control U+009B (CSI on many terminals) and bidi
overrides and isolates, in document names and texts, annotator names, notes, meta,
the schema's descriptions and file names. Annotator names with control characters are refused at
import now, but a database may hold them (older versions, scripts, merges): they are put in
directly. Each command's whole output (stdout and stderr share the terminal) must hold none of
the payloads raw; where a command shows the data, the visible placeholder must be there instead
(so the check cannot pass by showing nothing).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from annotator.models import Document, LabelSchema, Relation, Span, Status
from annotator.store import ImportRecord, Store
from tests.support.pty_driver import PtyApp

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

TITLE = "\x1b]0;PWNTITLE\x07"
CLIPBOARD = "\x1b]52;c;UFdORUQ=\x07"
CLEAR = "\x1b[2JCLEARED"
CSI = "\x9b31mCSIRED"
BIDI = "\u202eRLO\u202c \u2066ISO\u2069"
PAYLOAD = f"{TITLE}{CLIPBOARD}{CLEAR}{CSI}{BIDI}"

#: Raw bytes that must never be written (the payloads as a terminal would run them).
FORBIDDEN = [b"\x1b]0;PWNTITLE", b"\x1b]52;", b"\x1b[2JCLEARED", "\x9b".encode(), "\u202e".encode(),
             "\u2066".encode(), "\u2069".encode(), b"PWNTITLE\x07", b"UFdORUQ=\x07"]
#: What the display-safe function shows instead (ESC as the control picture).
PLACEHOLDER = "␛]0;PWNTITLE".encode()


def _payload(tag: str) -> str:
    return f"{tag} {PAYLOAD}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose every stored string carries the payloads; returns its folder."""
    root = tmp_path_factory.mktemp("hostile")
    schema = LabelSchema.model_validate({
        "name": _payload("schema"),
        "labels": [{"name": "CLAIM", "key": "c", "description": _payload("claim description")},
                   {"name": "SOURCE", "key": "s", "description": _payload("source description")},
                   {"name": "[@click=app.quit]odd [/]", "key": "y"}],
        "relations": [{"name": "SAID_BY", "description": _payload("relation description")}],
    })
    (root / "schema.json").write_text(schema.model_dump_json(), encoding="utf-8")
    evil = _payload("annotator")
    records = []
    for i in range(3):
        text = f"Sony said revenue rose {i}%. {_payload('text')} Reuters reported it.\nSecond line {i}."
        doc = Document.from_text(_payload(f"doc{i}"), text, {"source": _payload("meta")})
        start = text.index("Sony")
        src = text.index("Reuters")
        spans = [
            Span(document_id=doc.id, start=start, end=start + 4, label="SOURCE", annotator="alice",
                 note=_payload("note")),
            Span(document_id=doc.id, start=start, end=start + 4, label="CLAIM", annotator=evil, note=_payload("n2")),
            Span(document_id=doc.id, start=src, end=src + 7, label="SOURCE", annotator=evil),
            Span(document_id=doc.id, start=start, end=start + 9, label="[@click=app.quit]odd [/]", annotator=evil),
        ]
        relations = [Relation(document_id=doc.id, head=spans[1].id, child=spans[2].id, label="SAID_BY", annotator=evil)]
        records.append(ImportRecord(doc, spans, relations))
    with Store(root / "p.db") as store:
        store.set_schema(schema, actor="setup")
        store.import_records(records, actor="setup")
        for record in records:
            store.set_status(record.document.id, evil, Status.done)
    other = root / "other.db"  # the same project where the hostile annotator's status differs: a conflict
    other.write_bytes((root / "p.db").read_bytes())
    with Store(other) as store:
        store.set_status(records[0].document.id, evil, Status.in_progress)
        doc = Document.from_text(_payload("merged doc"), f"Other text {_payload('t')} here.")
        store.import_records([ImportRecord(doc, [Span(document_id=doc.id, start=0, end=5, label="CLAIM",
                                                      annotator=_payload("merger"))])], actor="x")
    bad = root / f"bad {TITLE}{CLEAR}.jsonl"
    bad.write_text(json.dumps({"text": "Sony said.", "spans": [{"start": 0, "end": 4, "label": "NOPE"}]}) + "\n")
    return root


def _run(args: list[str], cwd: Path | None = None, timeout: float = 60) -> bytes:
    """``annotator ARGS`` in a pseudo-terminal until it exits; every byte it wrote."""
    with PtyApp(args, rows=40, cols=160) as app:
        deadline = time.monotonic() + timeout
        while app.process.poll() is None and time.monotonic() < deadline:
            app.pump(0.1)
        app.pump(0.2)
        assert app.process.poll() is not None, f"{args} did not finish: {app.text()}"
        return bytes(app.output)


def _assert_inert(output: bytes, what: str, shown: bool = True) -> None:
    for bad in FORBIDDEN:
        assert bad not in output, (what, bad, output[-1500:])
    if shown:
        assert PLACEHOLDER in output or b"\\u001b]0;PWNTITLE" in output, (what, output[-1500:])


def _db(hostile: Path) -> list[str]:
    return ["--db", str(hostile / "p.db")]


COMMANDS = {
    "docs": (["docs"], True),
    "docs --json": (["docs", "--json"], True),
    "stats": (["stats"], True),
    "stats --json": (["stats", "--json"], True),
    "agreement": (["agreement"], True),
    "agreement --by-document": (["agreement", "--by-document"], True),
    "agreement --json": (["agreement", "--json"], True),
    "schema --labels": (["schema", "--labels"], True),
    "reviewers": (["reviewers"], False),
    "export jsonl to the terminal": (["export", "--format", "jsonl", "--out", "-"], True),
    "export csv to the terminal": (["export", "--format", "csv", "--out", "-"], True),
    "export conll to the terminal": (["export", "--format", "conll", "--out", "-", "--overlap", "outer", "-v"], True),
    "export doccano to the terminal": (["export", "--format", "doccano", "--out", "-"], True),
    "export label-studio to the terminal": (["export", "--format", "label-studio", "--out", "-"], True),
    "export -v brat": (["export", "--format", "brat", "--out", "{tmp}/brat", "-v"], False),
    "export -v conll refused": (["export", "--format", "conll", "--out", "{tmp}/x.conll", "-v"], True),
    "export --annotator unknown": (["export", "--format", "jsonl", "--out", "{tmp}/x.jsonl",
                                    "--annotator", "nobody"], True),
    "import a hostile file name": (["import", "{bad}"], True),
    "import -v": (["import", "-v", "--skip-invalid", "{bad}"], True),
    "merge": (["merge", "{other}"], True),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_writes_the_data_inert(hostile: Path, tmp_path: Path, name: str) -> None:
    args, shown = COMMANDS[name]
    bad = next(hostile.glob("bad *.jsonl"))
    args = [a.format(tmp=tmp_path, bad=bad, other=hostile / "other.db") for a in args]
    db = tmp_path / "copy.db"
    db.write_bytes((hostile / "p.db").read_bytes())  # merge, import and review change the database
    output = _run(["--db", str(db), "--annotator", "alice", *args])
    _assert_inert(output, name, shown)


def _screen(args: list[str], keys: list[str], hostile: Path, tmp_path: Path) -> bytes:
    db = tmp_path / "screen.db"
    db.write_bytes((hostile / "p.db").read_bytes())
    with PtyApp(["--db", str(db), "--annotator", "alice", *args], rows=40, cols=160) as app:
        assert app.wait_for(b"doc0", 30), app.text()
        app.pump(0.5)
        for key in keys:
            app.press(key)
            app.pump(0.4)
        assert app.quit() == 0, app.text()
        return bytes(app.output)


def test_the_annotation_screen_writes_the_data_inert(hostile: Path, tmp_path: Path) -> None:
    # tab: select a span (details panel); ctrl+e: everyone's spans; n: next document (toast);
    # ?: the help screen (label descriptions); ctrl+p: the palette with every document name
    keys = ["\t", "\t", "\x05", "\t", "n", "p", "?", "\x1b", "\x10", "doc", "\x1b", "d"]
    _assert_inert(_screen([], keys, hostile, tmp_path), "annotation screen")


@pytest.mark.parametrize("auto_accept", [False, True])
def test_the_review_screen_writes_the_data_inert(hostile: Path, tmp_path: Path, auto_accept: bool) -> None:
    keys = ["\t", "]", "\t", "]", "?", "\x1b", "\x10", "accept", "\x1b", "n", "a", "u"]
    args = ["review", "--auto-accept"] if auto_accept else ["review"]
    _assert_inert(_screen(args, keys, hostile, tmp_path), "review screen")
