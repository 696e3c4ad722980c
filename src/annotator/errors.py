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
