"""Loading a document's spans without paying Python's cyclic garbage collector for them.

Opening a document with 50,000 spans makes a few hundred thousand long-lived objects (the
store's span models, the screen's dict of them, the span list's keys) and no reference cycles
among them. With the collector on, those allocations trigger a young-generation pass over every
new object, then a middle-generation pass, then a full collection over every object of the app:
measured on a 1 MB document with 50,000 spans, 0.45 s of collector time in a 1 s first paint.
Turning the collector off during the load only postpones those passes to the first paint.

:func:`bulk_load` therefore pauses the collector while a document loads and then *freezes*
what is alive (:func:`gc.freeze`: moved to a permanent generation the collector skips) after
the screen's first load and after any load that made many objects (:data:`FREEZE_AFTER`):

* the first freeze takes the app's own long-lived objects (Textual, Rich, the models, the
  widgets) out of every later full collection: measured, pressing ``n`` costs about 15% less
  CPU;
* a big load's spans are never walked by the collector; when another document opens they are
  freed at once by reference counting (a span model holds no cycle).

Objects frozen and later dropped in a reference cycle (a notification shown while a document
opened, say) wait for :func:`release`, when the screen closes. Freezes happen only on those
two occasions, so that is a few objects a big document, not a leak that grows with ``n``.
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
    """Pause the collector for the block; then freeze what is alive if this was the first load
    since :func:`release` or the block made many objects (see the module docstring)."""
    global _frozen
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _frozen or gc.get_count()[0] >= FREEZE_AFTER:
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
