"""The span-editing model both screens use, without any UI.

* :class:`Caret` is the cursor, the mark and the selection over one text: the document view
  draws it and moves it, and every selection it reports has gone through the one snapping
  function (:func:`annotator.text.snap`).
* :class:`SpanEditor` decides what a key does with the spans: which span is *the selected
  span*, what a label key will do (relabel it, tag the selection or the word under the
  cursor, or nothing because that span exists already), what a boundary key does, and where
  the cursor rests after each of them. The screens only carry out its :class:`Plan` through
  the store and say, before a key is pressed, what it will do (:meth:`Plan.describe`).

The rules (the README states the same):

1. The *selected span* is, with a selection, my span whose range is exactly the selection;
   without one, my innermost span under the cursor.
2. A label key on the selected span changes that span's label. Otherwise it tags the
   selection, or the word under the cursor. To tag something inside a span of mine, select
   it first (``v``): a selection that is not exactly a span is tagged.
3. A label key that would store a span I already have (same range and label) stores nothing
   and says "already tagged".
4. After a tag, the cursor rests on the first word after the new span; after a boundary
   edit, on the edited edge, with the span still selected; after a relabel, where it was.
"""

from __future__ import annotations

from .caret import Caret
from .editor import Plan, SpanEditor, SpanLike, SpanSource

__all__ = ["Caret", "Plan", "SpanEditor", "SpanLike", "SpanSource"]
