"""Every key of the annotation and review screens, in one table: the one place a key is defined.

Each :class:`Key` has a stable id (what a keymap file names), its default keys, and for each place
it acts (the document view both screens share, the annotation screen, the review screen, the app)
the action it runs there and what it says there. The screens take their ``BINDINGS`` from here;
the footer (Textual's, from those bindings), the help screen, the command palette and the review
screen's keys line are all generated from here, with the user's keymap applied.

A key that acts on both screens has ONE id, so it means the same on both and a keymap moves it on
both at once. The shared meanings (a new key follows them):

=================  ====================================  =====================================
key (id)           annotation screen                     review screen
=================  ====================================  =====================================
x, delete          delete my selected span               reject the candidate under the cursor
(span.remove)
tab / shift+tab, - select the span here, then the next / the next / previous open disagreement
(span.next ...)    previous span
'  (span.cycle)    the next of my spans under the cursor the next candidate under the cursor
, .                move the start edge right / the end   the same, on the candidate (then a
(span.start_right  edge left: the span shrinks           accepts the edit)
 span.end_left)
[ ]  (< >)         move the start edge left / the end    the same, on the candidate
(span.start_left   edge right: the span grows
 span.end_right)
enter              link the marked span to this one      accept the focused link
(link.confirm)
R ^x (link.remove) delete the span's newest relation     reject the focused link
a label key        relabel the selected span, else tag   accept as that label
                   the selection or the word here
n p u ctrl+r ? q   next / previous document, undo, redo, help (also f1), quit (the same on both)
=================  ====================================  =====================================

Every shifted key has an unshifted one: ``9`` ``0`` for ``(`` ``)``, ``ctrl+up`` ``ctrl+down`` for
``{`` ``}``, ``[`` ``]`` for ``<`` ``>``, ``-`` for shift+tab, ``f1`` for ``?``, ``ctrl+t`` for ``N``,
``ctrl+x`` for ``R``, ``=`` for ``A``, ``ctrl+end`` for ``G``, ``ctrl+b`` for shift+F3.

Keys only one screen has: ``r`` link, ``m`` note, ``z`` snap, ``d`` done, ``N`` next not done,
``\\`` next claim or figure without a source, ``ctrl+l`` the span list,
``ctrl+e`` everyone's spans, ``/`` search (annotation); ``a`` accept, ``A`` ``=`` accept every agreed
candidate, ``;`` next link (review). In mark mode (``v``) the digits 2-8 repeat the next move; ``ctrl+s`` selects the sentence here (both).

Every single-character default key is in :data:`annotator.models.RESERVED_KEYS`, so no label key
of a valid schema takes it (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_ALIASES, format_key

from ..models import LabelSchema

#: The screens (and the places a key can act in them).
ANNOTATE = "annotate"
REVIEW = "review"
SCREENS = (ANNOTATE, REVIEW)
VIEW = "view"
APP = "app"

#: Help screen headings, in order.
SECTIONS = ("Move", "Select", "Tag and edit", "Decide", "Relations", "Documents", "Search", "Other")


@dataclass(frozen=True)
class Use:
    """What a key does in one place: the action, a short description (footer, keys line) and a
    longer one (help screen, command palette)."""

    action: str
    description: str
    tooltip: str = ""
    section: str = "Other"
    show: bool = False  # shown in the annotation screen's footer

    @property
    def long(self) -> str:
        return self.tooltip or self.description


@dataclass(frozen=True)
class Key:
    """One meaning: its id, its default keys (Textual key names, comma-separated) and where it acts."""

    id: str
    keys: str
    view: Use | None = None
    annotate: Use | None = None
    review: Use | None = None
    app: Use | None = None

    def use(self, place: str) -> Use | None:
        return getattr(self, place)


def _move(id_: str, keys: str, action: str, text: str) -> Key:
    return Key(id_, keys, view=Use(action, text, section="Move"))


def _select(id_: str, keys: str, action: str, text: str) -> Key:
    return Key(id_, keys, view=Use(action, text, section="Select"))


#: Ids of the mark-mode count keys (select.count.2 ... select.count.8): the digits, shared on purpose
#: with the number label keys (the view enables a count only in mark mode).
COUNT_PREFIX = "select.count."

#: The document view's keys: the same on both screens (the view is the same widget).
VIEW_KEYS: tuple[Key, ...] = (
    _move("cursor.left", "left,h", "cursor_left", "Left one character"),
    _move("cursor.right", "right,l", "cursor_right", "Right one character"),
    _move("cursor.up", "up,k", "cursor_up", "Up one line"),
    _move("cursor.down", "down,j", "cursor_down", "Down one line"),
    _move("cursor.word_right", "w,ctrl+right", "word_right", "Next word"),
    _move("cursor.word_left", "b,ctrl+left", "word_left", "Previous word"),
    # Every shifted key has an unshifted one: ( ) are shift+9 and shift+0, so 9 and 0 move by sentence.
    _move("cursor.sentence_right", "right_parenthesis,0", "sentence_right", "Next sentence"),
    _move("cursor.sentence_left", "left_parenthesis,9", "sentence_left", "Start of sentence / previous sentence"),
    _move("cursor.paragraph_right", "right_curly_bracket,ctrl+down", "paragraph_right", "Next paragraph"),
    _move("cursor.paragraph_left", "left_curly_bracket,ctrl+up", "paragraph_left",
          "Start of paragraph / previous paragraph"),
    _move("cursor.line_start", "home", "line_start", "Start of line"),
    _move("cursor.line_end", "end", "line_end", "End of line"),
    _move("cursor.page_up", "pageup", "page_up", "Page up"),
    _move("cursor.page_down", "pagedown", "page_down", "Page down"),
    _move("cursor.document_start", "g,ctrl+home", "document_start", "Start of document"),
    _move("cursor.document_end", "G,ctrl+end", "document_end", "End of document"),
    _select("select.left", "shift+left", "select_left", "Select left"),
    _select("select.right", "shift+right", "select_right", "Select right"),
    _select("select.up", "shift+up", "select_up", "Select up"),
    _select("select.down", "shift+down", "select_down", "Select down"),
    _select("select.word_right", "ctrl+shift+right", "select_word_right", "Select to next word"),
    _select("select.word_left", "ctrl+shift+left", "select_word_left", "Select to previous word"),
    _select("select.line_start", "shift+home", "select_line_start", "Select to start of line"),
    _select("select.line_end", "shift+end", "select_line_end", "Select to end of line"),
    _select("select.page_up", "shift+pageup", "select_page_up", "Select a page up"),
    _select("select.page_down", "shift+pagedown", "select_page_down", "Select a page down"),
    Key("select.mark", "v", view=Use(
        "toggle_visual", "Mark", "Mark (visual) mode: movement extends the selection; v again or escape ends it",
        section="Select", show=True)),
    Key("select.sentence", "ctrl+s", view=Use(
        "select_sentence", "Sentence", "Select the sentence under the cursor (then a label key tags it: ctrl+s c "
        "tags a claim)", section="Select")),
    # In mark mode a digit repeats the next move (v 4 w: four words); otherwise digits are label keys.
    *(Key(f"{COUNT_PREFIX}{digit}", str(digit), view=Use(
        f"count({digit})", f"Repeat ×{digit}", f"In mark mode: do the next move {digit} times (v {digit} w)",
        section="Select")) for digit in range(2, 9)),
    # The view's escape clears a selection; with none, escape falls through to the screen's (same id).
    Key("cancel", "escape", view=Use("clear_selection", "Cancel", "Cancel the selection", section="Select",
                                     show=True)),
)

_TAG = "Tag and edit"
_DECIDE = "Decide"

#: The screens' own keys. One id per meaning: a key on both screens has one entry with both uses.
SCREEN_KEYS: tuple[Key, ...] = (
    Key("span.next", "tab",
        annotate=Use("next_span", "Next span", "Select the span at the cursor, then the next one", _TAG, show=True),
        review=Use("next_disagreement", "Next disagreement",
                   "Next open disagreement (a span, or a link: at its head) in this document", _DECIDE)),
    Key("span.previous", "shift+tab,minus",
        annotate=Use("previous_span", "Previous span", "Select the previous span before the cursor", _TAG),
        review=Use("previous_disagreement", "Previous disagreement",
                   "Previous open disagreement in this document", _DECIDE)),
    Key("span.cycle", "apostrophe",
        annotate=Use("cycle_here", "Other span here",
                     "Select the next of my spans under the cursor, inner to outer (an ENTITY inside a CLAIM)", _TAG),
        review=Use("cycle(1)", "Other candidate here",
                   "Focus the next candidate under the cursor (where several overlap)", _DECIDE)),
    Key("span.unsourced", "backslash",
        annotate=Use("next_unsourced", "Next unsourced",
                     "Next claim or figure without a source link (marked ! in the list)", "Relations")),
    Key("list.focus", "ctrl+l",
        annotate=Use("focus_list", "Span list",
                     "Focus the span list (up/down to move, enter jumps to the span, escape returns)", "Move")),
    Key("span.accept", "a",
        review=Use("accept", "Accept",
                   "Accept the candidate under the cursor, or the edit, into gold (its undecided rivals are "
                   "rejected in the same action)", _DECIDE)),
    Key("span.remove", "x,delete",
        annotate=Use("delete_span", "Delete", "Delete the selected span (and its relations)", _TAG, show=True),
        review=Use("reject", "Reject", "Reject the candidate under the cursor", _DECIDE)),
    Key("span.accept_agreed", "A,equals_sign",
        review=Use("accept_agreed", "Accept agreed",
                   "Accept every agreed candidate of this document, and the agreed links between accepted "
                   "spans (one action)", _DECIDE)),
    Key("span.note", "m",
        annotate=Use("edit_note", "Note", "Add or edit the selected span's note", _TAG, show=True)),
    Key("span.start_left", "less_than_sign,left_square_bracket",
        annotate=Use("grow_start", "Start left", "Grow the selected span: start one word (z: token) left", _TAG),
        review=Use("move_start(-1)", "Start left", "Edit the candidate: start one word (z: token) left", _DECIDE)),
    Key("span.start_right", "comma",
        annotate=Use("shrink_start", "Start right", "Shrink the selected span: start one word (z: token) right", _TAG),
        review=Use("move_start(1)", "Start right", "Edit the candidate: start one word (z: token) right", _DECIDE)),
    Key("span.end_right", "greater_than_sign,right_square_bracket",
        annotate=Use("grow_end", "End right", "Grow the selected span: end one word (z: token) right", _TAG),
        review=Use("move_end(1)", "End right", "Edit the candidate: end one word (z: token) right", _DECIDE)),
    Key("span.end_left", "full_stop",
        annotate=Use("shrink_end", "End left", "Shrink the selected span: end one word (z: token) left", _TAG),
        review=Use("move_end(-1)", "End left",
                   "Edit the candidate: end one word (z: token) left (a or a label key accepts the edit)", _DECIDE)),
    Key("view.snap", "z",
        annotate=Use("toggle_snap", "Snap", "Toggle: selections snap to whole words (default) / exact characters",
                     _TAG),
        review=Use("toggle_snap", "Snap",
                   "Toggle: selections and edge keys by whole words (default) / characters and tokens", _DECIDE)),
    Key("undo", "u",
        annotate=Use("undo", "Undo", "Undo my last change (any document; survives restarts)", _TAG),
        review=Use("undo", "Undo", "Undo my last decision", _DECIDE)),
    Key("redo", "ctrl+r",
        annotate=Use("redo", "Redo", "Redo what undo undid", _TAG),
        review=Use("redo", "Redo", "Redo what undo undid", _DECIDE)),
    Key("link.start", "r",
        annotate=Use("link", "Link", "Link: the spans this one can link to, nearest first (type to filter, enter "
                     "links, tab picks in the text); with a span marked by tab, links it to this one",
                     "Relations", show=True)),
    Key("link.confirm", "enter",
        annotate=Use("finish_link", "Link here", "Create the relation from the marked span to this one",
                     "Relations", show=True),
        review=Use("accept_link", "Accept link",
                   "Accept the focused link of the candidate here (and its two spans, if gold lacks them)",
                   "Relations")),
    Key("link.remove", "R,ctrl+x",
        annotate=Use("unlink", "Unlink", "Delete the newest relation of the selected span", "Relations"),
        review=Use("reject_link", "Reject link", "Reject the focused link", "Relations")),
    Key("link.next", "semicolon",
        review=Use("cycle_link", "Next link", "Focus the next link of the candidate here", "Relations")),
    Key("cancel", "escape",
        annotate=Use("cancel", "Cancel", "Cancel linking or the selection", _TAG, show=True)),
    Key("document.next", "n",
        annotate=Use("next_document", "Next doc", "Next document", "Documents"),
        review=Use("next_document", "Next document", "Next document with open disagreements", "Documents")),
    Key("document.previous", "p",
        annotate=Use("previous_document", "Previous doc", "Previous document", "Documents"),
        review=Use("previous_document", "Previous document", "Previous document with open disagreements",
                   "Documents")),
    Key("document.next_unfinished", "N,ctrl+t",
        annotate=Use("next_unfinished", "Next not done", "Next document I have not marked done", "Documents")),
    Key("document.done", "d",
        annotate=Use("mark_done", "Done", "Mark this document done and go to the next one not done", "Documents",
                     show=True)),
    Key("view.everyone", "ctrl+e",
        annotate=Use("toggle_all_annotators", "Everyone", "Show everyone's spans (others' dimmed) / only mine",
                     "Documents")),
    Key("search.start", "slash",
        annotate=Use("search", "Search",
                     "Search the document (enter jumps to the first match from the cursor and selects it)",
                     "Search", show=True)),
    Key("search.next", "f3,ctrl+n",
        annotate=Use("search_next", "Next match", "Next match of the search", "Search")),
    Key("search.previous", "shift+f3,ctrl+b",
        annotate=Use("search_previous", "Previous match", "Previous match of the search", "Search")),
    Key("help", "question_mark,f1",
        annotate=Use("help", "Help", "Show every key", show=True),
        review=Use("help", "Help", "Show every key")),
    Key("quit", "q",
        annotate=Use("quit", "Quit", "Quit (everything is already saved)", show=True),
        review=Use("quit", "Quit", "Quit (every decision is already saved)")),
)

#: The app's keys (both apps): priority bindings, so they work on every screen.
APP_KEYS: tuple[Key, ...] = (
    Key("app.palette", "ctrl+p", app=Use("command_palette", "palette", "Command palette: every action by name")),
    Key("app.quit", "ctrl+q", app=Use("quit", "Quit", "Quit")),
)

#: Keys Textual binds itself (without an id), which a keymap may not take.
TEXTUAL_KEYS = {"ctrl+c": "copy / Textual's quit hint", "super+c": "copy"}

KEYS: tuple[Key, ...] = VIEW_KEYS + SCREEN_KEYS + APP_KEYS

#: Ids a keymap may name (label keys come from the schema, not from a keymap).
REMAPPABLE: frozenset[str] = frozenset(key.id for key in KEYS)


# -- bindings for the widgets ----------------------------------------------------------------------


def escape(text: str) -> str:
    """``text`` for a tooltip, which Textual shows as markup: every ``[`` escaped, so a label name such as
    ``[PER]`` or ``[@click=app.quit]`` is shown as it is (Textual's own ``escape`` leaves ``[PER]``)."""
    return text.replace("[", "\\[")


def _binding(key: Key, use: Use, *, priority: bool = False) -> Binding:
    return Binding(key.keys, use.action, use.description, show=use.show, id=key.id, tooltip=escape(use.tooltip),
                   priority=priority)


def bindings(place: str) -> list[Binding]:
    """The ``BINDINGS`` of one place: ``VIEW`` (the document view), ``ANNOTATE``, ``REVIEW`` or ``APP``."""
    table = VIEW_KEYS if place == VIEW else APP_KEYS if place == APP else SCREEN_KEYS
    return [_binding(key, use, priority=place == APP) for key in table if (use := key.use(place)) is not None]


def help_bindings() -> list[Binding]:
    """The help screen's keys: the keys that cancel, open help and quit close it; the keys that move
    a line or a page scroll it. They carry those ids, so a keymap moves them here too."""
    result = [Binding(",".join(keys_of(i)), "close", "Close help", show=False, id=i)
              for i in ("cancel", "help", "quit")]
    for binding_id, action, text in (("cursor.down", "scroll_down", "Scroll down"),
                                     ("cursor.up", "scroll_up", "Scroll up"),
                                     ("cursor.page_down", "page_down", "Page down"),
                                     ("cursor.page_up", "page_up", "Page up")):
        result.append(Binding(",".join(keys_of(binding_id)), action, text, show=False, id=binding_id))
    return result


def label_id(label_name: str, number: bool = False) -> str:
    return f"label.{label_name}" + (".number" if number else "")


def label_bindings(schema: LabelSchema, screen: str) -> list[Binding]:
    """A binding per label key and per number key (1-8, labels in schema order; 9 and 0 move by sentence): tag as the label
    (annotation screen) or accept as it (review screen). The annotation footer shows one entry for
    all label keys ("cfse Tag"): the first label's binding carries it."""
    result = []
    footer_keys = "".join(label.key for label in schema.labels)
    for number, label in enumerate(schema.labels, start=1):
        use = _label_use(label.name, screen)
        first = number == 1 and screen == ANNOTATE
        if screen == ANNOTATE:
            # First, enabled only while a span is selected: the footer then says "Relabel".
            relabel = Use(f"relabel({label.name!r})", "Relabel", f"Relabel the selected span as {label.name}",
                          _TAG)
            result.append(Binding(label.key, relabel.action, relabel.description, show=first,
                                  key_display=footer_keys if first else None, id=label_id(label.name),
                                  tooltip=escape(relabel.tooltip)))
            if number <= 8:
                result.append(Binding(str(number), relabel.action, relabel.description, show=False,
                                      id=label_id(label.name, number=True),
                                      tooltip=escape(relabel.tooltip)))
        result.append(Binding(label.key, use.action, use.description, show=first,
                              key_display=footer_keys if first else None, id=label_id(label.name),
                              tooltip=escape(use.tooltip)))
        if number <= 8:
            result.append(Binding(str(number), use.action, use.description, show=False,
                                  id=label_id(label.name, number=True), tooltip=escape(use.tooltip)))
    return result


def _label_use(name: str, screen: str) -> Use:
    if screen == ANNOTATE:
        return Use(f"tag({name!r})", "Tag", f"Tag the selection, or the word under the cursor, as {name}", _TAG)
    return Use(f"tag({name!r})", "Accept as",
               f"Accept the selection, the edit or the candidate under the cursor as {name}", _DECIDE)


# -- keys, with a keymap applied -------------------------------------------------------------------


def normalize_keys(keys: str) -> list[str]:
    """Textual key names of a comma-separated list ("<, ctrl+z" -> ["less_than_sign", "ctrl+z"])."""
    return [binding.key for binding in Binding.make_bindings([Binding(keys, "")])]


def effective_keys(binding_id: str, default: str, keymap: Mapping[str, str] | None) -> list[str]:
    """The keys a binding answers to once ``keymap`` ({id: "keys"}) is applied, as Textual does."""
    keys = (keymap or {}).get(binding_id) or default
    return normalize_keys(keys)


def key_display(key: str) -> str:
    """How a key is shown (as the footer shows it: ``^r`` for ctrl+r, ``<`` for less_than_sign),
    but ``enter`` in words: a glyph is easy to miss in a line of keys."""
    *modifiers, name = key.split("+")
    shown = "enter" if name == "enter" else format_key(name)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*modifiers, shown])


