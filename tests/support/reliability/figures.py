"""What every reliability scenario returns (:class:`Figures`) and raises (:class:`ReliabilityFailure`)."""

from __future__ import annotations

from dataclasses import dataclass, field


class ReliabilityFailure(AssertionError):
    """A reliability promise was broken (lost action, damaged database, traceback...)."""


@dataclass
class Figures:
    """Counts for the summary table; scenarios add to one shared instance."""

    processes: int = 0
    actions: int = 0
    actions_lost: int = 0
    kills: int = 0
    kills_survived: int = 0
    integrity_checks: int = 0
    integrity_passed: int = 0
    bad_inputs: int = 0
    bad_inputs_rejected: int = 0
    hostile_valid_imported: int = 0
    bad_databases: int = 0
    bad_databases_clean: int = 0
    fuzz_examples: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
            else:
                getattr(self, name).extend(value)


def check(condition: bool, message: str) -> None:
    """Raise :class:`ReliabilityFailure` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ReliabilityFailure(message)
