"""Checks every importer shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..errors import AnnotatorError
from ..models import Span, describe_validation_error

if TYPE_CHECKING:
    from ..models import LabelSchema


def checked_span(where: str, text: str, schema: LabelSchema, **fields: object) -> Span:
    """A span built from a file's ``fields`` and checked against its document's ``text`` and the
    schema; anything wrong is one AnnotatorError starting with ``where`` (file and line)."""
    try:
        span = Span(**fields)
        span.check(text, schema)
    except ValidationError as exc:
        raise AnnotatorError(f"{where}: {describe_validation_error(exc)}") from None
    except ValueError as exc:
        raise AnnotatorError(f"{where}: {exc}") from None
    return span
