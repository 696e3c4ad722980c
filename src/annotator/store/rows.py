"""Rows to models and back, column by column.

Rows are never splatted into strict models (``Span(**row)``): a migration that adds a column
would then break every read. Reads build models without validation (the database holds only
rows that were validated on the way in): what ``model_construct`` makes, made directly
(:func:`_trusted`, 6x cheaper: an export reads every span), which keeps loading 50,000 spans cheap.
pydantic is imported on first use, so commands that show counts never load it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..models import Document, LabelSchema, Relation, Span

SPAN_COLUMNS = ("id", "document_id", "start", "end", "label", "annotator", "note", "created", "updated")
RELATION_COLUMNS = ("id", "document_id", "head", "child", "label", "annotator", "created")
DOCUMENT_COLUMNS = ("id", "name", "text", "meta")

#: The span columns as a SELECT list, in :data:`SPAN_COLUMNS` order (for :func:`span_from_values`).
SPAN_SELECT = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
RELATION_SELECT = ", ".join(f'"{c}"' for c in RELATION_COLUMNS)


@functools.cache
def _trusted(model: type, columns: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    """Builds ``model`` from a dict of ``columns`` (in that order).

    When ``columns`` are the model's fields in the order it declares them, the instance is the
    one ``model.model_construct(**values)`` makes (same ``__dict__``, fields set, no extra, no
    private attributes), made without its per-field default and alias lookups; otherwise (a field
    without a column, an alias, a post-init hook) ``model_construct`` makes it (tests/store checks
    both ways give the same models).
    """
    fields = model.__pydantic_fields__
    plain = (
        tuple(fields) == columns and not model.__pydantic_post_init__ and not model.__pydantic_root_model__
        and model.model_config.get("extra") != "allow"
        and all(f.alias is None and f.validation_alias is None for f in fields.values())
    )
    if not plain:
        return lambda values: model.model_construct(**values)
    names = frozenset(fields)
    new, set_attribute = object.__new__, object.__setattr__

    def build(values: dict[str, Any]) -> Any:
        instance = new(model)
        set_attribute(instance, "__dict__", values)
        set_attribute(instance, "__pydantic_fields_set__", set(names))
        set_attribute(instance, "__pydantic_extra__", None)
        set_attribute(instance, "__pydantic_private__", None)
        return instance

    return build


class StoredSpan(NamedTuple):
    """A span as a row: :class:`~annotator.models.Span`'s fields in its order (``note`` is ``""`` when
    none), as a tuple. What an export reads (made by C loops straight from the query's tuples:
    :func:`stored_spans`, no model a span; an export only formats spans), and what the JSONL import
    makes of a span whose values it has checked to be the ones ``Span`` validates unchanged. Read only.
    """

    id: str
    document_id: str
    start: int
    end: int
    label: str
    annotator: str
    note: str
    created: str
    updated: str

    def check(self, text: str, schema: LabelSchema | None = None, expected_text: str | None = None) -> None:
        """:meth:`annotator.models.Span.check` (raises ValueError saying what is wrong)."""
        from ..models import Span

        Span.model_construct(**self._asdict()).check(text, schema, expected_text)


assert StoredSpan._fields == SPAN_COLUMNS

#: The span columns as :class:`StoredSpan` takes them (a missing note as "").
STORED_SPAN_SELECT = SPAN_SELECT.replace('"note"', 'coalesce("note", \'\') AS "note"')
#: ``StoredSpan(*values)`` (a tuple of the nine values), made in C.
stored_span = functools.partial(tuple.__new__, StoredSpan)


def stored_spans(rows: Iterable[tuple[Any, ...]]) -> Iterator[StoredSpan]:
    """:class:`StoredSpan` s of rows selected as :data:`STORED_SPAN_SELECT`."""
    return map(stored_span, rows)


def span_from_values(values: tuple[Any, ...] | list[Any]) -> Span:
    """A span from a row selected as :data:`SPAN_SELECT`."""
    row = dict(zip(SPAN_COLUMNS, values))
    if row["note"] is None:
        row["note"] = ""
    return _build_span(row)


def relation_from_values(values: tuple[Any, ...] | list[Any]) -> Relation:
    """A relation from a row selected as :data:`RELATION_SELECT`."""
    return _build_relation(dict(zip(RELATION_COLUMNS, values)))


def span_from_row(row: dict[str, Any]) -> Span:
    return span_from_values([row[c] for c in SPAN_COLUMNS])


def relation_from_row(row: dict[str, Any]) -> Relation:
    return relation_from_values([row[c] for c in RELATION_COLUMNS])


def document_from_row(row: dict[str, Any]) -> Document:
    meta = row["meta"]
    return _build_document({"id": row["id"], "name": row["name"], "text": row["text"],
                            "meta": json.loads(meta) if meta else {}})


# The builders, made on first use (the models module, and so pydantic, is imported then) and
# then called directly: a function-level import costs more than building the model.


def _build_span(row: dict[str, Any]) -> Span:
    global _build_span
    from ..models import Span

    _build_span = _trusted(Span, SPAN_COLUMNS)
    return _build_span(row)


def _build_relation(row: dict[str, Any]) -> Relation:
    global _build_relation
    from ..models import Relation

    _build_relation = _trusted(Relation, RELATION_COLUMNS)
    return _build_relation(row)


def _build_document(row: dict[str, Any]) -> Document:
    global _build_document
    from ..models import Document

    _build_document = _trusted(Document, DOCUMENT_COLUMNS)
    return _build_document(row)


_span_values = attrgetter(*SPAN_COLUMNS)


def span_row(span: Span | StoredSpan) -> dict[str, Any]:
    if type(span) is StoredSpan:  # the values already, in column order
        return dict(zip(SPAN_COLUMNS, span))
    return dict(zip(SPAN_COLUMNS, _span_values(span)))


def relation_row(relation: Relation) -> dict[str, Any]:
    return {c: getattr(relation, c) for c in RELATION_COLUMNS}
