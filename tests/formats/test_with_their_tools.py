"""The exports read by the tools they are for: spaCy (DocBin, spacy convert) and seqeval."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from annotator.exporters import Selection
from annotator.models import Document, Span
from annotator.text import tokenize
from annotator.store import ImportRecord, Store

from .conftest import export_to

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402


def test_spacy_docbin_loads_and_every_span_is_what_was_annotated(project, tmp_path):
    out = tmp_path / "train.spacy"
    export_to(project.store, "spacy", out)
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 4
    expected = {
        (s.document_id, s.annotator, s.start, s.end, s.label)
        for d in (project.news, project.emoji) for s in project.store.spans_for(d.id)
    }
    found = set()
    texts = {d.id: d.text for d in (project.news, project.emoji, project.quiet)}
    for doc in docs:
        meta = doc.user_data
        assert doc.text == texts[meta["document_id"]]
        for span in doc.spans["sc"]:
            assert span.text == doc.text[span.start_char : span.end_char]
            found.add((meta["document_id"], meta["annotator"], span.start_char, span.end_char, span.label_))
    assert found == expected
    news = docs[0]
    assert news.user_data["name"] == "news.txt" and news.user_data["meta"] == {"source": "wire"}
    head, child, label = news.user_data["relations"][0]
    assert (news.spans["sc"][head].label_, news.spans["sc"][child].label_, label) == ("CLAIM", "SOURCE", "ATTRIBUTED_TO")
    assert news.user_data["notes"][1] == '=HYPERLINK("x")'


def test_spacy_spans_key_and_ents(project, tmp_path):
    out = tmp_path / "train.spacy"
    export_to(project.store, "spacy", out, spans_key="news", ents=["ENTITY", "SOURCE"])
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Sony", "ENTITY"), ("Reuters", "SOURCE")]
    assert len(docs[0].spans["news"]) == 4  # overlaps stay in the span group


def test_spacy_refuses_overlapping_ents_listing_them(project, tmp_path):
    from annotator.errors import AnnotatorError

    with pytest.raises(AnnotatorError, match=r"1 spans would overlap in doc.ents: news.txt: CLAIM 0-25 overlaps ENTITY 0-4"):
        export_to(project.store, "spacy", tmp_path / "o.spacy", ents=["CLAIM", "ENTITY"])
    assert not (tmp_path / "o.spacy").exists()


def test_spacy_refuses_spans_off_token_boundaries(tmp_path):
    from annotator.errors import AnnotatorError

    store = Store(tmp_path / "x.db")
    doc = Document.from_text("d", "Sony's revenue rose.")
    store.import_records([ImportRecord(doc, [Span(document_id=doc.id, start=1, end=4, label="ENTITY", annotator="a")])], "t")
    with pytest.raises(AnnotatorError, match=r"1 spans do not start and end on spaCy token boundaries.*d by a: ENTITY 1-4 'ony'"):
        export_to(store, "spacy", tmp_path / "o.spacy")


def conll_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "c.db")
    text = "Sony said revenue rose 5%. Reuters reported it.\n\nNew York Times agreed 👩🏽\u200d💻 today!"
    doc = Document.from_text("d", text)
    pieces = [("Sony", "ENTITY"), ("5%", "FIGURE"), ("Reuters", "SOURCE"), ("New York Times", "SOURCE"),
              ("revenue rose 5%. Reuters", "CLAIM")]
    spans = [Span(document_id=doc.id, start=text.index(t), end=text.index(t) + len(t), label=l, annotator="a")
             for t, l in pieces]
    store.import_records([ImportRecord(doc, spans), ImportRecord(Document.from_text("e", "Plain text here."))], "t")
    return store


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """Documents of (token, tag), as the file gives them."""
    docs: list[list[tuple[str, str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif line:
            token, pos, chunk, tag = line.split(" ")  # CoNLL-2003's four columns
            docs[-1].append((token, tag))
    return docs


def test_conll_tags_read_back_by_seqeval_into_the_same_entities(tmp_path):
    store = conll_store(tmp_path)
    out = tmp_path / "o.conll"
    export_to(store, "conll", out, selection=Selection(labels=["ENTITY", "FIGURE", "SOURCE"]))
    docs = read_conll(out)
    assert len(docs) == 2
    (doc,) = [d for d in store.documents() if d.name == "d"]
    tokens = tokenize(doc.text)
    assert [t for t, _ in docs[0]] == [t.text for t in tokens]
    entities = {(label, doc.text[tokens[s].start : tokens[e].end]) for label, s, e in get_entities([t for _, t in docs[0]])}
    assert entities == {("ENTITY", "Sony"), ("FIGURE", "5%"), ("SOURCE", "Reuters"), ("SOURCE", "New York Times")}
    assert all(tag.startswith(("B-", "I-", "O")) for d in docs for _, tag in d)


def test_conll_is_accepted_by_spacy_convert(tmp_path):
    from spacy.cli.convert import convert

    store = conll_store(tmp_path)
    out = tmp_path / "o.conll"
    export_to(store, "conll", out, selection=Selection(labels=["ENTITY", "FIGURE", "SOURCE"]))
    outdir = tmp_path / "converted"
    outdir.mkdir()
    convert(out, outdir, converter="conll", file_type="spacy", n_sents=0)
    docs = list(DocBin().from_disk(outdir / "o.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2
    assert {(e.text, e.label_) for e in docs[0].ents} == {
        ("Sony", "ENTITY"), ("5 %", "FIGURE"), ("Reuters", "SOURCE"), ("New York Times", "SOURCE")
    }
    assert sum(1 for t in docs[0] if t.is_sent_start) == 3


def test_conll_python_m_spacy_convert_accepts_the_file(tmp_path):
    import subprocess

    store = conll_store(tmp_path)
    out = tmp_path / "o.conll"
    export_to(store, "conll", out, selection=Selection(labels=["SOURCE"]))
    result = subprocess.run([sys.executable, "-m", "spacy", "convert", str(out), str(tmp_path), "-c", "conll"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert (tmp_path / "o.spacy").exists()


def test_conll_overlaps_refused_or_resolved_and_reported(tmp_path):
    from annotator.errors import AnnotatorError

    store = conll_store(tmp_path)
    out = tmp_path / "o.conll"
    with pytest.raises(AnnotatorError, match=r"2 overlapping spans: .*CLAIM 10-34 .* overlaps FIGURE 23-25.*--overlap outer"):
        export_to(store, "conll", out)
    assert not out.exists()
    summary = export_to(store, "conll", out, overlap="outer")
    entities = {label for label, *_ in get_entities([t for _, t in read_conll(out)[0]])}
    assert entities == {"ENTITY", "CLAIM", "SOURCE"}
    assert len(summary.left_out) == 2 and "left out 2 spans (--overlap outer kept the outer ones)" in summary.line("x")
    assert "FIGURE 23-25" in summary.line("x", verbose=True)
    summary = export_to(store, "conll", out, overlap="inner")
    assert [x.split(": ")[1].split(" ")[0] for x in summary.left_out] == ["CLAIM"]


def test_conll_refuses_spans_off_token_boundaries(tmp_path):
    from annotator.errors import AnnotatorError

    store = Store(tmp_path / "x.db")
    doc = Document.from_text("d", "Sony's revenue rose.")
    store.import_records([ImportRecord(doc, [Span(document_id=doc.id, start=0, end=3, label="ENTITY", annotator="a")])], "t")
    with pytest.raises(AnnotatorError, match=r"1 spans do not start and end on token boundaries: d by a: ENTITY 0-3 'Son'"):
        export_to(store, "conll", tmp_path / "o.conll")


def test_jsonl_loads_as_is_with_hugging_face_datasets(project, tmp_path, monkeypatch):
    """The native export is a dataset: datasets.load_dataset("json") reads it, offsets select the span texts."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets  # in the test extra
    out = tmp_path / "out.jsonl"
    export_to(project.store, "jsonl", out)
    rows = datasets.load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache"))
    assert rows.num_rows == len(out.read_text(encoding="utf-8").splitlines())
    spans = 0
    for row in rows:
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
            spans += 1
    assert spans == 8
    assert any(row["relations"] for row in rows)
