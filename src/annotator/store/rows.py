"""Rows to models and back, column by column.

Rows are never splatted into strict models (``Span(**row)``): a migration that adds a column
would then break every read. Reads build models with ``model_construct`` (the database holds
only rows that were validated on the way in), which also keeps loading 50,000 spans cheap.
pydantic is imported on first use, so commands that show counts never load it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Document, Relation, Span

SPAN_COLUMNS = ("id", "document_id", "start", "end", "label", "annotator", "note", "created", "updated")
RELATION_COLUMNS = ("id", "document_id", "head", "child", "label", "annotator", "created")


def span_from_row(row: dict[str, Any]) -> Span:
    from ..models import Span

    values = {c: row[c] for c in SPAN_COLUMNS}
    values["note"] = values["note"] or ""
    return Span.model_construct(**values)


def relation_from_row(row: dict[str, Any]) -> Relation:
    from ..models import Relation

    return Relation.model_construct(**{c: row[c] for c in RELATION_COLUMNS})


def document_from_row(row: dict[str, Any]) -> Document:
    from ..models import Document

    return Document.model_construct(id=row["id"], name=row["name"], text=row["text"], meta=json.loads(row["meta"] or "{}"))


def span_row(span: Span) -> dict[str, Any]:
    return {c: getattr(span, c) for c in SPAN_COLUMNS}


def relation_row(relation: Relation) -> dict[str, Any]:
    return {c: getattr(relation, c) for c in RELATION_COLUMNS}
