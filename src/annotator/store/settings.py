"""Project settings (the label schema, the reviewer list): logged like every other change."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import AnnotatorError
from .connection import Database
from .log import ActionLog

if TYPE_CHECKING:
    from ..models import LabelSchema


class Settings:
    def __init__(self, db: Database, log: ActionLog) -> None:
        self.db = db
        self.log = log
        self._schema: LabelSchema | None = None
        self._schema_raw: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.db.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return json.loads(raw) if raw is not None else default

    def set(self, key: str, value: Any, actor: str, what: str | None = None) -> None:
        """Set a setting as one logged action of ``actor`` (nothing logged if it is already so)."""
        after = {"key": key, "value": json.dumps(value, ensure_ascii=False)}
        with self.log.action(actor, what or f"set {key}") as act:
            before = self.log.current("settings", after)
            if before == after:
                return
            act.write("settings", before, after, what or f"set {key}")

    @property
    def schema(self) -> LabelSchema:
        """The project's label schema: the one stored in the database, else the default.

        Re-read when the stored value changes (another session, an undo).
        """
        from ..models import LabelSchema

        raw = self.db.scalar("SELECT value FROM settings WHERE key = 'schema'")
        if self._schema is None or raw != self._schema_raw:
            self._schema = LabelSchema.from_stored(json.loads(raw)) if raw else LabelSchema.default()
            self._schema_raw = raw
        return self._schema

    def set_schema(self, schema: LabelSchema, actor: str) -> None:
        """Make ``schema`` the project's schema, refusing if existing spans use labels it lacks."""
        with self.log.action(actor, f"set schema {schema.name}"):
            missing = [
                label
                for (label,) in self.db.conn.execute("SELECT DISTINCT label FROM spans ORDER BY label")
                if label not in schema.label_names
            ]
            if missing:
                raise AnnotatorError(
                    f"the schema lacks labels that spans in {self.db.path} use ({', '.join(missing)}): "
                    "add them to the schema"
                )
            self.set("schema", schema.model_dump(mode="json"), actor, f"set schema {schema.name}")
