"""Helpers for the reliability suite: run the CLI in-process and as the real console script."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli

BAD_INPUTS = Path(__file__).resolve().parent.parent / "bad_inputs"
SCRIPT = Path(sys.executable).with_name("annotator")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None) -> Outcome:
    """``annotator ARGS`` in-process (click's runner), stderr kept apart."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def _drop_file_override() -> None:
    """preexec_fn: drop CAP_DAC_OVERRIDE/READ_SEARCH/FOWNER so root obeys file permissions (after exec)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP


def run_script(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               obey_permissions: bool = False, timeout: float = 60) -> Outcome:
    """The real ``annotator`` console script in a subprocess.

    ``obey_permissions`` makes a root test run behave like an ordinary user for
    file permissions (root ignores chmod otherwise).
    """
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout,
        preexec_fn=_drop_file_override if obey_permissions and os.geteuid() == 0 else None,
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


def assert_clean_error(outcome: Outcome, *needles: str) -> None:
    """Exit status 2 and exactly one line ``error: ...`` on stderr (no traceback), mentioning ``needles``."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert outcome.code == 2, (outcome.code, outcome.stderr[-2000:], outcome.stdout[-500:])
    assert "Traceback" not in outcome.stderr + outcome.stdout, outcome.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr[-2000:]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])


def permissions_enforceable() -> bool:
    """Whether a file chmod 444 really refuses writes to our subprocesses."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(
        [sys.executable, "-c", "import os,sys; sys.exit(0 if not os.access('/proc/1/root', os.W_OK) else 1)"],
        preexec_fn=_drop_file_override,
    )
    return probe.returncode == 0


@pytest.fixture
def sample_text_file(tmp_path: Path) -> Path:
    path = tmp_path / "ok.txt"
    path.write_text("Sony said revenue rose 5% in the third quarter.\n", encoding="utf-8")
    return path
