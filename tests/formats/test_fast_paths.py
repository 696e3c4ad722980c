"""The exporters' fast paths write exactly what the plain code they replace writes.

jsonl writes each line piece by piece (the tokens without a dict each); the reference is
``json.dumps`` of :func:`annotator.exporters.jsonl.task`, and the tokens are checked against the
rule spaCy keeps whitespace by, written plainly here.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.exporters import ExportRecord
from annotator.exporters import jsonl
from annotator.models import Document, Relation, Span, Status
from annotator.text.tokens import tokenize

PIECES = [*"ab Z9 \n\t\r.,'’-&%$€#@+()\"\\/:;!?“”", "  ", " \n", "\n ", "\n\n", "\u00a0", "\u2028", "\x01", "\x1b",
          "e\u0301", "👩🏽\u200d💻", "\U0001f1eb\U0001f1f7", "東京", "שלום"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def plain_prodigy_tokens(text: str) -> list[dict]:
    """After a token, one space is its ws; the rest of a run of whitespace (a run not starting with a
    space, or at the start of the text) is a token of its own."""
    out: list[dict] = []
    pos = 0

    def whitespace(start: int, end: int) -> None:
        if out and text[start] == " ":
            out[-1]["ws"] = True
            start += 1
        if start < end:
            out.append({"text": text[start:end], "start": start, "end": end, "id": len(out), "ws": False})

    for token in tokenize(text):
        if token.start > pos:
            whitespace(pos, token.start)
        out.append({"text": token.text, "start": token.start, "end": token.end, "id": len(out), "ws": False})
        pos = token.end
    if pos < len(text):
        whitespace(pos, len(text))
    return out


@given(texts, st.data())
@settings(max_examples=300)
def test_a_jsonl_line_is_json_dumps_of_its_task(text, data):
    doc = Document(id="d1", name='n"\x1b', text=text, meta={"k": [1, "\u2028"], "tokens": [], "x": None})
    spans = []
    for i in range(data.draw(st.integers(0, 3)) if text else 0):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append(Span(id=f"s{i}", document_id="d1", start=start, end=end, label="CLAIM", annotator="a", note="ñ"))
    relations = [Relation(id="r1", document_id="d1", head=spans[0].id, child=spans[-1].id, label="REL",
                          annotator="a")] if spans else []
    status = data.draw(st.sampled_from([None, Status.done, Status.skipped, Status.rejected]))
    record = ExportRecord(doc, "a", spans, relations, status=status)
    task = jsonl.task(record)
    assert jsonl.line(record) == json.dumps(task, ensure_ascii=False) + "\n"
    assert task["_input_hash"] == jsonl.stable_hash(text)
    assert task["_task_hash"] == jsonl.stable_hash(
        text, [[s["start"], s["end"], s["label"]] for s in task["spans"]],
        [[r["head_span"]["start"], r["child_span"]["start"], r["label"]] for r in task["relations"]],
    )
    tokens = json.loads(jsonl.line(record))["tokens"]
    assert tokens == plain_prodigy_tokens(text) == jsonl.prodigy_tokens(text)
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text


def test_a_long_document_uses_plain_numbers():
    text = "word " * 8000  # offsets past the table of number strings
    record = ExportRecord(Document(id="d", name="n", text=text), "a", [], [])
    assert jsonl.line(record) == json.dumps(jsonl.task(record), ensure_ascii=False) + "\n"
