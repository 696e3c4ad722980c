"""Pydantic models: documents, label schemas, spans, relations, statuses.

Offsets are Unicode code points of the stored document text, end exclusive,
everywhere inside the program. Other units (UTF-16 code units, bytes, terminal
cells, tokens) exist only at the edges that need them (see ``annotator.text.offsets``).
"""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator,
)

from .errors import AnnotatorError
from .ids import document_id_for, new_id, now  # noqa: F401  (re-exported: models.now etc.)

#: Every character a Textual colour can hold: #hex, names (ansi_bright_red), rgb()/rgba()/hsl()/hsla().
_COLOUR_CHARACTERS = re.compile(r"[#A-Za-z0-9_(),.% ]{1,64}")

#: Validation context key: the schema's colours were checked when it was set (see LabelSchema.from_stored).
TRUSTED_COLOURS = "colours_checked"


def check_colour(colour: str, *, parse: bool = True) -> str:
    """``colour`` if the screens can draw it; a ValueError saying why otherwise.

    A colour goes into Textual style strings, Rich styles, brat's visual.conf and
    Label Studio's config, so first only the characters a colour can hold are
    let through: ``link=...`` or ``@click`` would become markup, and a newline
    would start a section of visual.conf (Textual's own parser lets a trailing
    newline through). Then Textual's ``Color.parse``, the parser the screens
    use, so a schema they cannot draw is refused at load instead of killing
    every screen. Textual is imported here, not at the top: it costs 0.1 s,
    which commands without a screen must not pay (``parse=False`` skips it).
    """
    usage = " (use #rrggbb, rgb(r, g, b) or a colour name)"
    if not _COLOUR_CHARACTERS.fullmatch(colour):
        raise ValueError(f"not a colour: {colour!r}{usage}")
    if parse:
        from textual.color import Color, ColorParseError

        try:
            Color.parse(colour)
        except ColorParseError as exc:
            hint = f"; did you mean {exc.suggested_color!r}?" if exc.suggested_color else usage
            raise ValueError(f"not a colour: {colour!r}{hint}") from None
    return colour


#: Longest label or relation name.
MAX_NAME_LENGTH = 100
#: What the JSON Schemas say a label or relation name is (the validator below is the rule; this
#: pattern, for other tools, states it: no control, format or separator characters but the space,
#: and no space at either end).
_NOT_IN_NAMES = (r"\u0000-\u001f\u007f-\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u1680\u180e\u2000-\u200f"
                 r"\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb\ud800-\udfff\ue000-\uf8ff")
NAME_PATTERN = rf"^[^ {_NOT_IN_NAMES}](?:[^{_NOT_IN_NAMES}]*[^ {_NOT_IN_NAMES}])?$"


def check_name(name: str, what: str = "label name") -> str:
    """``name`` if it can name a label or relation type; a ValueError saying why otherwise.

    Any non-empty name of printable characters is allowed (``_gt_0``, ``Person name``,
    ``B-PER``, ``日本の地名``), up to :data:`MAX_NAME_LENGTH` characters: real schemas use
    them. Refused: control characters (ESC, C1 controls, tabs, line breaks), bidi and other
    format characters, separators other than the space (all would reach terminals and
    other tools' files), and spaces at either end (invisible, and lost by column formats).
    Exporters whose format cannot hold a name map it reversibly or refuse it (README, Export).
    """
    if not name.strip():
        raise ValueError(f"a {what} must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{what} {name[:20]!r}... is {len(name)} characters, over the limit of {MAX_NAME_LENGTH}")
    if not name.isprintable():
        bad = next(ch for ch in name if not ch.isprintable())
        raise ValueError(f"{what} {name!r} holds a control character (U+{ord(bad):04X}): use printable characters")
    if name != name.strip():
        raise ValueError(f"{what} {name!r} starts or ends with a space: remove it")
    return name


#: Keys the annotation screen uses for itself; a schema may not take them.
RESERVED_KEYS = frozenset("hjklwbgGvxmunpNdqrRaAzZ?/[](){}<>:,.;0123456789 -='\\")


class Status(str, Enum):
    """One annotator's progress on one document."""

    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    skipped = "skipped"
    #: the annotator rejected the document (a Prodigy ``reject`` answer, imported with --answers)
    rejected = "rejected"


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, json_schema_extra={"pattern": NAME_PATTERN})
    key: str = Field(min_length=1, max_length=1, description="One key that tags with this label.")
    colour: str = Field(default="#5f87d7", description="A Textual colour: #rrggbb or a colour name.")
    description: str = ""

    @field_validator("colour")
    @classmethod
    def _colour_is_drawable(cls, colour: str, info: ValidationInfo) -> str:
        return check_colour(colour, parse=not (info.context or {}).get(TRUSTED_COLOURS))

    @field_validator("name")
    @classmethod
    def _name_is_printable(cls, name: str) -> str:
        return check_name(name)

    @field_validator("key")
    @classmethod
    def _key_is_free(cls, key: str) -> str:
        if not key.isprintable() or key in RESERVED_KEYS:
            raise ValueError(f"key {key!r} is used by the annotation screen; choose another letter")
        return key


