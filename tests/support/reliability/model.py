"""The deterministic annotator: a seeded :class:`Model` that picks actions and knows the rows they leave.

A :class:`Model` driven by a seeded random generator decides each action (tag,
relabel, resize, delete, link, mark status, undo, redo) and knows the
annotator's resulting rows, so a scenario can say exactly which rows the
database must hold after the workers finish, or after one is killed having
acknowledged ``k`` actions (then the database holds the state after ``k`` or,
if the kill landed after the commit but before the acknowledgement, ``k + 1``
actions: nothing else, and never half an action).
"""

from __future__ import annotations

import json
import random
from typing import Any

from annotator.models import Relation, Span, Status
from annotator.store import Store

from .figures import ReliabilityFailure

#: The columns compared for each tracked table (timestamps differ run to run).
SPAN_COLS = ("id", "document_id", "start", "end", "label", "annotator", "note")
REL_COLS = ("id", "document_id", "head", "child", "label", "annotator")
STATUS_COLS = ("document_id", "annotator", "status")

LABELS = ("CLAIM", "FIGURE", "SOURCE", "ENTITY")

State = dict[str, dict[str, tuple]]


def _empty_state() -> State:
    return {"spans": {}, "relations": {}, "statuses": {}}


def _copy(state: State) -> State:
    return {table: dict(rows) for table, rows in state.items()}


class Model:
    """One annotator's rows and undo/redo stacks, advanced one action at a time.

    ``next_op()`` picks an action with the seeded generator, applies it to the
    model and returns it as a JSON-able dict that :func:`execute` performs on a
    store. Span and relation ids are ``<annotator>-s<n>`` / ``-r<n>``.
    """

    def __init__(self, annotator: str, lengths: dict[str, int], seed: int) -> None:
        self.annotator = annotator
        self.lengths = lengths
        self.docs = sorted(lengths)
        self.rng = random.Random(seed)
        self.state = _empty_state()
        self.undo_stack: list[State] = []
        self.redo_stack: list[State] = []
        self.counter = 0

    def _do(self, new_state: State) -> None:
        self.undo_stack.append(self.state)
        self.redo_stack.clear()
        self.state = new_state

    def _random_range(self, doc: str) -> tuple[int, int]:
        length = self.lengths[doc]
        start = self.rng.randrange(0, length)
        end = self.rng.randrange(start + 1, min(length, start + 12) + 1)
        return start, end

    def next_op(self) -> dict[str, Any]:
        rng = self.rng
        spans = self.state["spans"]
        if self.redo_stack and rng.random() < 0.3:
            new = self.redo_stack.pop()
            self.undo_stack.append(self.state)
            self.state = new
            return {"op": "redo"}
        roll = rng.random()
        if roll < 0.07 and self.undo_stack:
            new = self.undo_stack.pop()
            self.redo_stack.append(self.state)
            self.state = new
            return {"op": "undo"}
        if roll < 0.14:
            doc = rng.choice(self.docs)
            status = rng.choice([s.value for s in Status])
            key = json.dumps([doc, self.annotator])
            current = self.state["statuses"].get(key)
            if current is not None and current[2] == status:
                return {"op": "status", "doc": doc, "status": status}  # a no-op in the store too: no action
            new = _copy(self.state)
            new["statuses"][key] = (doc, self.annotator, status)
            self._do(new)
            return {"op": "status", "doc": doc, "status": status}
        if roll < 0.22:
            heads = [s for s in spans.values() if s[4] in ("CLAIM", "FIGURE")]
            if heads:
                head = rng.choice(heads)
                children = [s for s in spans.values() if s[4] == "SOURCE" and s[1] == head[1]]
                child = rng.choice(children) if children else None
                linked = {(r[2], r[3]) for r in self.state["relations"].values()}
                if child is not None and (head[0], child[0]) not in linked:  # the store refuses a second copy
                    self.counter += 1
                    rel_id = f"{self.annotator}-r{self.counter}"
                    new = _copy(self.state)
                    new["relations"][json.dumps([rel_id])] = (
                        rel_id, head[1], head[0], child[0], "ATTRIBUTED_TO", self.annotator
                    )
                    self._do(new)
                    return {"op": "link", "id": rel_id, "doc": head[1], "head": head[0], "child": child[0]}
        if spans and roll < 0.45:
            span = spans[rng.choice(sorted(spans))]
            span_id = span[0]
            if rng.random() < 0.4:
                new = _copy(self.state)
                del new["spans"][json.dumps([span_id])]
                for key, rel in list(new["relations"].items()):
                    if span_id in (rel[2], rel[3]):
                        del new["relations"][key]
                self._do(new)
                return {"op": "delete", "id": span_id}
            changes: dict[str, Any] = {}
            if rng.random() < 0.5:
                changes["label"] = rng.choice(LABELS)
            else:
                changes["start"], changes["end"] = self._random_range(span[1])
            row = list(span)
            if "label" in changes:
                row[4] = changes["label"]
            else:
                row[2], row[3] = changes["start"], changes["end"]
            if self._taken(row[1], row[2], row[3], row[4], span_id):
                return self._add()  # the store refuses a change onto a span the annotator holds
            new = _copy(self.state)
            new["spans"][json.dumps([span_id])] = tuple(row)
            self._do(new)
            return {"op": "update", "id": span_id, **changes}
        return self._add()

    def _taken(self, doc: str, start: int, end: int, label: str, other_than: str | None = None) -> bool:
        """Whether the annotator holds that span already (the store refuses a duplicate: AlreadyExists)."""
        return any(s[1:5] == (doc, start, end, label) and s[0] != other_than for s in self.state["spans"].values())

    def _add(self) -> dict[str, Any]:
        rng = self.rng
        doc = rng.choice(self.docs)
        start, end = self._random_range(doc)
        label = rng.choice(LABELS)
        while self._taken(doc, start, end, label):  # another draw: the store refuses a duplicate
            doc = rng.choice(self.docs)
            start, end = self._random_range(doc)
            label = rng.choice(LABELS)
        self.counter += 1
        span_id = f"{self.annotator}-s{self.counter}"
        new = _copy(self.state)
        new["spans"][json.dumps([span_id])] = (span_id, doc, start, end, label, self.annotator, "")
        # the store's rule: tagging a document still to do moves it to in progress, in the same action
        key = json.dumps([doc, self.annotator])
        if new["statuses"].get(key, (doc, self.annotator, Status.todo.value))[2] == Status.todo.value:
            new["statuses"][key] = (doc, self.annotator, Status.in_progress.value)
        self._do(new)
        return {"op": "add", "id": span_id, "doc": doc, "start": start, "end": end, "label": label}


