"""CoNLL as real files have it: import of the shapes other tools write, export read by seqeval and spaCy.

The fixtures in fixtures/conll/ are written here (no file is copied) in the exact shapes of:

* ``conll2003_iob1.conll``: CoNLL-2003's ``eng.train`` as distributed by the shared task: four
  space-separated columns ``TOKEN POS CHUNK NER``, IOB1 tags (``I-`` throughout, ``B-`` only
  between two adjacent entities of one type), ``-DOCSTART- -X- O O`` then a blank line before each
  document. Shape as quoted in spaCy's converter (explosion/spaCy
  spacy/training/converters/conll_ner_to_docs.py, which splits documents at exactly that line)
  and in the eng.train samples of the many readers indexed for this work.
* ``wnut17_iob2.conll``: WNUT-17 (leondz/emerging_entities_17 emerging.dev.conll): two
  tab-separated columns, IOB2, no ``-DOCSTART-``, labels with hyphens (``creative-work``), emoji
  tokens, and the irregular ``I-`` the real file has (``Lil B-person / Sly- I-person / Turn
  I-creative-work``: an ``I-`` of another label straight after an entity) and an ``I-`` after ``O``.
* ``ner_bioes.bmes``: NCRF++'s sample data (jiesutd/NCRFpp sample_data/train.bmes): two
  space-separated columns, BIOES (``S-``, ``B-``, ``I-``, ``E-``), the first document without a
  marker and ``-DOCSTART- O`` (two columns) between documents; one entity left without its ``E-``.

Entities are checked against seqeval's ``get_entities`` (the lenient reading real files need).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from annotator.exporters import Selection
from annotator.importers import ImportContext, read_path
from annotator.models import Document, Label, LabelSchema, Span
from annotator.store import ImportRecord, Store
from annotator.text import Tokenized

from .conftest import assert_refused, export_to, run, table_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "conll"
LABELS = ["ORG", "LOC", "PER", "MISC", "location", "creative-work", "corporation", "person", "product"]


def schema(labels: list[str] = LABELS) -> LabelSchema:
    return LabelSchema(name="conll", labels=[Label(name=name, key=key) for name, key in zip(labels, "cefiostyBCDEF")])


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(schema().model_dump_json(), encoding="utf-8")
    return path


def imported(db: Path) -> dict[str, tuple[Document, list[tuple[int, int, str, str]]]]:
    """Each document by name, with its spans as (start, end, label, covered text), in order."""
    with Store(db) as store:
        return {
            doc.name: (doc, sorted((s.start, s.end, s.label, doc.text[s.start : s.end]) for s in store.spans_for(doc.id)))
            for doc in store.documents()
        }


def file_documents(path: Path) -> list[list[list[tuple[str, str]]]]:
    """The file as documents of sentences of (token, tag), read the plain way (for seqeval)."""
    docs: list[list[list[tuple[str, str]]]] = [[[]]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        cols = line.split("\t") if "\t" in line else line.split()
        if not cols:
            docs[-1].append([])
        elif cols[0] == "-DOCSTART-":
            docs.append([[]])
        else:
            docs[-1][-1].append((cols[0], cols[-1]))
    return [[s for s in doc if s] for doc in docs if any(doc)]


def assert_matches_seqeval(path: Path, found: dict) -> None:
    """Our spans are exactly the entities seqeval's get_entities finds in the file's tags."""
    docs = file_documents(path)
    assert len(docs) == len(found)
    for sentences, (doc, spans) in zip(docs, found.values()):
        offsets = doc.meta["conll"]["tokens"]
        tokens = [t for s in sentences for t, _ in s]
        assert [doc.text[a:b] for a, b in offsets] == tokens
        expected, base = [], 0
        for sentence in sentences:
            for label, first, last in get_entities([tag for _, tag in sentence]):
                start, end = offsets[base + first][0], offsets[base + last][1]
                expected.append((start, end, label, doc.text[start:end]))
            base += len(sentence)
        assert len(offsets) == base
        expected.sort()
        assert spans == expected


def test_conll2003_iob1_four_columns(tmp_path, schema_file):
    db = tmp_path / "a.db"
    path = FIXTURES / "conll2003_iob1.conll"
    result = run(db, "import", str(path), "--schema", str(schema_file), "--annotator", "ann")  # format guessed
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 documents added, 0 already present, 12 spans added"  # nothing irregular
    found = imported(db)
    assert list(found) == ["conll2003_iob1-1", "conll2003_iob1-2"]
    doc, spans = found["conll2003_iob1-1"]
    assert doc.text == (
        "SOCCER - LEEDS SHEFFIELD WEDNESDAY DRAW .\nLEEDS , England 1996-08-24\n"
        "Leeds United and Sheffield Wednesday drew 1-1 in the English premier league on Saturday , "
        "Lee Bowyer scoring for the hosts ."
    )
    assert spans == [
        (9, 14, "ORG", "LEEDS"), (15, 34, "ORG", "SHEFFIELD WEDNESDAY"),  # IOB1's B-: two adjacent ORGs
        (42, 47, "LOC", "LEEDS"), (50, 57, "LOC", "England"),
        (69, 81, "ORG", "Leeds United"), (86, 105, "ORG", "Sheffield Wednesday"),
        (122, 129, "MISC", "English"), (159, 169, "PER", "Lee Bowyer"),
    ]
    conll = doc.meta["conll"]
    assert conll["scheme"] == "IOB1" and conll["line"] == 3 and conll["document"] == 1
    assert conll["sentences"] == [[0, 41], [42, 68], [69, 193]]
    assert conll["columns"][:3] == [["NN", "I-NP"], [":", "O"], ["NNP", "I-NP"]]  # POS and chunk kept
    assert len(conll["columns"]) == len(conll["tokens"]) == 33
    doc2, spans2 = found["conll2003_iob1-2"]
    assert doc2.text.startswith("BUNDESBANK LEAVES RATES UNCHANGED\nFRANKFURT 1996-08-22\nThe Bundesbank")
    assert spans2 == [(0, 10, "ORG", "BUNDESBANK"), (34, 43, "LOC", "FRANKFURT"), (59, 69, "ORG", "Bundesbank"),
                      (118, 125, "ORG", "Reuters")]
    with Store(db) as store:
        assert {s.annotator for d, _ in found.values() for s in store.spans_for(d.id)} == {"ann"}
    assert_matches_seqeval(path, found)


def test_wnut_two_tab_columns_iob2_counts_the_i_without_b(tmp_path, schema_file):
    db = tmp_path / "a.db"
    path = FIXTURES / "wnut17_iob2.conll"
    result = run(db, "import", "--format", "conll", str(path), "--schema", str(schema_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "1 documents added, 0 already present, 6 spans added; 2 IOB2 I- tags not continuing an entity of their "
        "label, each read as the start of one (as seqeval does)"
    )
    found = imported(db)
    ((doc, spans),) = found.values()
    assert doc.name == "wnut17_iob2.conll"  # no -DOCSTART-: the file is one document
    assert doc.text == (
        "Saw the Golden Gate Bridge today 😍 😍\nanyone else watching Stranger Things on netflix ?\n"
        "lil peep Star Shopping is my jam\ngot my new pixel 2 👍"
    )
    assert spans == [
        (8, 26, "location", "Golden Gate Bridge"), (58, 73, "creative-work", "Stranger Things"),
        (77, 84, "corporation", "netflix"), (87, 95, "person", "lil peep"),
        (96, 109, "creative-work", "Star Shopping"),  # I-creative-work right after I-person starts an entity
        (131, 138, "product", "pixel 2"),  # I-product after O starts one
    ]
    assert doc.meta["conll"]["scheme"] == "IOB2" and "columns" not in doc.meta["conll"]
    assert doc.meta["conll"]["tokens"][-1] == [len(doc.text) - 1, len(doc.text)]  # code points: the emoji is one
    assert_matches_seqeval(path, found)


def test_bioes_with_two_column_docstart(tmp_path, schema_file):
    db = tmp_path / "a.db"
    path = FIXTURES / "ner_bioes.bmes"
    result = run(db, "import", str(path), "--schema", str(schema_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(
        "6 spans added; 1 BIOES entities not closed by E- or S-, read as ending at their last tag"
    )
    found = imported(db)
    assert {name: spans for name, (_, spans) in found.items()} == {
        "ner_bioes-1": [(0, 5, "ORG", "Apple"), (23, 29, "LOC", "Mumbai"), (32, 40, "PER", "Tim Cook")],
        "ner_bioes-2": [(4, 18, "ORG", "New York Times"), (33, 46, "PER", "Satya Nadella"),
                        (51, 64, "PER", "Sundar Pichai")],  # B- I- then O: no E-, counted
    }
    assert [d.meta["conll"]["scheme"] for d, _ in found.values()] == ["BIOES", "BIOES"]
    assert_matches_seqeval(path, found)


def test_scheme_named_decides_what_is_counted_not_the_spans(tmp_path, schema_file):
    db = tmp_path / "a.db"
    path = FIXTURES / "conll2003_iob1.conll"
    result = run(db, "import", str(path), "--scheme", "iob2", "--schema", str(schema_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(
        "12 spans added; 11 IOB2 I- tags not continuing an entity of their label, each read as the start of one "
        "(as seqeval does)"
    )
    assert_matches_seqeval(path, imported(db))


@pytest.mark.parametrize("docstart", ["-DOCSTART- -X- -X- O", "-DOCSTART- O", "-DOCSTART-", "-DOCSTART-\tO"])
def test_docstart_forms_crlf_bom_and_a_first_document_without_marker(tmp_path, docstart):
    text = (f"\ufeffSony\tB-ORG\nsaid\tO\n\n{docstart}\n\nReuters\tB-ORG\nNews\tI-ORG\n\n\n{docstart}\n\n"
            f"{docstart}\n\nAP\tB-ORG\n").replace("\n", "\r\n")
    path = tmp_path / "x.conll"
    path.write_text(text, encoding="utf-8")
    context = ImportContext(annotator="a", schema=schema())
    records = list(read_path(path, "conll", context))
    assert [(r.document.name, r.document.text) for r in records] == [
        ("x-1", "Sony said"), ("x-2", "Reuters News"), ("x-3", "AP")  # an empty document is nothing to import
    ]
    assert [[(s.start, s.end, s.label) for s in r.spans] for r in records] == [[(0, 4, "ORG")], [(0, 12, "ORG")],
                                                                               [(0, 2, "ORG")]]
    assert [r.document.meta["conll"]["line"] for r in records] == [1, 6, 14]
    assert not context.notes and not context.skipped


def test_unknown_label_is_one_line_naming_label_and_line(tmp_path):
    db = tmp_path / "a.db"
    path = FIXTURES / "conll2003_iob1.conll"
    no_misc = tmp_path / "s.json"
    no_misc.write_text(schema(["ORG", "LOC", "PER"]).model_dump_json(), encoding="utf-8")
    assert run(db, "import", str(FIXTURES / "ner_bioes.bmes"), "--schema", str(no_misc)).exit_code == 0
    before = snapshot(db)
    assert_refused(run(db, "import", str(path), "--schema", str(no_misc)),
                   f"{path} line 25: unknown label 'MISC'", "--schema", "--skip-invalid")
    assert snapshot(db) == before
    result = run(db, "import", str(path), "--schema", str(no_misc), "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert "11 spans added" in result.stdout and "1 invalid record" in result.stdout
    assert result.stderr.count("invalid, not imported") == 1 and "line 25: unknown label 'MISC'" in result.stderr
    assert [x[2] for _, spans in imported(db).values() for x in spans if x[2] == "MISC"] == []


def snapshot(db: Path) -> dict:
    with Store(db) as store:
        return table_snapshot(store)


@pytest.mark.parametrize(
    "row, message",
    [
        ("Sony", "line 6 (document 2 of the file): expected a token and a tag"),
        ("Sony B_ORG", "line 6 (document 2 of the file): 'B_ORG' is not a tag"),
        ("Sony NNP I-NP B-", "line 6 (document 2 of the file): 'B-' is not a tag"),
    ],
)
def test_a_bad_row_refuses_the_file_or_leaves_out_its_document(tmp_path, schema_file, row, message):
    db = tmp_path / "a.db"
    path = tmp_path / "bad.conll"
    path.write_text(f"-DOCSTART- -X- O O\n\nAP B-ORG\n\n-DOCSTART- -X- O O\n{row}\nsaid O\n\n-DOCSTART- -X- O O\n\n"
                    "Reuters B-ORG\n", encoding="utf-8")
    assert_refused(run(db, "import", str(path), "--schema", str(schema_file)), f"{path} {message}",
                   "TOKEN [POS CHUNK] TAG")
    result = run(db, "import", str(path), "--schema", str(schema_file), "--skip-invalid")
    assert result.exit_code == 1 and message in result.stderr
    assert {name: doc.text for name, (doc, _) in imported(db).items()} == {"bad-1": "AP", "bad-3": "Reuters"}


def test_refusals(tmp_path, schema_file):
    db = tmp_path / "a.db"
    empty = tmp_path / "e.conll"
    empty.write_text("\n \n", encoding="utf-8")
    assert_refused(run(db, "import", str(empty)), "is empty")
    only = tmp_path / "o.conll"
    only.write_text("-DOCSTART- -X- O O\n\n", encoding="utf-8")
    assert_refused(run(db, "import", str(only)), "holds no tokens")
    assert_refused(run(db, "import", "--offsets", "utf16", str(FIXTURES / "wnut17_iob2.conll"),
                       "--schema", str(schema_file)), "CoNLL files have no offsets")


# ---------------------------------------------------------------------------------------- export

ROUND_TRIP_TEXTS = [
    "Sony said revenue rose 5%. Reuters reported it.\n\nNew York Times agreed 👩🏽\u200d💻 today!",
    "The -DOCSTART- marker inside a text is no document break. AT&T and O'Neil met in 東京 .",
    "One entity at the very end: Reuters",
]
ROUND_TRIP_SPANS = [
    [("Sony", "ORG"), ("5%", "MISC"), ("Reuters", "ORG"), ("New York Times", "ORG")],
    [("-DOCSTART-", "MISC"), ("AT&T", "ORG"), ("O'Neil", "PER"), ("東京", "LOC")],
    [("Reuters", "ORG")],
]


def round_trip_store(path: Path) -> Store:
    store = Store(path)
    store.set_schema(schema())
    records = []
    for text, pieces in zip(ROUND_TRIP_TEXTS, ROUND_TRIP_SPANS):
        doc = Document.from_text(f"d{len(records)}", text)
        spans = [Span(document_id=doc.id, start=text.index(t), end=text.index(t) + len(t), label=label, annotator="a")
                 for t, label in pieces]
        tokenized = Tokenized(text)
        assert all(tokenized.aligned(s.start, s.end) for s in spans)  # token-aligned, as CoNLL needs
        records.append(ImportRecord(doc, spans))
    store.import_records(records, "t")
    return store


def token_spans(doc: Document, spans) -> set[tuple[int, int, str]]:
    """Spans as (first token, last token, label) under the one tokenizer."""
    tokenized = Tokenized(doc.text)
    return {(*tokenized.aligned(s.start, s.end), s.label) for s in spans}


def test_export_then_import_gives_back_every_token_aligned_span(tmp_path, schema_file):
    store = round_trip_store(tmp_path / "a.db")
    out = tmp_path / "o.conll"
    export_to(store, "conll", out)
    db = tmp_path / "b.db"
    result = run(db, "import", str(out), "--schema", str(schema_file), "--annotator", "a")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 documents added, 0 already present, 9 spans added"  # nothing irregular
    originals = sorted(store.documents(), key=lambda d: d.name)
    back = imported(db)
    assert list(back) == ["o-1", "o-2", "o-3"]
    for original, (doc, spans) in zip(originals, back.values()):
        assert doc.text.split() == [t.text for t in Tokenized(original.text).tokens]
        assert doc.meta["conll"]["scheme"] == "IOB2"
        with Store(db) as b:
            assert token_spans(doc, b.spans_for(doc.id)) == token_spans(original, store.spans_for(original.id))
    # and again: the imported documents export to the same tags
    again = tmp_path / "again.conll"
    with Store(db) as b:
        export_to(b, "conll", again)
    tags = lambda p: [line.split(" ")[-1] for line in p.read_text(encoding="utf-8").splitlines() if line]  # noqa: E731
    assert tags(again) == tags(out)


def test_export_rows_and_docstart_have_the_same_columns(tmp_path):
    store = round_trip_store(tmp_path / "a.db")
    out = tmp_path / "o.conll"
    export_to(store, "conll", out)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == ["-DOCSTART- -X- O O", ""]
    rows = [line for line in lines if line]
    assert {len(line.split()) for line in rows} == {4} and {len(line.split(" ")) for line in rows} == {4}
    assert sum(line == "-DOCSTART- -X- O O" for line in lines) == 3
    assert all(line.split(" ")[1:3] == ["-X-", "O"] for line in rows)
    # sentences: the one sentence rule (annotator.text.sentences), a blank line at each break
    first = lines[2 : lines.index("-DOCSTART- -X- O O", 1)]
    sentences = "\n".join(first).strip("\n").split("\n\n")
    assert [s.split("\n")[0].split(" ")[0] for s in sentences] == ["Sony", "Reuters", "New"]


def test_export_is_valid_strict_iob2_for_seqeval(tmp_path):
    from seqeval.scheme import IOB2, Entities

    store = round_trip_store(tmp_path / "a.db")
    out = tmp_path / "o.conll"
    export_to(store, "conll", out)
    docs = file_documents(out)
    sequences = [[tag for _, tag in s] for doc in docs for s in doc]
    strict = {(e.sent_id, e.start, e.end - 1, e.tag) for e in Entities(sequences, IOB2).entities for e in e}
    lenient = {(i, s, e, label) for i, seq in enumerate(sequences) for label, s, e in get_entities(seq)}
    assert strict == lenient and len(strict) == 9
    found = {(label, " ".join(t for t, _ in s[a : b + 1])) for doc in docs for s in doc
             for label, a, b in get_entities([tag for _, tag in s])}
    assert found == {("ORG", "Sony"), ("MISC", "5 %"), ("ORG", "Reuters"), ("ORG", "New York Times"),
                     ("MISC", "- DOCSTART -"), ("ORG", "AT & T"), ("PER", "O ' Neil"), ("LOC", "東京")}


def test_export_read_by_spacy_convert(tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    store = round_trip_store(tmp_path / "a.db")
    out = tmp_path / "o.conll"
    export_to(store, "conll", out)
    outdir = tmp_path / "converted"
    outdir.mkdir()
    result = subprocess.run([sys.executable, "-m", "spacy", "convert", str(out), str(outdir), "-c", "conll"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    docs = list(DocBin().from_disk(outdir / "o.spacy").get_docs(spacy.blank("xx").vocab))
    assert len(docs) == 3  # spaCy split the documents at our -DOCSTART- lines
    assert all(t.text != "-DOCSTART-" for doc in docs for t in doc)
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs] == [
        [("Sony", "ORG"), ("5 %", "MISC"), ("Reuters", "ORG"), ("New York Times", "ORG")],
        [("- DOCSTART -", "MISC"), ("AT & T", "ORG"), ("O ' Neil", "PER"), ("東京", "LOC")],
        [("Reuters", "ORG")],
    ]
    assert sum(1 for t in docs[0] if t.is_sent_start) == 3
    assert {t.tag_ for doc in docs for t in doc} == {"-X-"}  # our POS placeholder


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_lines_are_read_in_chunks_exactly(tmp_path, chunk):
    from annotator.importers.conll import text_lines

    text = "\ufeffÜnï\tB-ORG\r\n😀 O\n\n-DOCSTART- O\n" + "x" * 20 + " O\nlast O"
    path = tmp_path / "x.conll"
    path.write_bytes(text.encode("utf-8"))
    assert list(text_lines(path, chunk=chunk)) == list(enumerate(text.removeprefix("\ufeff").split("\n"), start=1))
    with pytest.raises(Exception, match="line 5: longer than the limit of 16 bytes"):
        list(text_lines(path, max_line=16, chunk=chunk))


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "x.conll"
    path.write_bytes(b"Sony B-ORG\n\nsaid O\ncaf\xe9 O\n")
    assert_refused(run(tmp_path / "a.db", "import", str(path)), f"{path} line 4: not UTF-8 (byte 0xe9 at column 4)")


def test_a_folder_of_conll_files_is_read_without_format(tmp_path, schema_file):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("conll2003_iob1.conll", "wnut17_iob2.conll", "ner_bioes.bmes"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    (folder / "binary.iob").write_bytes(b"\x00\x01 O\n")
    db = tmp_path / "a.db"
    assert_refused(run(db, "import", str(folder), "--schema", str(schema_file)), "binary.iob looks binary")
    (folder / "binary.iob").unlink()
    result = run(db, "import", str(folder), "--schema", str(schema_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("5 documents added, 0 already present, 24 spans added")
