"""The one module allowed to use private Textual and Rich internals.

The document view measures cells exactly as Rich does, and a few things it needs
are not public API. Every use of such an internal lives here, behind a small
public name, so an upgrade of Rich or Textual breaks (and is fixed) in one
place. ``rich`` is pinned to a tested range in ``pyproject.toml`` for this
reason; Textual is pinned exactly. Private Textual internals (bindings, scroll
updates) belong here too.

Rich internals used:

* ``rich._unicode_data.load(...).narrow_to_wide``: the characters a VS16
  (U+FE0F) widens from one cell to two;
* ``rich.cells._is_single_cell_widths``: Rich's fast test that every character
  of a string takes one cell.
"""

from __future__ import annotations

from rich._unicode_data import load as _load_cell_table
from rich.cells import _is_single_cell_widths

#: Characters that a following VS16 (U+FE0F) widens from one cell to two, as Rich measures them.
NARROW_TO_WIDE = _load_cell_table("auto").narrow_to_wide


#: ``is_single_cell_widths(text)``: every character of ``text`` takes exactly one cell (Rich's fast check).
#: Bound directly, not wrapped: the view calls it for every line it wraps.
is_single_cell_widths = _is_single_cell_widths
