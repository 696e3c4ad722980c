"""The project's one error type for problems a user can fix.

Every command catches :class:`AnnotatorError`, prints its message on one line
and exits with status 2. Anything else escaping is a bug.
"""


class AnnotatorError(Exception):
    """A clear, one-line problem report: what went wrong, where, what to do."""

    def __init__(self, message: str) -> None:
        # Keep it to one line whatever the cause carried.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class DatabaseBusy(AnnotatorError):
    """Another process held the database's write lock past the busy timeout; nothing was changed.

    The screens' writer retries these (the action lands when the lock is free); a command
    reports it and exits.
    """


class AlreadyExists(AnnotatorError):
    """The annotator already holds this span (same document, start, end and label) or this
    relation (same head, child and label); nothing was changed.

    Its message is the one line a screen shows (``already tagged: FIGURE 'Ebrahim' (480-487)``,
    display-safe); ``existing`` is the id of the span or relation already there.
    """

    def __init__(self, message: str, existing: str | None = None) -> None:
        super().__init__(message)
        self.existing = existing