class RelationType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, json_schema_extra={"pattern": NAME_PATTERN})
    heads: list[str] = Field(default_factory=list, description="Labels allowed as head; empty allows any.")
    children: list[str] = Field(default_factory=list, description="Labels allowed as child; empty allows any.")
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_printable(cls, name: str) -> str:
        return check_name(name, "relation name")


class LabelSchema(BaseModel):
    """The labels (and relation types) a project annotates with."""

    model_config = ConfigDict(extra="forbid")

    name: str = "custom"
    labels: list[Label] = Field(min_length=1)
    relations: list[RelationType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> LabelSchema:
        names = [label.name for label in self.labels]
        keys = [label.key for label in self.labels]
        for seen, what in ((names, "label name"), (keys, "key")):
            dupes = sorted({x for x in seen if seen.count(x) > 1})
            if dupes:
                raise ValueError(f"duplicate {what} {dupes[0]!r}")
        for rel in self.relations:
            for label in rel.heads + rel.children:
                if label not in names:
                    raise ValueError(f"relation {rel.name} names unknown label {label!r}")
        return self

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    def label_for_key(self, key: str) -> Label | None:
        for label in self.labels:
            if label.key == key:
                return label
        return None

    def relation_type(self, name: str) -> RelationType | None:
        for rel in self.relations:
            if rel.name == name:
                return rel
        return None

    def relation_allowed(self, name: str, head_label: str, child_label: str) -> bool:
        rel = self.relation_type(name)
        if rel is None:
            return False
        return (not rel.heads or head_label in rel.heads) and (not rel.children or child_label in rel.children)

    @classmethod
    def from_file(cls, path: str | Path) -> LabelSchema:
        """Load a schema, turning any problem into one clear line naming the field."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AnnotatorError(f"schema file {path} not found: pass an existing JSON file to --schema") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AnnotatorError(f"schema file {path} is not valid JSON ({exc}): fix the file") from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise AnnotatorError(f"schema file {path}: {describe_validation_error(exc)}") from None

    @classmethod
    def from_stored(cls, data: Any) -> LabelSchema:
        """The project's schema as the database holds it.

        Its colours were parsed with Textual when it was set (``from_file``, or
        a schema built in code), so here only their characters are checked:
        every command reads the schema, and most must start without Textual.
        A stored schema that fails even that is an AnnotatorError naming the field.
        """
        try:
            return cls.model_validate(data, context={TRUSTED_COLOURS: True})
        except ValidationError as exc:  # stored by an older version, or edited by hand
            raise AnnotatorError(
                f"the label schema stored in the database: {describe_validation_error(exc)}: "
                "pass a corrected one with --schema FILE"
            ) from None

    def check_colours(self) -> None:
        """Parse every colour with Textual; ValueError naming the first that the screens cannot draw.

        For a schema stored before colours were checked: the commands that open
        a screen call this first (they import Textual anyway).
        """
        for index, label in enumerate(self.labels):
            try:
                check_colour(label.colour)
            except ValueError as exc:
                raise ValueError(f"labels.{index}.colour: {exc}") from None

    @classmethod
    def default(cls) -> LabelSchema:
        """The shipped news schema (its colours are checked by a test, not at every start)."""
        return cls.model_validate_json(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"), context={TRUSTED_COLOURS: True})


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem of a pydantic error as 'field.path: message'."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}"


DEFAULT_SCHEMA_PATH = Path(__file__).with_name("news.json")


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    text: str
    meta: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_text(cls, name: str, text: str, meta: dict[str, Any] | None = None) -> Document:
        return cls(id=document_id_for(text), name=name, text=text, meta=meta or {})


class Span(BaseModel):
    """A labelled stretch of a document: ``text[start:end]``, in code points."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    document_id: str
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    label: str
    annotator: str
    note: str = ""
    created: str = Field(default_factory=now)
    updated: str = Field(default_factory=now)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.start >= self.end:
            raise ValueError(f"span start {self.start} must be before end {self.end}")
        return self

    def check(self, text: str, schema: LabelSchema | None = None, expected_text: str | None = None) -> None:
        """Raise ValueError unless this span fits ``text`` (and ``schema``).

        ``expected_text`` is the covered text as a file gave it, if it did.
        """
        if self.end > len(text):
            raise ValueError(f"span {self.start}-{self.end} is out of range (the text has {len(text)} characters)")
        if schema is not None and self.label not in schema.label_names:
            raise ValueError(f"unknown label {self.label!r} (the schema has {', '.join(schema.label_names)})")
        if expected_text is not None and text[self.start : self.end] != expected_text:
            raise ValueError(
                f"span {self.start}-{self.end} covers {text[self.start:self.end]!r}, not {expected_text!r}"
            )

    def key(self) -> tuple[int, int, str]:
        """What two annotators must agree on for the same span."""
        return (self.start, self.end, self.label)


class Relation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    document_id: str
    head: str
    child: str
    label: str
    annotator: str
    created: str = Field(default_factory=now)


class DocumentStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: str
    annotator: str
    status: Status = Status.todo
    updated: str = Field(default_factory=now)


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas generated from the models, by file name."""
    return {
        "label-schema.schema.json": LabelSchema.model_json_schema(),
        "document.schema.json": Document.model_json_schema(),
        "span.schema.json": Span.model_json_schema(),
        "relation.schema.json": Relation.model_json_schema(),
    }
