"""The annotation screen: the document on the left, the annotation panel on the right.

Every change goes through the store at once (one transaction each) and is then applied
to the view, the span list and the counts *incrementally*, so a key press costs the same
with 5 spans or 5,000. Undo and redo are the store's (they survive restarts); after one,
the events of that action are read back from the store's log and applied the same way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from operator import attrgetter
from dataclasses import dataclass

from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal
from textual.message import Message
from textual.content import Content
from textual.screen import Screen
from textual.style import Style as TStyle
from textual.timer import Timer
from textual.widgets import Static

from ...editing import SpanEditor
from ...editing.editor import ALREADY, NOTHING, RELABEL, Plan
from ...errors import AlreadyExists, AnnotatorError
from ...models import Document, LabelSchema, Relation, Span, Status
from ...store import ActionResult, Change, Store
from ...store.rows import relation_from_row, span_from_row
from ... import text as textmod
from ..bindings import ANNOTATE, bindings, first_key, keymap_of, label_bindings
from ..bulk_load import bulk_load, release
from ..commands import AnnotateCommands
from ..compat import add_bindings
from ..widgets.document_view import DocumentView, Highlight
from ..widgets.footer import KeysFooter
from ..widgets.header import DocumentHeader
from ..widgets.panel import AnnotationPanel
from ..widgets.span_list import SpanList, SpanRow
from ..widgets.wait import DatabaseWait
from ..store_calls import StoreCalls

#: Non-colour cues, one per label in schema order, so labels differ without colour too.
LABEL_ATTRIBUTES = ("underline", "bold", "italic", "reverse", "strike", "underline2", "overline", "dim")


#: How long the cursor must rest before its position is saved.
POSITION_SAVE_DELAY = 1.0


class AnnotateScreen(StoreCalls, Screen):
    """Tag spans, link them, note them, move between documents."""

    @dataclass
    class PositionSaved(Message):
        """The resume point (document, cursor offset) was written to the database."""

        document_id: str
        offset: int

    COMMANDS = Screen.COMMANDS | {AnnotateCommands}

    #: Which screen's keys these are (the help screen and the command palette read it).
    KEYS_SCREEN = ANNOTATE
    #: Every key of this screen comes from the one bindings table (the label keys are added per schema).
    BINDINGS = bindings(ANNOTATE)
    HELP_TITLE = "annotator keys"
    HELP_SAVED = "every change is saved at once"

    def __init__(self, store: Store, annotator: str) -> None:
        super().__init__()
        self.store = store
        self.me = annotator
        self.schema: LabelSchema = store.schema
        self.document: Document | None = None
        self.spans: dict[str, Span] = {}
        self.relations: dict[str, Relation] = {}
        self.relations_by_span: dict[str, list[str]] = {}
        self.counts: Counter[str] = Counter()
        self.status = Status.todo
        self.pending_head: str | None = None
        self.show_all = False
        self.search_query = ""
        self._selected_id: str | None = None
        self._plan_key: tuple = ()
        self._bindings_timer: Timer | None = None
        self._position_dirty = False
        #: (document, offset) the database holds as my resume point there, when known.
        self._stored_position: tuple[str, int] | None = None
        self._binding_context: tuple = ()
        self.label_styles: dict[str, Style] = {}
        #: (label, mine) -> the style and priority a highlight gets, shared by every span alike.
        self._highlight_looks: dict[tuple[str, bool], tuple[Style, int]] = {}
        self.initials = _initials(self.schema)
        self._bind_labels()
        self._view = DocumentView(id="document")
        #: The editing model: what each key does with the spans (see annotator.editing).
        self.editor = SpanEditor(self._view.caret, annotator, self)
        self._panel = AnnotationPanel(self.schema, id="panel")

    def _bind_labels(self) -> None:
        """A binding per label key and per number key, so they show in the footer, help and palette
        (first, so the footer shows them first)."""
        add_bindings(self, label_bindings(self.schema, ANNOTATE), first=True)

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DocumentHeader(id="doc-header")
        yield DatabaseWait(id="db-wait")
        with Horizontal(id="main"):
            yield self._view
            yield self._panel
        yield Static(
            Content.assemble(
                ("No documents", "bold"), "\n\nImport some first:\n\n",
                ("annotator import PATH", "bold"), "\n\n(text files, folders or JSONL), then start annotator again.",
            ),
            id="empty",
        )
        yield KeysFooter()

    @property
    def view(self) -> DocumentView:
        return self._view

    @property
    def panel(self) -> AnnotationPanel:
        return self._panel

    @property
    def header(self) -> DocumentHeader:
        return self.query_one("#doc-header", DocumentHeader)

    def on_mount(self) -> None:
        self.label_styles = self._make_label_styles()
        self._highlight_looks = {}
        self.view.snap_words = True
        start = self.store.last_position(self.me)
        document_id = start[0] if start else self.store.first_document()
        if document_id is None:
            self.add_class("-empty")
            self.header.show_text("annotator: no documents")
            return
        self.open_document(document_id, start[1] if start else None)
        self.view.focus()
        self.set_interval(POSITION_SAVE_DELAY, self._flush_position)
        self._event_seen = self.store.last_event_id()
        self.watch_database()

    # -- the database -------------------------------------------------------------------------------

    def show_waiting(self, seconds: float | None) -> None:
        self.query_one("#db-wait", DatabaseWait).show(seconds)

    def database_changed(self) -> None:
        """Another connection committed: show what it changed in this document, and the new counts."""
        if self.document is None:
            return
        self._event_seen, changes = self.store.changes_since(self._event_seen, self.document.id)
        if changes:
            self.apply_changes(changes)
            self._after_change()
        self._show_header()

    def _make_label_styles(self) -> dict[str, Style]:
        surface = Color.parse(self.app.theme_variables.get("surface", "#1e1e1e"))
        styles = {}
        for index, label in enumerate(self.schema.labels):
            colour = Color.parse(label.colour)
            attribute = LABEL_ATTRIBUTES[index % len(LABEL_ATTRIBUTES)]
            styles[label.name] = Style(
                color=colour.lighten(0.15).rich_color,
                bgcolor=surface.blend(colour, 0.3).rich_color,
                **{attribute: True},
            )
        return styles

    # -- documents -----------------------------------------------------------------------------

    def open_document(self, document_id: str, offset: int | None = None) -> None:
        """Show a document with its spans, at ``offset`` or where I last was in it."""
        if self.document is not None and (self.document.id, self.view.cursor) == self._stored_position:
            self._position_dirty = False  # the database has this position already: nothing to write
        self._save_position()
        try:
            document = self.store.get_document(document_id)
        except AnnotatorError as exc:
            self.notify(textmod.inline_text(str(exc)), severity="error", markup=False)
            return
        self.document = document
        self.pending_head = None
        self._selected_id = None
        stored = None
        if offset is None:
            offset = self.store.position_in(self.me, document_id)
            stored = (document_id, offset)
        with bulk_load():  # tens of thousands of spans: no collector passes over them (see bulk_load)
            self._load_annotations()
            self.view.load(document.text, self.spans.values(), cursor=offset, look=self._look)
            self.panel.span_list.set_spans(self.spans.values(), self._describe)
        self.status = self.store.status(document_id, self.me)
        self._show_labels()
        self._show_header()
        self._update_selected(force=True)
        self._stored_position = stored
        # Saved (as the document to resume) by the position timer once the keys rest, so that
        # paging through documents with n is not a database write per key.
        self._position_dirty = True

    def _load_annotations(self) -> None:
        assert self.document is not None
        who = None if self.show_all else self.me
        spans = self.store.spans_for(self.document.id, annotator=who)
        self.spans = dict(zip(map(attrgetter("id"), spans), spans))  # in C: there may be 50,000
        self.relations = {r.id: r for r in self.store.relations_for(self.document.id, annotator=who)}
        self.relations_by_span = {}
        for relation in self.relations.values():
            self._index_relation(relation)
        self.counts = Counter(map(attrgetter("label"), spans))

    def _index_relation(self, relation: Relation) -> None:
        for span_id in (relation.head, relation.child):
            self.relations_by_span.setdefault(span_id, []).append(relation.id)

    def _unindex_relation(self, relation_id: str, restyle: bool = True) -> None:
        relation = self.relations.pop(relation_id, None)
        if relation is None:
            return
        for span_id in (relation.head, relation.child):
            ids = self.relations_by_span.get(span_id, [])
            if relation_id in ids:
                ids.remove(relation_id)
        if restyle:
            self._links_changed(relation.head, relation.child)

    def _show_header(self) -> None:
        if self.document is None:
            return
        flags = []
        if self.view.visual:
            flags.append("mark (2-8: repeat a move)")
        if not self.view.snap_words:
            flags.append("exact")
        if self.show_all:
            flags.append("everyone")
        if self.pending_head and self.pending_head in self.spans:
            head = self.spans[self.pending_head]
            link, cancel = self.key("link.start"), self.key("cancel")
            flags.append(f"linking {head.label}: {link} on target, {cancel} cancels")
        self.header.show(
            self.document.name,
            self.store.document_position(self.document.id),
            self.store.document_count(),
            self.status.value,
            flags,
            readonly=self.store.readonly,
        )

    def _show_labels(self) -> None:
        self.panel.show_labels(self.schema, dict(self.counts), self.label_styles, self.initials)

    # -- spans in the view and the panel ---------------------------------------------------

    def _look(self, span: Span) -> tuple[Style, int]:
        """How the view shows a span, as (style, priority): my spans on top, others' dimmed (one
        shared style per label). The view asks only for the spans of the text it shows."""
        mine = span.annotator == self.me
        state = self._link_state(span.id)  # linked (a marker on its first cell), focused (both ends shown)
        look = self._highlight_looks.get((span.label, mine, state))
        if look is None:
            style = self.label_styles.get(span.label)
            if style is None:
                style = Style(underline=True)
            look = (style, 1) if mine else (style + Style(dim=True), 0)
            look = self._highlight_looks[span.label, mine, state] = self._link_look(look, state)
        return look

    def _highlight(self, span: Span) -> Highlight:
        return Highlight(span.id, span.start, span.end, *self._look(span))

    def _describe(self, span_id: str) -> SpanRow:
        """The span list's row for a span, built only when the list shows it."""
        return self._row(self.spans[span_id])

    def _row(self, span: Span) -> SpanRow:
        assert self.document is not None
        style = self.label_styles.get(span.label, Style())
        swatch = Style(bgcolor=style.bgcolor, color=style.color, bold=True)
        return SpanRow(
            span.id, span.start, span.end, self.initials.get(span.label, span.label[:1]), swatch,
            textmod.excerpt(self.document.text[span.start : span.end], 60), span.annotator,
            mark="!" if self._wants_link(span) else "",
        )

    def _span_added(self, span: Span) -> None:
        self.spans[span.id] = span
        self.counts[span.label] += 1
        self.view.update_highlights(add=[self._highlight(span)])
        self.panel.span_list.add(span.id, span.start, span.end)

    def _span_removed(self, span_id: str) -> None:
        span = self.spans.pop(span_id, None)
        if span is None:
            return
        self.counts[span.label] -= 1
        if self.counts[span.label] <= 0:
            del self.counts[span.label]
        for relation_id in list(self.relations_by_span.get(span_id, [])):
            self._unindex_relation(relation_id)
        self.relations_by_span.pop(span_id, None)
        self.view.update_highlights(remove=[span_id])
        self.panel.span_list.remove(span_id, span.start, span.end)
        if self.pending_head == span_id:
            self.pending_head = None

    def _span_changed(self, span: Span) -> None:
        old = self.spans.get(span.id)
        if old is not None:
            self.counts[old.label] -= 1
            if self.counts[old.label] <= 0:
                del self.counts[old.label]
            self.panel.span_list.remove(old.id, old.start, old.end)
        self.spans[span.id] = span
        self.counts[span.label] += 1
        self.view.update_highlights(add=[self._highlight(span)])
        self.panel.span_list.add(span.id, span.start, span.end)

    def _after_change(self) -> None:
        self._show_labels()
        self._show_header()
        self._update_selected(force=True)

    # -- the selected span -------------------------------------------------------------------

    def selected_span(self) -> Span | None:
        """The selected span, as the editing model says (my span that is the selection, else my
        innermost span under the cursor)."""
        return self.editor.selected_span()  # type: ignore[return-value]

    # The editing model's view of the spans (a SpanSource): those this screen shows.

    def spans_at(self, offset: int) -> list[Span]:
        spans = self.spans
        return [spans[h.id] for h in self.view.highlights_at(offset) if h.id in spans]

    def spans_over(self, start: int, end: int) -> list[Span]:
        spans = self.spans
        return [spans[h.id] for h in self.view.highlights_between(start, end) if h.id in spans]

    def get(self, span_id: str) -> Span | None:
        return self.spans.get(span_id)

    def _update_selected(self, force: bool = False) -> None:
        span = self.selected_span()
        span_id = span.id if span else None
        plan = self.editor.keys_plan()
        plan_key = (plan.kind, plan.start, plan.end)
        if span_id != self._selected_id or force or plan_key != self._plan_key:
            if span_id != self._selected_id or force:
                if span is None:
                    self.panel.span_list.select(None)
                else:
                    self.panel.span_list.select(span.id, span.start, span.end)
            self._selected_id = span_id
            self._plan_key = plan_key
            self.panel.show_details(self._details(span, plan))
        context = (span_id is not None, self.view.selection is not None, self.pending_head is not None,
                   self.view.visual)
        if context != self._binding_context:
            self._binding_context = context
            self._show_header()
            # The footer (one line, see KeysFooter) repaints only the cells whose keys changed, and
            # nothing when the keys that apply are the same: no need to wait for the keys to pause.
            self.flush_footer()

    def flush_footer(self) -> None:
        """Bring the footer up to what applies now."""
        if self._bindings_timer is not None:
            self._bindings_timer.stop()
            self._bindings_timer = None
        self.refresh_bindings()

    def _details(self, span: Span | None, plan: Plan | None = None) -> Content:
        if self.document is None:
            return Content("")
        text = self.document.text
        keys = "".join(label.key for label in self.schema.labels)
        plan = plan or self.editor.keys_plan()
        parts: list = [(keys, "bold"), ": ", (plan.describe(text, 30), "bold" if plan.kind == RELABEL else ""), "\n"]
        if span is None:
            others = [s for s in self.spans_at(self.view.cursor) if s.annotator != self.me]
            for other in others[:3]:
                parts += [(textmod.inline_text(other.label), "italic"), " by ",
                          (textmod.inline_text(other.annotator), "italic"), " (not mine)\n"]
            hint = f"Select with {self.key('select.mark')} (or shift+arrows) and press a label key; a label key " \
                   "alone tags the word under the cursor; on a span of mine it relabels it."
            return Content.assemble(*parts, (hint, "italic"))
        style = TStyle.from_rich_style(self.label_styles.get(span.label, Style()))
        parts += [
            (textmod.inline_text(span.label), style), f"  {span.start}-{span.end}  ",
            (textmod.inline_text(span.annotator), "italic"), "\n",
            ("“" + textmod.excerpt(text[span.start : span.end], 120) + "”", ""),
        ]
        if span.note:
            parts += ["\n", ("note: ", "bold"), textmod.inline_text(span.note)]
        for relation_id in self.relations_by_span.get(span.id, []):
            relation = self.relations[relation_id]
            if relation.head == span.id:
                other = self.spans.get(relation.child)
                arrow = "→"
            else:
                other = self.spans.get(relation.head)
                arrow = "←"
            other_text = textmod.excerpt(text[other.start : other.end], 30) if other else "?"
            other_label = other.label if other else "?"
            parts += ["\n", f"{arrow} {relation.label} ", (other_label, "bold"), f" “{other_text}”"]
        return Content.assemble(*parts)

    # -- messages ---------------------------------------------------------------------------------

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        self._position_dirty = True
        self._update_selected()

    @on(DocumentView.SelectionChanged)
    def _selection_changed(self, event: DocumentView.SelectionChanged) -> None:
        self._update_selected()

    @on(SpanList.Picked)
    def _span_picked(self, event: SpanList.Picked) -> None:
        span = self.spans.get(event.span_id)
        if span is not None:
            self._pick(span)
            if not event.keep_focus:
                self.view.focus()

    @on(SpanList.Left)
    def _list_left(self) -> None:
        self.view.focus()

    def action_focus_list(self) -> None:
        """Focus the span list: up/down go from span to span (the text follows), enter or escape return."""
        self.panel.span_list.focus()

    def _pick(self, span: Span, cursor: int | None = None) -> None:
        """Make ``span`` the selected span (selected as a whole, the cursor at its start)."""
        old = self.view.cursor
        self.editor.pick(span, cursor)
        self.view.changed(old)

    @on(PositionSaved)
    def _position_saved(self, event: PositionSaved) -> None:
        self._stored_position = (event.document_id, event.offset)

    def _flush_position(self) -> None:
        if self._position_dirty:
            self._save_position()

    def _save_position(self) -> None:
        if self.document is None or not self._position_dirty:
            return
        self._position_dirty = False
        if self.store.readonly:
            return
        document_id, offset = self.document.id, self.view.cursor
        self.store_call(lambda store: store.save_position(self.me, document_id, offset),
                        lambda _: self.post_message(self.PositionSaved(document_id, offset)))

    def store_error(self, exc: AnnotatorError) -> None:
        self.notify(textmod.inline_text(str(exc)), severity="error", timeout=6, markup=False)

    def on_unmount(self) -> None:
        self._save_position()
        release()

    # -- enabling -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.document is None:
            return action in ("help", "quit", "command_palette")
        if action in ("delete_span", "edit_note", "grow_start", "grow_end", "shrink_start", "shrink_end", "unlink"):
            return self._selected_id is not None
        if action == "link":
            return self._selected_id is not None
        if action == "relabel":
            # Each label key has a relabel binding before its tag binding: enabled while a span is
            # selected, so the footer says which the key does (both run the same plan).
            return self._selected_id is not None
        if action == "finish_link":
            return self.pending_head is not None
        if action == "cancel":
            return self.pending_head is not None or self.view.selection is not None
        return True

    # -- tagging -----------------------------------------------------------------------------------

    def action_relabel(self, label: str) -> None:
        """The label keys while a span is selected (a binding of its own, so the footer says "Relabel")."""
        self.action_tag(label)

    def action_tag(self, label: str) -> None:
        """A label key: relabel the selected span, else tag the selection or the word under the cursor
        (the editing model's plan, which the panel showed before the key was pressed)."""
        if self.document is None:
            return
        editor = self.editor
        plan = editor.label_plan(label)
        if plan.kind == NOTHING:
            self.notify(plan.reason, severity="warning", timeout=3)
            return
        if plan.kind == ALREADY:
            span = plan.span
            assert span is not None
            self._say_already(span)
            if span is not editor.selected_span():
                self._move_on(plan.start, plan.end)  # the word or selection was tagged already: go on
            return
        if plan.kind == RELABEL:
            existing = plan.span
            assert existing is not None

            def relabelled(updated: Span) -> None:
                self._span_changed(updated)
                editor.after_relabel(updated)
                self.notify(f"{textmod.inline_text(existing.label)} → {textmod.inline_text(label)}", timeout=2,
                            markup=False)
                self._after_change()

            self.store_call(lambda store: store.update_span(existing.id, self.me, label=label), relabelled)
            return
        span = Span(document_id=self.document.id, start=plan.start, end=plan.end, label=label, annotator=self.me)

        def tagged(span: Span) -> None:
            self._span_added(span)
            if self.status == Status.todo:  # the store's rule: the first tag moves the document on
                self.status = Status.in_progress
            self._move_on(span.start, span.end)
            self._after_change()

        def refused(exc: AnnotatorError) -> None:
            if isinstance(exc, AlreadyExists):  # another window of mine stored it a moment ago
                self._move_on(span.start, span.end)

        self.store_call(lambda store: store.add_span(span), tagged, refused)

    def _say_already(self, span: Span) -> None:
        """The one line for a key that would store a span I already have."""
        self.notify(f"already tagged: {textmod.inline_text(span.label)} "
                    f"“{textmod.excerpt(self.view.text[span.start:span.end], 40)}”", timeout=3, markup=False)

    def _move_on(self, start: int, end: int) -> None:
        """After a tag: the cursor to the first word after the span, no selection."""
        old = self.view.cursor
        self.editor.after_tag(start, end)
        self.view.changed(old)

    def action_delete_span(self) -> None:
        span = self.selected_span()
        if span is None:
            return

        def deleted(_: None) -> None:
            self._span_removed(span.id)
            self.notify(f"Deleted {textmod.inline_text(span.label)}", timeout=2, markup=False)
            old = self.view.cursor
            self.editor.after_delete()
            self.view.changed(old)
            self._after_change()

        self.store_call(lambda store: store.delete_span(span.id, self.me), deleted)

    def _adjust(self, edge: str, direction: int) -> None:
        """A boundary key: move ``edge`` of the selected span one word (a token in exact mode), the
        editing model's way on both screens; the span stays selected, the cursor on that edge."""
        plan = self.editor.boundary_plan(edge, direction)
        if plan.kind == NOTHING:
            if plan.span is not None:
                self.notify(plan.reason, severity="warning", timeout=3)
            return
        span = plan.span
        assert span is not None
        if plan.kind == ALREADY:
            self._say_already(span)
            return
        start, end = plan.start, plan.end

        def moved(updated: Span) -> None:
            self._span_changed(updated)
            old = self.view.cursor
            self.editor.after_move(updated, edge)
            self.view.changed(old)
            self._after_change()

        self.store_call(lambda store: store.update_span(span.id, self.me, start=start, end=end), moved)

    def action_grow_start(self) -> None:
        self._adjust("start", -1)

    def action_shrink_start(self) -> None:
        self._adjust("start", 1)

    def action_grow_end(self) -> None:
        self._adjust("end", 1)

    def action_shrink_end(self) -> None:
        self._adjust("end", -1)

    def action_toggle_snap(self) -> None:
        view = self.view
        view.snap_words = not view.snap_words
        view.refresh()
        self.notify("Selections snap to whole words" if view.snap_words else "Selections are exact characters",
                    timeout=2)
        self._show_header()
        self._update_selected(force=True)

    def action_edit_note(self) -> None:
        span = self.selected_span()
        if span is None:
            return
        from .note import NoteScreen

        def save(note: str | None) -> None:
            if note is None or note == span.note:
                return

            def noted(updated: Span) -> None:
                self._span_changed(updated)
                self._after_change()

            self.store_call(lambda store: store.update_span(span.id, self.me, note=note), noted)

        self.app.push_screen(NoteScreen(span.label, textmod.inline_text(span.note)), save)

    # -- relations ----------------------------------------------------------------------------------

    #: The spans at either end of the selected span's relations (and itself): drawn as the focused link.
    _focused_ends: frozenset[str] = frozenset()

    def action_link(self) -> None:
        """On a span: the pick-list of the spans it can be linked to (nearest first); with a span
        marked for linking in the text (tab on the pick-list), link it to this one."""
        span = self.selected_span()
        if span is None:
            return
        if self.pending_head is not None and self.pending_head in self.spans:
            self._finish_link(span)
            return
        assert self.document is not None
        from .link_pick import IN_TEXT, LinkPickScreen, link_targets, partner_labels

        targets = link_targets(self.schema, span, self.spans.values(), self.document.text, self.relations.values())
        if not targets:
            partners = partner_labels(self.schema, span.label)
            label = textmod.inline_text(span.label)
            self.notify(f"Nothing to link {label} to: tag a {' or '.join(map(textmod.inline_text, partners))} "
                        "first" if partners else f"Nothing to link {label} to: the schema has no relation for it",
                        severity="warning", timeout=4, markup=False)
            return
        document_id = self.document.id

        def picked(choice: str | None) -> None:
            if self.document is None or self.document.id != document_id or span.id not in self.spans:
                return
            if choice is None:
                self.notify("Link cancelled", timeout=2)
            elif choice == IN_TEXT:
                self._link_in_text(span)
            elif choice in self.spans:
                self.pending_head = span.id
                self._finish_link(self.spans[choice])

        self.app.push_screen(LinkPickScreen(span, self.document.text, targets, self.label_styles,
                                            f"{self.key('link.start')} or {self.key('link.confirm')}"), picked)

    def _link_in_text(self, head: Span) -> None:
        """The two-step way: mark ``head``; ``r`` (or enter) on the other span links them."""
        self.pending_head = head.id
        self.notify(f"Linking from {textmod.inline_text(head.label)}: go to the other span and press "
                    f"{self.key('link.start')} or {self.key('link.confirm')} ({self.key('cancel')} cancels)",
                    timeout=4, markup=False)
        self._update_selected(force=True)
        self._show_header()

    def action_finish_link(self) -> None:
        span = self.selected_span()
        if span is None:
            self.notify(f"Move onto the span to link to, then press {self.key('link.start')} or "
                        f"{self.key('link.confirm')}", severity="warning")
            return
        self._finish_link(span)

    def _finish_link(self, child: Span) -> None:
        assert self.document is not None
        head = self.spans.get(self.pending_head or "")
        self.pending_head = None
        if head is None or head.id == child.id:
            self.notify("Link cancelled (a span cannot link to itself)", timeout=2)
            self._update_selected(force=True)
            return
        from .link_pick import relation_between

        rule = relation_between(self.schema, head.label, child.label)
        if rule is None:
            self.notify(f"The schema allows no relation between {textmod.inline_text(head.label)} and "
                        f"{textmod.inline_text(child.label)}", severity="warning", markup=False)
            self._update_selected(force=True)
            return
        relation_type, swapped = rule
        if swapped:
            head, child = child, head  # marked the source first: link the right way round
        if any((r.head, r.child, r.label, r.annotator) == (head.id, child.id, relation_type, self.me)
               for r in map(self.relations.get, self.relations_by_span.get(head.id, ())) if r is not None):
            # The store refuses it too (AlreadyExists, shown by store_error), also when another window made it.
            self.notify(f"already linked: {textmod.inline_text(head.label)} -> {textmod.inline_text(child.label)} "
                        f"“{textmod.excerpt(self.document.text[child.start:child.end], 30)}”",
                        severity="warning", timeout=3, markup=False)
            self._update_selected(force=True)
            return
        relation = Relation(document_id=self.document.id, head=head.id, child=child.id, label=relation_type,
                            annotator=self.me)

        def linked(relation: Relation) -> None:
            self._relation_added(relation)
            self.notify(f"{textmod.inline_text(head.label)} {textmod.inline_text(relation_type)} "
                        f"{textmod.inline_text(child.label)}", timeout=2, markup=False)
            self._after_change()

        self._update_selected(force=True)
        self.store_call(lambda store: store.add_relation(relation), linked)

    def action_unlink(self) -> None:
        span = self.selected_span()
        if span is None:
            return
        ids = self.relations_by_span.get(span.id, [])
        if not ids:
            self.notify("This span has no relations", timeout=2)
            return
        relation = self.relations[ids[-1]]

        def unlinked(_: None) -> None:
            self._unindex_relation(relation.id)
            self.notify(f"Deleted relation {textmod.inline_text(relation.label)}", timeout=2, markup=False)
            self._after_change()

        self.store_call(lambda store: store.delete_relation(relation.id, self.me), unlinked)

    def action_cancel(self) -> None:
        if self.pending_head is not None:
            self.pending_head = None
            self.notify("Link cancelled", timeout=2)
        self.view.clear_selection()
        self._update_selected(force=True)
        self._show_header()

    # -- span navigation -------------------------------------------------------------------------

    def action_cycle_here(self) -> None:
        """Select the next of my spans under the cursor, innermost first (nested spans)."""
        old = self.view.cursor
        if self.editor.cycle_here() is None:
            self.notify("No span of mine here", timeout=2)
            return
        self.view.changed(old)

    def action_next_unsourced(self) -> None:
        """Go to the next claim or figure (after the cursor, wrapping) that has no source link yet."""
        keys = self.panel.span_list.keys
        if not keys:
            self.notify("No spans in this document yet", timeout=2)
            return
        start = bisect_right(keys, (self.view.cursor, 1, ""))
        for index in [*range(start, len(keys)), *range(0, start)]:
            span = self.spans.get(keys[index][2])
            if span is not None and span.annotator == self.me and self._wants_link(span):
                if index < start and start < len(keys):
                    self.notify("Wrapped to the top", timeout=2)
                self._pick(span)
                return
        self.notify("Every claim and figure has a source link", timeout=3)

    def action_next_span(self) -> None:
        self._jump_span(1)

    def action_previous_span(self) -> None:
        self._jump_span(-1)

    def _jump_span(self, step: int) -> None:
        """Select the next (or previous) span in reading order from the cursor."""
        rows = self.panel.span_list.rows
        if not rows:
            self.notify("No spans in this document yet", timeout=2)
            return
        keys = self.panel.span_list.keys
        current = self.selected_span()
        if current is not None and self.view.selection != (current.start, current.end) and step > 0:
            self._pick(current)  # on a span: tab picks it first (the span "at" the cursor)
            return
        if current is not None and self.view.selection == (current.start, current.end):
            position = (current.start, -current.end, current.id)
            index = bisect_right(keys, position) if step > 0 else bisect_left(keys, position) - 1
        else:
            cursor = self.view.cursor
            index = bisect_left(keys, (cursor, -10**12, "")) if step > 0 else bisect_left(keys, (cursor, -10**12, "")) - 1
        index %= len(rows)
        row = rows[index]
        span = self.spans.get(row.id)
        if span is not None:
            self._pick(span)

    # -- undo and redo ----------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._undo_redo("undo")

    def action_redo(self) -> None:
        self._undo_redo("redo")

    def _undo_redo(self, kind: str) -> None:
        self.store_call(lambda store: store.undo(self.me) if kind == "undo" else store.redo(self.me),
                        lambda result: self._inverted(kind, result))

    def _inverted(self, kind: str, result: ActionResult | None) -> None:
        if result is None:
            self.notify(f"Nothing to {kind}", timeout=2)
            return
        if result.skipped:
            self.notify(textmod.inline_text(result.description), severity="warning", timeout=8, markup=False)
            return
        self.notify(textmod.inline_text(result.description), timeout=3, markup=False)
        if self.document is None or result.document_id != self.document.id:
            if result.document_id is not None:
                self.open_document(result.document_id, result.offset)
            return
        self.apply_changes(result.changes)
        if result.offset is not None:
            self.view.move_cursor(result.offset)
        self._after_change()

    def apply_changes(self, changes: list[Change]) -> None:
        """Bring the view up to rows changed elsewhere (an undo, another session); idempotent."""
        for change in changes:
            if self.document is None or change.document_id != self.document.id:
                continue
            before, after = change.before, change.after
            if change.table == "spans":
                if after is None:
                    if before["id"] in self.spans:
                        self._span_removed(before["id"])
                elif self.show_all or after["annotator"] == self.me:
                    span = span_from_row(after)
                    current = self.spans.get(span.id)
                    if current is None:
                        self._span_added(span)
                    elif current != span:
                        self._span_changed(span)
            elif change.table == "relations":
                if after is None:
                    self._unindex_relation(before["id"])
                elif self.show_all or after["annotator"] == self.me:
                    self._relation_added(relation_from_row(after))
            elif change.table == "statuses" and change.row.get("annotator") == self.me:
                self.status = Status(after["status"]) if after else Status.todo

    def _relation_added(self, relation: Relation) -> None:
        self._unindex_relation(relation.id, restyle=False)
        self.relations[relation.id] = relation
        self._index_relation(relation)
        self._links_changed(relation.head, relation.child)

    # -- relations drawn in the text ------------------------------------------------------------------

    def _link_state(self, span_id: str) -> int:
        """0: no relation; 1: linked (a marker on the span's first cell); 2: an end of the focused link."""
        if span_id in self._focused_ends:
            return 2
        return 1 if self.relations_by_span.get(span_id) else 0

    def _link_look(self, look: tuple[Style, int], state: int) -> tuple[Style, int, Style | None]:
        """A span's (style, priority) as its link state shows it: a linked span's first cell is marked
        (bold, underlined, in the theme's warning colour); both ends of the focused link are shown
        reversed (a label already reversed is shown bold and underlined instead), so the eye finds
        the other end across lines."""
        style, priority = look
        if state == 0:
            return style, priority, None
        colour = Color.parse(self.app.theme_variables.get("warning", "#ffa62b"))
        mark = Style(color=colour.rich_color, bold=True, underline=True)
        if state == 2:
            style = style + (Style(reverse=False, bold=True, underline=True) if style.reverse
                             else Style(reverse=True))
        return style, priority, mark

    def _links_changed(self, *span_ids: str) -> None:
        """Relations of these spans were added or removed: redraw them (and the focused link), and
        their rows of the span list (a claim without a source is marked there)."""
        self._restyle_links(self._refocus_links().union(span_ids))
        for span_id in span_ids:
            span = self.spans.get(span_id)
            if span is not None:
                self.panel.span_list.refresh_row(span.id, span.start, span.end)

    def _refocus_links(self) -> set[str]:
        """Make the selected span's relations the focused link; the spans whose focus changed."""
        if self.document is None:
            return set()
        span = self.selected_span()
        ends: set[str] = set()
        if span is not None:
            for relation_id in self.relations_by_span.get(span.id, ()):
                relation = self.relations.get(relation_id)
                if relation is not None:
                    ends.update((relation.head, relation.child))
        changed = ends.symmetric_difference(self._focused_ends)
        self._focused_ends = frozenset(ends)
        return changed

    def _restyle_links(self, ids: set[str]) -> None:
        spans = [self.spans[i] for i in ids if i in self.spans]
        if spans:
            self.view.update_highlights(add=[self._highlight(span) for span in spans])  # their rows only

    @on(DocumentView.CursorMoved)
    @on(DocumentView.SelectionChanged)
    def _links_follow_selection(self, event: Message) -> None:
        changed = self._refocus_links()
        if changed:
            self._restyle_links(changed)

    def _wants_link(self, span: Span) -> bool:
        """A span the schema links as a head (a CLAIM or a FIGURE) that is the head of none of its relations."""
        wanted = self._link_heads
        if wanted is None:
            wanted = self._link_heads = frozenset(
                label for rel in self.schema.relations for label in rel.heads)
        if span.label not in wanted:
            return False
        return not any(self.relations[r].head == span.id
                       for r in self.relations_by_span.get(span.id, ()) if r in self.relations)

    _link_heads: frozenset[str] | None = None

    # -- documents ----------------------------------------------------------------------------------

    def action_next_document(self) -> None:
        self._step_document(1)

    def action_previous_document(self) -> None:
        self._step_document(-1)

    def _step_document(self, step: int) -> None:
        if self.document is None:
            return
        target = self.store.neighbour_document(self.document.id, step)
        if target is None:
            self.notify("This is the last document" if step > 0 else "This is the first document", timeout=2)
            return
        self.open_document(target)

    def action_next_unfinished(self) -> None:
        if self.document is None:
            return
        target = self.store.next_unfinished_document(self.me, self.document.id)
        if target is None or target == self.document.id and self.status in (Status.done, Status.skipped, Status.rejected):
            self.notify("Every document is done", timeout=3)
            return
        if target == self.document.id:
            self.notify("This is the only document not done yet", timeout=2)
            return
        self.open_document(target)

    def action_mark_done(self) -> None:
        if self.document is None:
            return
        document = self.document
        self.store_call(lambda store: store.set_status(document.id, self.me, Status.done),
                        lambda _: self._marked_done(document))

    def _marked_done(self, document: Document) -> None:
        if self.document is None or self.document.id != document.id:
            return  # landed after the annotator moved on: the header there is not this document's
        self.status = Status.done
        target = self.store.next_unfinished_document(self.me, self.document.id)
        if target is None or target == self.document.id:
            self.notify("Done. Every document is done.", timeout=3)
            self._show_header()
            return
        self.notify(f"Done: {textmod.inline_text(self.document.name)}", timeout=2, markup=False)
        self.open_document(target)

    def action_goto_document(self, document_id: str) -> None:
        self.open_document(document_id)

    def action_toggle_all_annotators(self) -> None:
        if self.document is None:
            return
        self.show_all = not self.show_all
        self.open_document(self.document.id, self.view.cursor)
        self.notify("Showing everyone's spans (others' dimmed)" if self.show_all else "Showing only my spans",
                    timeout=2)

    # -- search -------------------------------------------------------------------------------------

    #: Where the last search left things: (the text, the cursor after it, the hit's start), so that
    #: the next one goes on from the hit even when snapping moved the cursor before it.
    _search_left: tuple[str, int, int] | None = None

    def action_search(self) -> None:
        from .search import SearchScreen

        def found(query: str | None) -> None:
            if not query:
                return
            self.search_query = query
            self._search(self.view.cursor, 1)

        self.app.push_screen(SearchScreen(self.search_query), found)

    def action_search_next(self) -> None:
        if not self.search_query:
            self.action_search()
            return
        left = self._search_left
        view = self.view
        if left is not None and left[0] is view.text and left[1] == view.cursor:
            self._search(left[2] + 1, 1, again=True)  # the hit after the last one (overlapping ones too)
        else:
            self._search(view.cursor, 1, again=True)  # moved since (a tag moves on to the next word): from here

    def action_search_previous(self) -> None:
        if not self.search_query:
            self.action_search()
            return
        left = self._search_left
        view = self.view
        if left is not None and left[0] is view.text and left[1] == view.cursor:
            self._search(left[2], -1, again=True)
        else:
            self._search(view.cursor, -1, again=True)

    def _search(self, offset: int, step: int, *, again: bool = False) -> None:
        """Select the match of the query nearest ``offset`` (``step`` +1 at or after, -1 before),
        snapped like every selection; in mark mode, extend the selection to it. ``again`` (next,
        previous): a match that would select what is selected already (the next "e" of the same
        word) is passed over."""
        view = self.view
        text = view.text
        current = view.selection if again and not view.visual else None
        wrapped = False
        seen: set[int] = set()
        while True:
            hit = textmod.find(text, self.search_query, offset, step)
            if hit is None:
                case = " (case-sensitive: the query has a capital)" if textmod.search_mode(self.search_query).case else ""
                self.notify(f"Not found: {textmod.inline_text(self.search_query)}{case}", severity="warning",
                            timeout=3, markup=False)
                return
            wrapped = wrapped or hit.wrapped
            target = None
            if not view.visual:
                # "/hang" selects "hanged", "/Covid" "Covid-19"
                target = textmod.snap(text, hit.start, hit.end, words=view.snap_words) or (hit.start, hit.end)
            if current is None or target != current or hit.start in seen:
                break
            seen.add(hit.start)
            offset = hit.start + 1 if step > 0 else hit.start
        if target is None:
            # mark mode: the selection runs from the mark to the hit (the view snaps it)
            anchor = view.caret.anchor if view.caret.anchor is not None else view.cursor
            view.move_cursor(hit.end if hit.start >= anchor else hit.start, select=True)
        else:
            view.select(*target)
        self._search_left = (text, view.cursor, hit.start)
        if wrapped:
            self.notify("search wrapped to the top" if step > 0 else "search wrapped to the bottom", timeout=2)

    # -- other --------------------------------------------------------------------------------------

    def key(self, binding_id: str) -> str:
        """The (first) key of a binding as the user has it, for hints in messages."""
        return first_key(binding_id, keymap_of(self))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self._position_dirty = True
        self._save_position()
        self.app.exit()

    def action_command_palette(self) -> None:
        self.app.action_command_palette()



def _initials(schema: LabelSchema) -> dict[str, str]:
    """One letter per label for the panel: the name's initial, or its key when initials clash."""
    firsts = Counter(label.name[0].upper() for label in schema.labels)
    return {
        label.name: label.name[0].upper() if firsts[label.name[0].upper()] == 1 else label.key.upper()
        for label in schema.labels
    }
