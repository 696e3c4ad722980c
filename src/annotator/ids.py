"""Ids and times, without pydantic (the store and fast commands use them before any model is needed)."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """The current time as an ISO-8601 UTC string, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A random id, unique across machines (so databases can be merged)."""
    import secrets  # here, not at the top: it loads random, which read-only commands never need

    return secrets.token_hex(8)


def document_id_for(text: str) -> str:
    """A stable id from the text alone: the same text is the same document."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
