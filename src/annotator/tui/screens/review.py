"""The review screen: every annotator's spans as candidates, decided into the gold layer.

The document is shown in the annotation screen's :class:`DocumentView`; each candidate
(a distinct start, end and label) is a highlight styled by its state, and the panel lists
the candidates under the cursor with markers that do not rely on colour:

    =  agreed (every annotator made it)      ≠  disagreement
    ✓  accepted into gold                    ✗  rejected
    +  a reviewer's own gold span (edited boundaries or label)

Below them the panel lists the *links* (relation candidates) of the focused candidate, with
the same markers; enter accepts the focused link (and its two spans, if gold lacks them),
R rejects it, ; moves to the next one. Every key comes from :mod:`annotator.tui.bindings`.

Decisions go through the store's gold methods (one undoable action each, in the event
log, with the reviewer's name, the time and the annotators the span came from). The
screen never changes an annotator's own spans.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ...errors import AnnotatorError
from ...review.candidates import Candidate, RelationCandidate, ReviewDocument, review_document
from ...review.rules import (
    accept_agreed_everywhere, accept_changes, describe_agreed, open_disagreements, reject_changes,
)
from ...store import ActionResult, GoldChange, RelationChange, Store
from ...editing.editor import move_range
from ...text import excerpt, inline_text
from ..bindings import APP, REVIEW, bindings, first_key, keymap_of, keys_line, label_bindings
from ..commands import ScreenCommands
from ..compat import add_bindings
from ..keymap import use_keymap
from ..notify import PlainNotifications
from ..store_calls import StoreCalls
from ..widgets.document_view import DocumentView, Highlight
from ..widgets.wait import DatabaseWait

MARKERS = {"agreed": "=", "disagreed": "≠", "accepted": "✓", "rejected": "✗"}
#: The most annotators' notes shown under a candidate in the panel (the rest are counted).
NOTES_SHOWN = 3

#: Background colour and a text style per state, so the states differ without colour too.
STATE_STYLES = {
    "agreed": Style(bgcolor="#2f5f4f", underline=True),
    "disagreed": Style(bgcolor="#87501f", italic=True, underline=True),
    "accepted": Style(bgcolor="#1f6f2f", bold=True),
    "rejected": Style(color="#9e9e9e", strike=True, dim=True),
}
STATE_PRIORITY = {"rejected": 0, "agreed": 1, "accepted": 2, "disagreed": 3}
#: The same looks as Content style strings (for the panel's legend).
STATE_MARKUP = {
    "agreed": "on #2f5f4f underline",
    "disagreed": "on #87501f italic underline",
    "accepted": "on #1f6f2f bold",
    "rejected": "#9e9e9e strike dim",
}

#: The keys line: (binding ids, what they do); its form for narrow terminals (80 columns). The keys
#: shown are the user's (the keymap applied), from the bindings table.
KEYS = (
    (("span.accept",), "accept"), (("span.remove",), "reject"), (("span.accept_agreed",), "accept agreed"),
    (("link.confirm", "link.remove"), "link"), (("span.next", "span.previous"), "disagreement"),
    (("document.next", "document.previous"), "document"), (("undo",), "undo"), (("help",), "help"),
    (("quit",), "quit"),
)
KEYS_NARROW = (
    (("span.accept", "span.remove"), "accept/reject"), (("span.accept_agreed",), "agreed"),
    (("link.confirm", "link.remove"), "link"), (("span.next",), "next"),
    (("document.next", "document.previous"), "doc"), (("undo",), "undo"), (("help",), "help"),
)

#: Below the keys on the help screen.
HELP_NOTES = """\
Markers: = agreed   ≠ disagreement   ✓ accepted   ✗ rejected   + yours   ✎ annotators' notes (shown under the cursor)
Rejecting a candidate rejects its links in the same action (a link to a span that is not gold cannot be gold).
Accepting a candidate rejects its undecided rivals in the same action: the same words with another
label, the same label with other boundaries, crossing spans (a span of another label nested in it
stays open). The boundary keys edit the candidate under the cursor; accept (or a label key) takes the edit."""


@dataclass
class DocSummary:
    disagreements: int
    settled: int
    reviewed: bool
    link_disagreements: int = 0
    links_settled: int = 0


def _summary(review: ReviewDocument) -> DocSummary:
    return DocSummary(
        len(review.disagreements), review.settled_disagreements, review.reviewed,
        len(review.relation_disagreements), review.settled_relation_disagreements,
    )


class ReviewScreen(StoreCalls, Screen[None]):
    DEFAULT_CSS = """
    ReviewScreen #review-header { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    ReviewScreen #review-keys { height: 1; background: $panel; color: $foreground-muted; padding: 0 1; }
    ReviewScreen #review-body { height: 1fr; }
    ReviewScreen DocumentView { width: 1fr; height: 1fr; }
    ReviewScreen #review-panel {
        width: 40; height: 1fr; background: $surface; border-left: vkey $primary 50%;
    }
    ReviewScreen .panel-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    ReviewScreen #review-here { height: auto; min-height: 3; max-height: 14; padding: 0 1; }
    ReviewScreen #review-list-scroll { height: 1fr; }
    ReviewScreen #review-list { padding: 0 1; }
    ReviewScreen #review-legend { height: auto; padding: 0 1; border-top: hkey $primary 50%; }
    """

    COMMANDS = Screen.COMMANDS | {ScreenCommands}

    KEYS_SCREEN = REVIEW
    HELP_TITLE = "review keys"
    HELP_SAVED = "every decision is saved at once, with your name and the time"
    HELP_NOTES = HELP_NOTES
    #: Every key of this screen comes from the one bindings table (the label keys are added per schema).
    BINDINGS = bindings(REVIEW)

    def __init__(self, store: Store, reviewer: str, *, blind: bool = False, start: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.reviewer = reviewer
        self.blind = blind
        self.schema = store.schema
        add_bindings(self, label_bindings(self.schema, REVIEW), first=True)
        self.doc_ids: list[str] = []
        self.summaries: dict[str, DocSummary] = {}
        for doc_id in store.document_ids():
            review = review_document(store, doc_id)
            if review.candidates:
                self.doc_ids.append(doc_id)
                self.summaries[doc_id] = _summary(review)
        self.document_id: str | None = None
        self.document_name = ""
        self.review: ReviewDocument | None = None
        self.pick = 0
        self.link_pick = 0
        #: A candidate being edited: (start, end, label, replacing key, sources).
        self.draft: tuple[int, int, str, tuple[int, int, str] | None, tuple[str, ...]] | None = None
        self._start = start
        #: The candidate (and link) to focus once the cursor-moved message of a jump arrives (] and [).
        self._focus_after_move: tuple[Candidate, RelationCandidate | None] | None = None

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="review-header")
        yield DatabaseWait(id="db-wait")
        with Horizontal(id="review-body"):
            yield DocumentView(id="review-doc")
            with Vertical(id="review-panel"):
                yield Static(Content("Under the cursor"), classes="panel-title")
                yield Static(Content(""), id="review-here")
                yield Static(Content("Candidates"), classes="panel-title", id="review-list-title")
                with VerticalScroll(id="review-list-scroll"):
                    yield Static(Content(""), id="review-list")
                yield Static(self._legend(), id="review-legend")
        yield Static(Content(self.keys_line(KEYS)), id="review-keys")

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    def on_mount(self) -> None:
        if not self.doc_ids:
            self.query_one("#review-header", Static).update(
                Content("Nothing to review: no document has annotators' spans yet.  q quits")
            )
            return
        start = self._start if self._start in self.doc_ids else None
        if start is None:
            start = next((d for d in self.doc_ids if self._open(d)), self.doc_ids[0])
        self.view.snap_words = True  # as on the annotation screen: z switches to characters and tokens
        self.open_document(start)
        self.view.focus()
        self.watch_database()

    # -- the database -----------------------------------------------------------------------

    def show_waiting(self, seconds: float | None) -> None:
        self.query_one("#db-wait", DatabaseWait).show(seconds)

    def database_changed(self) -> None:
        """Another session decided or annotated: redraw this document's candidates (the cursor stays)."""
        if self.document_id is not None and not self.writes_waiting:
            self.reload()

    def _open(self, doc_id: str) -> bool:
        s = self.summaries[doc_id]
        return s.settled < s.disagreements or s.links_settled < s.link_disagreements

    # -- documents and drawing -------------------------------------------------------------

    def open_document(self, doc_id: str, cursor: int | None = None) -> None:
        doc = self.store.get_document(doc_id)
        self.document_id, self.document_name = doc.id, doc.name
        self.draft = None
        self.pick = 0
        self.link_pick = 0
        self.review = review_document(self.store, doc_id)
        if cursor is None:
            targets = self._open_targets()
            if targets:
                self._focus_after_move = targets[0]  # focused when load's cursor-moved message arrives
            first = targets[0][0] if targets else (self.review.candidates[0] if self.review.candidates else None)
            cursor = first.start if first else 0
        self.view.load(doc.text, self._highlights(), cursor=cursor)
        self.refresh_panels()

    def reload(self, cursor: int | None = None) -> None:
        """Re-read the current document's candidates after a decision (or undo)."""
        assert self.document_id is not None
        self.review = review_document(self.store, self.document_id)
        self.summaries[self.document_id] = _summary(self.review)
        self.view.set_highlights(self._highlights())
        if cursor is not None:
            self.view.move_cursor(cursor)
        self.refresh_panels()

    def _highlights(self) -> list[Highlight]:
        assert self.review is not None
        return [
            Highlight(f"{c.start}:{c.end}:{c.label}", c.start, c.end, STATE_STYLES[c.state], STATE_PRIORITY[c.state])
            for c in self.review.candidates
        ]

    def _who(self, names: tuple[str, ...]) -> str:
        assert self.review is not None
        if not names:
            return "reviewer"
        if self.blind:
            order = self.review.annotators
            return ", ".join(f"#{order.index(n) + 1}" if n in order else "#?" for n in names)
        return ", ".join(inline_text(name) for name in names)

    def _label_style(self, label: str) -> str:
        try:
            return f"bold {self.schema.label(label).colour}"
        except KeyError:
            return "bold"

    def _line(self, c: Candidate, text: str, pointer: bool = False, notes: bool = False) -> Content:
        """A candidate: marker, label, words; offsets, who made it, state; with ``notes``, the annotators'
        notes on it below (``✎ alice: ...``, one line each, at most :data:`NOTES_SHOWN`), else a ``✎`` when
        it has any."""
        marker = "+" if c.reviewer_made else MARKERS[c.state]
        state = "yours" if c.reviewer_made else c.state
        room = max(8, 30 - len(c.label))
        line = Content.assemble(
            ("▶" if pointer else " ", "bold"),
            (f"{marker} ", "bold"),
            (c.label, self._label_style(c.label)),
            " ",
            (excerpt(inline_text(text[c.start:c.end]), room), "italic"),
            f"\n    {c.start}-{c.end} · ",
            (self._who(c.annotators), "dim" if not c.annotators else ""),
            f" · {state}",
            " ✎" if c.notes and not notes else "",
        )
        if not notes or not c.notes:
            return line
        parts: list[Content] = [line]
        for name, note in c.notes[:NOTES_SHOWN]:
            who = self._who((name,))
            parts.append(Content.assemble("\n    ✎ ", (who, "bold"), ": ",
                                          (excerpt(note, max(8, 30 - len(who))), "italic")))
        if len(c.notes) > NOTES_SHOWN:
            parts.append(Content(f"\n    ✎ and {len(c.notes) - NOTES_SHOWN} more notes"))
        return Content.assemble(*parts)

    def _link_line(self, link: RelationCandidate, focus: Candidate, text: str, pointer: bool = False) -> Content:
        """A link of ``focus``: its label, an arrow towards the other end, that end's label and words."""
        outgoing = link.head == focus.key
        start, end, label = link.child if outgoing else link.head
        marker = "+" if link.reviewer_made else MARKERS[link.state]
        state = "yours" if link.reviewer_made else link.state
        room = max(6, 27 - len(link.label) - len(label))  # one line, like a candidate's
        return Content.assemble(
            ("▶" if pointer else " ", "bold"),
            (f"{marker} ", "bold"),
            (link.label, "bold"),
            " → " if outgoing else " ← ",
            (label, self._label_style(label)),
            " ",
            (excerpt(inline_text(text[start:end]), room), "italic"),
            f"\n    {start}-{end} · ",
            (self._who(link.annotators), "dim" if not link.annotators else ""),
            f" · {state}",
        )

    def links_here(self) -> list[RelationCandidate]:
        """The links of the focused candidate."""
        focus = self.current_candidate()
        if focus is None or self.review is None:
            return []
        return self.review.links_of(focus.key)

    def current_link(self) -> RelationCandidate | None:
        links = self.links_here()
        return links[self.link_pick % len(links)] if links else None

    def here(self) -> list[Candidate]:
        if self.review is None:
            return []
        return self.review.at(self.view.cursor)

    def current_candidate(self) -> Candidate | None:
        here = self.here()
        return here[self.pick % len(here)] if here else None

    def refresh_panels(self) -> None:
        if self.review is None:
            return
        text = self.view.text
        here = self.here()
        focus = self.current_candidate()
        lines = [self._line(c, text, pointer=(c == focus and len(here) > 1), notes=True) for c in here]
        links = self.links_here()
        if focus is not None and links:
            link = self.current_link()
            keys = f"  {self.key('link.confirm')} ✓  {self.key('link.remove')} ✗"
            lines.append(Content.assemble((f" links of this {focus.label}", "bold"), (keys, "dim")))
            lines += [self._link_line(r, focus, text, pointer=(r == link and len(links) > 1)) for r in links]
        if self.draft is not None:
            s, e, label, _, _ = self.draft
            lines.append(Content.assemble(("✎ edit ", "bold"), (label, self._label_style(label)),
                                          f" {s}-{e} ", (excerpt(inline_text(text[s:e]), 20), "italic"),
                                          f"\n     {self.key('span.accept')} accepts, a label key relabels, "
                                          f"{self.key('cancel')} cancels"))
        if not lines:
            lines = [Content("no candidate here\n] next open disagreement")]
        self.query_one("#review-here", Static).update(Content("\n").join(lines))
        items = [self._line(c, text, pointer=(c == focus)) for c in self._listed(self.review.candidates)]
        self.query_one("#review-list", Static).update(Content("\n").join(items))
        r = self.review
        self.query_one("#review-list-title", Static).update(
            Content(f"Candidates: {len(r.agreed)} agreed, {len(r.disagreements)} disagreed"
                    + (f" (the {LIST_WINDOW} nearest the cursor listed)" if len(r.candidates) > LIST_WINDOW else ""))
        )
        self.refresh_header()

    def _listed(self, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates the list shows: all of them, or the :data:`LIST_WINDOW` nearest the cursor in
        reading order (a document may hold 50,000 spans: the list was rebuilt whole on every move, and
        took 35 s to show that many)."""
        if len(candidates) <= LIST_WINDOW:
            return candidates
        starts = [c.start for c in candidates]
        middle = bisect.bisect_left(starts, self.view.cursor)
        first = max(0, min(middle - LIST_WINDOW // 2, len(candidates) - LIST_WINDOW))
        return candidates[first : first + LIST_WINDOW]

    def refresh_header(self) -> None:
        total = sum(s.disagreements for s in self.summaries.values())
        settled = sum(s.settled for s in self.summaries.values())
        reviewed = sum(1 for s in self.summaries.values() if s.reviewed)
        position = self.doc_ids.index(self.document_id) + 1 if self.document_id in self.doc_ids else 0
        links = sum(s.link_disagreements for s in self.summaries.values())
        links_settled = sum(s.links_settled for s in self.summaries.values())
        flags: list[tuple[str, str]] = []
        if self.blind:
            flags.append(("  [blind]", "bold"))
        if self.store.readonly:
            flags.append(("  read-only", "bold reverse"))
        name = inline_text(self.document_name)
        n = len(self.doc_ids)
        # relation disagreements are counted apart: a link is settled on its own key
        progress = (
            f"{settled} of {total} disagreements, {links_settled} of {links} links settled" if links
            else f"{settled} of {total} disagreements settled"
        )
        tail = f" · {reviewed} of {n} documents reviewed · {self.reviewer}"
        parts: list[tuple[str, str] | str] = [
            ("Review ", "bold"), (name, "bold"), f" {position}/{n} · ", (progress, "bold"), tail, *flags,
        ]
        width = self._header_width()
        if Content.assemble(*parts).cell_length > width:
            # a narrow terminal: short figures, the document name cut to what is left, the flags kept
            progress = f"settled {settled}/{total}" + (f", links {links_settled}/{links}" if links else "")
            tail = f" · reviewed {reviewed}/{n} docs · {self.reviewer}"
            rest = Content.assemble(f" {position}/{n} · ", progress, tail, *flags).cell_length
            parts = [
                (excerpt(name, max(8, width - rest)), "bold"), f" {position}/{n} · ", (progress, "bold"), tail, *flags,
            ]
        self.query_one("#review-header", Static).update(Content.assemble(*parts))
        keys = self.keys_line(KEYS)
        if len(keys) > width:
            keys = self.keys_line(KEYS_NARROW)
        self.query_one("#review-keys", Static).update(Content(keys))

    def _header_width(self) -> int:
        """The header's width inside its padding (the screen's, before the first layout)."""
        width = self.query_one("#review-header", Static).size.width or self.app.size.width - 2
        return max(20, width)

    def on_resize(self) -> None:
        if self.review is not None:
            self.refresh_header()

    def _legend(self) -> Content:
        parts: list[tuple[str, str] | str] = []
        for state in ("agreed", "disagreed", "accepted", "rejected"):
            parts += [(f" {MARKERS[state]} {state} ", STATE_MARKUP[state]), " "]
        parts.append("+ yours")
        return Content.assemble(*parts)

    # -- events ------------------------------------------------------------------------------

    @on(DocumentView.CursorMoved)
    def _moved(self, event: DocumentView.CursorMoved) -> None:
        want, self._focus_after_move = self._focus_after_move, None
        self.pick, self.link_pick = 0, 0
        if want is not None:
            self._focus(*want)
        if self.draft is not None and self.view.selection is None:
            self.draft = None
        self.refresh_panels()

    @on(DocumentView.SelectionChanged)
    def _selection(self, event: DocumentView.SelectionChanged) -> None:
        if event.selection is None and self.draft is not None:
            self.draft = None
            self.refresh_panels()

    # -- deciding ----------------------------------------------------------------------------

    def _write(self, changes: list[GoldChange | RelationChange], cursor: int | None = None,
               then: str | None = None) -> None:
        """Write decisions (off the UI thread); when they land, redraw and say ``then``."""
        document_id = self.document_id

        def landed(_: object) -> None:
            if self.document_id != document_id:
                return  # landed after the reviewer moved on; that document's summary is updated on return
            self.draft = None
            self.view.clear_selection()
            self.reload(cursor)
            if then:
                self.notify(then)

        self.store_call(lambda store: store.decide_many(document_id, changes, self.reviewer), landed)

    def _accept_changes(
        self, start: int, end: int, label: str, sources: tuple[str, ...], replacing: tuple[int, int, str] | None
    ) -> list[GoldChange]:
        """Accept (start, end, label); reject what it replaces and its open rivals (review.rules)."""
        assert self.review is not None
        return accept_changes(self.review, start, end, label, sources, replacing)

    def action_accept(self) -> None:
        if self.draft is not None:
            s, e, label, replacing, sources = self.draft
            self._write(self._accept_changes(s, e, label, sources, replacing), cursor=s)
            return
        c = self.current_candidate()
        if c is None:
            if self.view.selection:
                self.notify("press a label key to accept the selection with that label")
            else:
                self.notify(f"no candidate under the cursor: {self.key('span.next')} goes to the next "
                            "open disagreement")
            return
        self._write(self._accept_changes(c.start, c.end, c.label, c.annotators, None), cursor=self.view.cursor)

    def action_tag(self, label: str) -> None:
        """A label key (the same binding as on the annotation screen): accept as that label."""
        self.accept_as(label)

    def accept_as(self, label: str) -> None:
        """A label key: accept the draft, the selection or the candidate here with ``label``."""
        if self.draft is not None:
            s, e, _, replacing, sources = self.draft
            self._write(self._accept_changes(s, e, label, sources, replacing), cursor=s)
            return
        selection = self.view.selection
        if selection is not None:
            s, e = selection
            self._write(self._accept_changes(s, e, label, (), None), cursor=s)
            return
        c = self.current_candidate()
        if c is None:
            self.notify(f"no candidate under the cursor: select a stretch first ({self.key('select.mark')} or "
                        "shift+arrows)")
            return
        self._write(self._accept_changes(c.start, c.end, label, c.annotators, c.key), cursor=self.view.cursor)

    def action_reject(self) -> None:
        c = self.current_candidate()
        if c is None:
            self.notify("no candidate under the cursor")
            return
        assert self.review is not None
        changes = reject_changes(self.review, c.key)  # and its links: a link to a span not gold cannot be gold
        links = len(changes) - 1
        then = f"rejected {c.label} and its {links} link{'s' if links != 1 else ''}" if links else None
        self._write(changes, cursor=self.view.cursor, then=then)

    def action_accept_agreed(self) -> None:
        assert self.review is not None
        changes = self.review.agreed_changes()
        if not changes:
            self.notify("no undecided agreed candidate in this document")
            return
        self._write(changes, cursor=self.view.cursor, then=f"accepted {describe_agreed(changes)}")

    def action_cycle(self, step: int = 1) -> None:
        if len(self.here()) > 1:
            self.pick += step
            self.link_pick = 0
            self.refresh_panels()

    # -- links (relation candidates) -------------------------------------------------------------

    def _decide_link(self, decision: str) -> None:
        link = self.current_link()
        if link is None:
            self.notify(f"the candidate under the cursor has no link to decide ({self.key('span.next')}: another "
                        "candidate here)")
            return
        self._write([RelationChange(*link.key, decision, link.annotators)], cursor=self.view.cursor)

    def action_accept_link(self) -> None:
        self._decide_link("accept")

    def action_reject_link(self) -> None:
        self._decide_link("reject")

    def action_cycle_link(self) -> None:
        if len(self.links_here()) > 1:
            self.link_pick += 1
            self.refresh_panels()

    # -- boundary edits ------------------------------------------------------------------------

    def _draft_or_focus(self) -> tuple[int, int, str, tuple[int, int, str] | None, tuple[str, ...]] | None:
        if self.draft is not None:
            return self.draft
        c = self.current_candidate()
        if c is None:
            return None
        return (c.start, c.end, c.label, c.key if not c.reviewer_made else c.key, c.annotators)

    def _set_draft(self, start: int, end: int, draft) -> None:
        if start >= end:
            return
        self.draft = (start, end, draft[2], draft[3], draft[4])
        self.view.select(start, end, cursor=start)
        self.refresh_panels()

    def action_move_start(self, step: int) -> None:
        self._move_edge("start", step)

    def action_move_end(self, step: int) -> None:
        self._move_edge("end", step)

    def _move_edge(self, edge: str, step: int) -> None:
        """The annotation screen's boundary move (the editing model's ``move_range``, snapped): by words,
        or by tokens after ``z``."""
        draft = self._draft_or_focus()
        if draft is None:
            self.notify("no candidate under the cursor to edit")
            return
        moved = move_range(self.view.text, draft[0], draft[1], edge, step, self.view.snap_words)
        if moved is None:
            self.notify("a span cannot be empty: reject it instead", severity="warning", timeout=3)
        elif moved != (draft[0], draft[1]):
            self._set_draft(*moved, draft)

    def action_toggle_snap(self) -> None:
        view = self.view
        view.snap_words = not view.snap_words
        view.refresh()
        self.notify("Selections and edge keys go by whole words" if view.snap_words
                    else "Selections and edge keys go by characters and tokens", timeout=2)

    # -- navigation ------------------------------------------------------------------------------

    def _open_targets(self) -> list[tuple[Candidate, RelationCandidate | None]]:
        """Where ] and [ stop: each open span disagreement, and the head of each open link disagreement
        (with that link), in reading order."""
        assert self.review is not None
        return open_disagreements(self.review)

    def _focus(self, candidate: Candidate, link: RelationCandidate | None) -> None:
        """Focus ``candidate`` among those under the cursor, and ``link`` among its links."""
        here = self.here()
        self.pick = here.index(candidate) if candidate in here else 0
        links = self.links_here()
        self.link_pick = links.index(link) if link in links else 0

    def _go_candidate(self, forward: bool) -> None:
        assert self.review is not None
        open_ = self._open_targets()
        if not open_:
            self.notify("every disagreement (span and link) in this document is settled: "
                        f"{self.key('document.next')} goes to the next document")
            return
        cur = self.view.cursor
        if forward:
            target = next((t for t in open_ if t[0].start > cur), open_[0])
        else:
            target = next((t for t in reversed(open_) if t[0].start < cur), open_[-1])
        start = target[0].start
        before = self.view.cursor
        self.view.move_cursor(start)
        if self.view.cursor != before:  # the CursorMoved message, handled later, focuses the target
            self._focus_after_move = target
        self.view.scroll_to_offset(start, center=True)
        self._focus(*target)
        self.refresh_panels()

    def action_next_disagreement(self) -> None:
        self._go_candidate(True)

    def action_previous_disagreement(self) -> None:
        self._go_candidate(False)

    def _go_document(self, step: int) -> None:
        if self.document_id is None:
            return
        i = self.doc_ids.index(self.document_id)
        n = len(self.doc_ids)
        for k in range(1, n + 1):
            doc_id = self.doc_ids[(i + step * k) % n]
            if self._open(doc_id) and doc_id != self.document_id:
                self.open_document(doc_id)
                return
        self.notify("no other document has open disagreements")

    def action_next_document(self) -> None:
        self._go_document(1)

    def action_previous_document(self) -> None:
        self._go_document(-1)

    # -- undo, help, quit ------------------------------------------------------------------------

    def _invert(self, kind: str) -> None:
        self.store_call(lambda store: store.undo(self.reviewer) if kind == "undo" else store.redo(self.reviewer),
                        lambda result: self._inverted(kind, result))

    def _inverted(self, kind: str, result: ActionResult | None) -> None:
        if result is None:
            self.notify(f"nothing to {kind}")
            return
        if result.skipped:
            self.notify(inline_text(result.description), severity="warning", timeout=8, markup=False)
            return
        doc_id = result.document_id
        if doc_id and doc_id != self.document_id and doc_id in self.doc_ids:
            self.open_document(doc_id)
            # other documents' summaries may have changed too (an --auto-accept spans them all)
        for other in self.doc_ids:
            if other != self.document_id:
                self.summaries[other] = _summary(review_document(self.store, other))
        self.draft = None
        self.reload(cursor=result.offset)
        self.notify(inline_text(_brief_description(result.description)), markup=False)

    def action_undo(self) -> None:
        self._invert("undo")

    def action_redo(self) -> None:
        self._invert("redo")

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def key(self, binding_id: str) -> str:
        """The (first) key of a binding as the user has it, for hints in messages."""
        return first_key(binding_id, keymap_of(self))

    def keys_line(self, items) -> str:
        return keys_line(items, keymap_of(self))

    def action_quit(self) -> None:
        self.app.exit()


#: Most candidates the review screen's list shows at once (those nearest the cursor).
LIST_WINDOW = 200


class ReviewApp(PlainNotifications, App[None]):
    """Pushes one :class:`ReviewScreen`; ``auto_accept`` first accepts every agreed candidate (one action)."""

    TITLE = "annotator review"
    ENABLE_COMMAND_PALETTE = True  # ctrl+p: every review action by name (ScreenCommands)
    BINDINGS = bindings(APP)

    def __init__(
        self, store: Store, reviewer: str, *, blind: bool = False, auto_accept: bool = False, start: str | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        use_keymap(self, keymap)
        self.store = store
        self.reviewer = reviewer
        self.blind = blind
        self.start = start
        changes = accept_agreed_everywhere(store, reviewer) if auto_accept else []
        self.auto_accepted = len(changes)
        self._auto_accepted_text = describe_agreed(changes)

    def on_unmount(self) -> None:
        """Decisions still waiting for the database land before the process ends."""
        writer = getattr(self, "store_writer", None)
        if writer is not None:
            writer.close()

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.store, self.reviewer, blind=self.blind, start=self.start))
        if self.auto_accepted:
            self.notify(f"accepted {self._auto_accepted_text} ({first_key('undo', self.keymap)} undoes)")


def _brief_description(description: str, keep: int = 2) -> str:
    """An undo/redo description of many decisions cut to its first ``keep`` and how many more
    (a toast shows a few lines: an undone accept-all would show only its tail)."""
    head, sep, rest = description.partition(": ")
    parts = rest.split("; ") if sep else [description]
    if len(parts) <= keep + 1:
        return description
    return f"{head}{sep}{'; '.join(parts[:keep])} and {len(parts) - keep} more decisions"


def run_review_app(
    store: Store, reviewer: str, *, blind: bool = False, auto_accept: bool = False, start: str | None = None,
    mouse: bool = True, keymap: Mapping[str, str] | None = None,
) -> None:
    ReviewApp(store, reviewer, blind=blind, auto_accept=auto_accept, start=start, keymap=keymap).run(mouse=mouse)