def execute(store: Store, annotator: str, op: dict[str, Any]) -> None:
    """Perform one model action on a store (one transaction, or none for a no-op)."""
    kind = op["op"]
    if kind == "add":
        store.add_span(
            Span(id=op["id"], document_id=op["doc"], start=op["start"], end=op["end"], label=op["label"],
                 annotator=annotator)
        )
    elif kind == "update":
        store.update_span(op["id"], annotator, start=op.get("start"), end=op.get("end"), label=op.get("label"))
    elif kind == "delete":
        store.delete_span(op["id"], annotator)
    elif kind == "link":
        store.add_relation(
            Relation(id=op["id"], document_id=op["doc"], head=op["head"], child=op["child"], label="ATTRIBUTED_TO",
                     annotator=annotator)
        )
    elif kind == "status":
        store.set_status(op["doc"], annotator, Status(op["status"]))
    elif kind == "undo":
        if store.undo(annotator) is None:
            raise ReliabilityFailure(f"{annotator}: undo found nothing to undo")
    elif kind == "redo":
        if store.redo(annotator) is None:
            raise ReliabilityFailure(f"{annotator}: redo found nothing to redo")
    else:  # pragma: no cover
        raise ValueError(kind)


def model_states(annotator: str, lengths: dict[str, int], seed: int, n_actions: int) -> list[State]:
    """The model's state after 0, 1, ..., n_actions actions."""
    return model_states_at(annotator, lengths, seed, list(range(n_actions + 1)))


def model_states_at(annotator: str, lengths: dict[str, int], seed: int, counts: list[int]) -> list[State]:
    """The model's state after each of ``counts`` actions (states are immutable snapshots: no copying)."""
    model = Model(annotator, lengths, seed)
    wanted = sorted(set(counts))
    found: dict[int, State] = {}
    done = 0
    for count in wanted:
        while done < count:
            model.next_op()
            done += 1
        found[count] = model.state
    return [found[c] for c in counts]


def db_state(store: Store, annotator: str) -> State:
    """An annotator's rows in the database, in the model's form."""
    state = _empty_state()

    def rows(table: str, columns: tuple[str, ...]) -> list[tuple]:
        names = ", ".join(f'"{c}"' for c in columns)
        return store.conn.execute(f"SELECT {names} FROM {table} WHERE annotator = ?", [annotator]).fetchall()

    for row in rows("spans", SPAN_COLS):
        state["spans"][json.dumps([row[0]])] = tuple(row)
    for row in rows("relations", REL_COLS):
        state["relations"][json.dumps([row[0]])] = tuple(row)
    for row in rows("statuses", STATUS_COLS):
        state["statuses"][json.dumps([row[0], row[1]])] = tuple(row)
    return state


def jsonable(state: State) -> dict[str, dict[str, list]]:
    return {table: {k: list(v) for k, v in rows.items()} for table, rows in state.items()}


def from_jsonable(data: dict[str, dict[str, list]]) -> State:
    return {table: {k: tuple(v) for k, v in rows.items()} for table, rows in data.items()}
