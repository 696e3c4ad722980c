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


# -- Textual internals ---------------------------------------------------------------------------
#
# * ``DOMNode._bindings``: a node's BindingsMap. Textual builds it from the class's BINDINGS; keys
#   that depend on the instance (a schema's label keys) can only be added to it directly.
# * ``ScrollView._scroll_update``: updates the scrollbars for a new virtual size without laying
#   the screen out again (setting ``virtual_size`` re-lays out the whole screen, tens of ms).
# * ``Screen._binding_chain``: the bindings a key press is matched against, keymap applied.

from collections.abc import Iterable  # noqa: E402  (the Textual part of this module)

from textual.binding import Binding, BindingsMap  # noqa: E402
from textual.dom import DOMNode  # noqa: E402
from textual.geometry import Size  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.scroll_view import ScrollView  # noqa: E402


def add_bindings(node: DOMNode, bindings: Iterable[Binding], *, first: bool = False) -> None:
    """Bind more keys on one node after it was created; ``first`` puts them before the class's
    own (the footer lists bindings in this order)."""
    added = BindingsMap(bindings)
    merged = BindingsMap.merge([added, node._bindings] if first else [node._bindings, added])
    node._bindings = merged


def set_virtual_size_in_place(view: ScrollView, size: Size) -> None:
    """Give a scroll view a new virtual size, updating only its scrollbars (no re-layout): right
    for a view whose vertical scrollbar is always shown, so only the scrollbar's extent changes."""
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)


def binding_chain(screen: Screen) -> list[tuple[DOMNode, Binding]]:
    """Every binding a key press on ``screen`` is matched against, in Textual's order (the focused
    widget, its ancestors, the app), the app's keymap applied, enabled or not (``active_bindings``
    leaves out the disabled ones). What the test that a key means the same on both screens reads."""
    return [(node, binding) for node, bindings in screen._binding_chain for _key, binding in bindings]
