"""Actions in plain words, for the one line a screen shows after an undo or a redo.

``tag FIGURE 'Ebrahim'``, ``relabel ENTITY to FIGURE 'Ebrahim'`` (undone: ``relabel FIGURE back
to ENTITY 'Ebrahim'``), ``move the end of CLAIM '...'``, ``delete ENTITY 'Raisi'``, ``link CLAIM ->
SOURCE``, ``note on CLAIM '...'``, ``mark done``. Built from the rows an action changed (the log's
before and after), not from the words stored with it, so the log's own text stays as it was
written. Everything from a file or a user (labels, the covered text) goes through
:func:`annotator.text.display.inline_text` / ``excerpt``: the result is display-safe.
"""

from __future__ import annotations

from typing import Any

from ..text.display import excerpt, inline_text
from .connection import Database

#: Longest excerpt of covered text in a description.
EXCERPT = 30


class Texts:
    """Document texts, each read once while one description is built."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._texts: dict[str, str | None] = {}

    def piece(self, document_id: str, start: int, end: int) -> str | None:
        if document_id not in self._texts:
            self._texts[document_id] = self.db.scalar("SELECT text FROM documents WHERE id = ?", [document_id])
        text = self._texts[document_id]
        return None if text is None else text[start:end]


def span_words(texts: Texts, row: dict[str, Any]) -> str:
    """``FIGURE 'Ebrahim'``: a span by its label and (an excerpt of) the text it covers."""
    label = inline_text(str(row.get("label", "")))
    piece = texts.piece(row.get("document_id", ""), row.get("start", 0), row.get("end", 0))
    return f"{label} '{excerpt(piece, EXCERPT)}'" if piece else label


def relation_ends(db: Database, row: dict[str, Any], spans: dict[str, dict[str, Any]] | None = None) -> str:
    """``CLAIM -> SOURCE``: a relation by the labels of the spans it links (``spans``: rows by id
    known besides the database's, e.g. deleted by the same action)."""
    labels = []
    for end in ("head", "child"):
        span = (spans or {}).get(row.get(end, "")) or db.one("SELECT label FROM spans WHERE id = ?", [row.get(end)])
        labels.append(inline_text(str(span["label"])) if span else "?")
    if labels == ["?", "?"]:
        return inline_text(str(row.get("label", "")))
    return " -> ".join(labels)


def _span_change(texts: Texts, before: dict[str, Any], after: dict[str, Any], undone: bool) -> str:
    """What an update of a span did (``undone``: worded as what its undo does)."""
    parts = []
    if before["label"] != after["label"]:
        old, new = inline_text(str(before["label"])), inline_text(str(after["label"]))
        parts.append(f"relabel {new} back to {old}" if undone else f"relabel {old} to {new}")
    moved = [edge for edge in ("start", "end") if before[edge] != after[edge]]
    if moved:
        label = inline_text(str(after["label"]))
        parts.append(f"move the {moved[0]} of {label}" if len(moved) == 1 else f"move {label}")
    if (before.get("note") or "") != (after.get("note") or ""):
        parts.append(f"note on {inline_text(str(after['label']))}")
    if not parts:
        return f"change {span_words(texts, after)}"
    # the span named once, at the end, by the text it covers after the change
    piece = texts.piece(after["document_id"], after["start"], after["end"])
    return " and ".join(parts) + (f" '{excerpt(piece, EXCERPT)}'" if piece else "")


def describe(db: Database, changes: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, str]],
             undone: bool = False) -> str:
    """One action's changes ``(table, before, after, what)``, oldest first, in plain words.

    ``undone``: the words of its undo (a relabel reads "back to"). The status a tag sets on the
    way (to do -> in progress) and the links a delete takes with it are part of the action, not
    named on their own: ``delete CLAIM '...' and its 2 links``.
    """
    texts = Texts(db)
    deleted_spans = {b["id"]: b for t, b, a, _ in changes if t == "spans" and b is not None and a is None}
    parts: list[str] = []
    statuses: list[str] = []
    links_gone = 0
    for table, before, after, what in changes:
        if table == "spans":
            if before is None and after is not None:
                parts.append(f"tag {span_words(texts, after)}")
            elif after is None and before is not None:
                parts.append(f"delete {span_words(texts, before)}")
            elif before is not None and after is not None:
                parts.append(_span_change(texts, before, after, undone))
        elif table == "relations":
            row = after if after is not None else before
            assert row is not None
            if after is None and (row["head"] in deleted_spans or row["child"] in deleted_spans):
                links_gone += 1
                continue
            verb = "link" if before is None else "unlink" if after is None else "change the link"
            parts.append(f"{verb} {relation_ends(db, row, deleted_spans)}")
        elif table == "statuses" and after is not None:
            statuses.append(f"mark {inline_text(str(after['status']))}")
        elif table == "statuses":
            statuses.append("clear the status")
        else:
            parts.append(inline_text(what))
    if links_gone:  # the links a delete took with it (its events come first, the span's last)
        tail = f"{links_gone} link{'s' if links_gone != 1 else ''}"
        if parts:
            parts[-1] += f" and its {tail}"
        else:
            parts.append(f"unlink {tail}")
    return "; ".join(parts or statuses) or "nothing"
