"""The one summary table ``make reliability`` prints."""

from __future__ import annotations

from .figures import Figures


def summary_table(figures: Figures, extra: list[tuple[str, str]]) -> str:
    """The figures (and ``extra`` rows: load speed, failures, wall time) as a plain-text table."""
    rows = [
        ("processes run", f"{figures.processes}"),
        ("actions run", f"{figures.actions}"),
        ("actions lost", f"{figures.actions_lost}"),
        ("kills (SIGKILL) survived", f"{figures.kills_survived} / {figures.kills}"),
        ("integrity checks passed", f"{figures.integrity_passed} / {figures.integrity_checks}"),
        ("bad databases refused cleanly", f"{figures.bad_databases_clean} / {figures.bad_databases}"),
        ("bad inputs rejected cleanly",
         f"{figures.bad_inputs_rejected} / {figures.bad_inputs - figures.hostile_valid_imported}"),
        ("hostile but valid inputs imported intact", f"{figures.hostile_valid_imported}"),
        ("fuzz examples run", f"{figures.fuzz_examples}"),
        *extra,
    ]
    width = max(len(k) for k, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    line = f"+-{'-' * width}-+-{'-' * vwidth}-+"
    out = [line, f"| {'check'.ljust(width)} | {'result'.rjust(vwidth)} |", line]
    out += [f"| {k.ljust(width)} | {v.rjust(vwidth)} |" for k, v in rows]
    out.append(line)
    return "\n".join(out)
