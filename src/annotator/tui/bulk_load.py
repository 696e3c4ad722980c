"""Loading a document's spans without paying Python's cyclic garbage collector for them.

Opening a document with 50,000 spans makes a few hundred thousand long-lived objects (the
store's span models, the view's highlights, the list's keys) and no reference cycles among
them. With the collector on, those allocations trigger a young-generation pass over every new
object, then a middle-generation pass, then a full collection over every object of the app:
measured on a 1 MB document with 50,000 spans, 0.45 s of collector time in a 1 s first paint.
Turning the collector off during the load only postpones those passes to the first paint.

:func:`bulk_load` therefore pauses the collector while a document loads and, when the load
made many objects (:data:`FREEZE_AFTER`), then *freezes* what is alive (:func:`gc.freeze`:
moved to a permanent generation the collector skips). The next load first unfreezes, so
anything frozen that has become cyclic garbage since (an old screen, a finished task) goes
back to the oldest generation and is collected as usual: memory is only ever kept until the
next document opens or the screen closes (:func:`release`). Reference counting frees acyclic
objects (the previous document's spans) at once either way. A small document (the usual case)
makes too few objects to matter, and the collector is left as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Freeze after a load that left at least this many new objects for the collector to track
#: (a span is about three: its model, the model's dict, its set of fields).
FREEZE_AFTER = 30_000

_frozen = False


@contextmanager
def bulk_load() -> Iterator[None]:
    """Pause the collector for the block, then freeze what is alive if the block made many objects."""
    global _frozen
    was_enabled = gc.isenabled()
    release()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] >= FREEZE_AFTER:
            gc.freeze()
            _frozen = True
        if was_enabled:
            gc.enable()


def release() -> None:
    """Hand everything frozen by :func:`bulk_load` back to the collector (when the screen closes)."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False