def key_aliases(key: str) -> list[str]:
    """A key and the names the terminal may send for it instead (tab is also ctrl+i)."""
    return [key, *KEY_ALIASES.get(key, [])]


@dataclass(frozen=True)
class Entry:
    """One described binding of a screen, with its keys after the keymap: a row of the help screen
    and a command of the palette."""

    id: str
    place: str  # VIEW, the screen's name, or APP
    action: str
    section: str
    description: str  # short
    long: str
    keys: tuple[str, ...]  # Textual key names

    @property
    def shown_keys(self) -> str:
        return ", ".join(key_display(k) for k in self.keys)


def entries(screen: str, schema: LabelSchema | None, keymap: Mapping[str, str] | None = None) -> list[Entry]:
    """Every key of ``screen`` (its document view's, its own, its label keys and the app's), in table order."""
    result: list[Entry] = []
    for place, table in ((VIEW, VIEW_KEYS), (screen, SCREEN_KEYS)):
        for key in table:
            use = key.use(place)
            if use is not None:
                result.append(Entry(key.id, place, use.action, use.section, use.description, use.long,
                                    tuple(effective_keys(key.id, key.keys, keymap))))
    if schema is not None:
        for number, label in enumerate(schema.labels, start=1):
            use = _label_use(label.name, screen)
            keys = (label.key, str(number)) if number <= 8 else (label.key,)
            result.append(Entry(label_id(label.name), screen, use.action, use.section, use.description, use.long,
                                tuple(normalize_keys(",".join(keys)))))
    for key in APP_KEYS:
        use = key.app
        assert use is not None
        result.append(Entry(key.id, APP, use.action, use.section, use.description, use.long,
                            tuple(effective_keys(key.id, key.keys, keymap))))
    return result


def keys_of(binding_id: str, keymap: Mapping[str, str] | None = None) -> list[str]:
    """The keys of a (non-label) binding id after the keymap."""
    for key in KEYS:
        if key.id == binding_id:
            return effective_keys(key.id, key.keys, keymap)
    raise KeyError(binding_id)


def first_key(binding_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """The first key of a binding, as shown ("u", "^r")."""
    return key_display(keys_of(binding_id, keymap)[0])


def keymap_of(node: DOMNode) -> Mapping[str, str]:
    """The keymap of the app ``node`` runs in ({} when none, or outside an app)."""
    try:
        return getattr(node.app, "keymap", None) or {}
    except Exception:  # not attached to a running app
        return {}


def keys_line(items: Iterable[tuple[tuple[str, ...], str]], keymap: Mapping[str, str] | None = None) -> str:
    """A line of "keys what" pairs ("a accept  x reject  ? help") from (binding ids, what) items."""
    return "  ".join(" ".join(first_key(i, keymap) for i in ids) + " " + what for ids, what in items)

