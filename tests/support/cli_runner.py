"""Run ``annotator ARGS`` the two ways the tests need, and say whether a refusal was clean.

* :func:`run_cli` - in-process through click's runner (fast; stderr kept apart);
* :func:`run_script` - the real installed console script in a subprocess (what a user runs);
* :func:`clean_error_problem` / :func:`assert_clean_error` - the one rule for a refusal: exit
  status 2 and exactly one ``error: ...`` line on stderr, no traceback.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def console_script() -> str:
    """The installed ``annotator`` script (beside this Python first, then on PATH)."""
    candidate = Path(sys.executable).with_name("annotator")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("annotator")
    if not found:
        raise AssertionError("the annotator console script is not installed: run make test")
    return found


def run_cli(*args: str, env: dict[str, str] | None = None, catch: bool = False) -> Outcome:
    """``annotator ARGS`` in-process (click's runner), stderr kept apart.

    An exception other than SystemExit is raised, or with ``catch=True`` appended to stderr
    as a ``Traceback`` (so a scenario can count it as a problem and go on).
    """
    from click.testing import CliRunner

    from annotator.cli import cli

    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        if not catch:
            raise result.exception
        stderr += "Traceback\n" + "".join(traceback.format_exception(result.exception))
    return Outcome(result.exit_code, result.stdout, stderr)


def drop_file_override() -> None:
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
        [console_script(), *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout,
        preexec_fn=drop_file_override if obey_permissions and os.geteuid() == 0 else None,
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


def permissions_enforceable() -> bool:
    """Whether a file chmod 444 really refuses writes to our subprocesses."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(
        [sys.executable, "-c", "import os,sys; sys.exit(0 if not os.access('/proc/1/root', os.W_OK) else 1)"],
        preexec_fn=drop_file_override,
    )
    return probe.returncode == 0


def clean_error_problem(code: int, stdout: str, stderr: str, *needles: str) -> str | None:
    """None if this is a clean refusal (exit 2, one ``error:`` line naming every needle, no traceback),
    else what is wrong with it."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if "Traceback" in stderr + stdout:
        return "traceback: " + stderr[-1500:]
    if code != 2:
        return f"exit status {code}, stderr {stderr[-800:]!r}, stdout {stdout[-300:]!r}"
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return f"not one 'error: ' line: {stderr[-800:]!r}"
    for needle in needles:
        if needle and needle.lower() not in lines[0].lower():
            return f"the error does not mention {needle!r}: {lines[0]}"
    return None


def assert_clean_error(outcome: Outcome, *needles: str) -> None:
    """Exit status 2 and exactly one line ``error: ...`` on stderr (no traceback), mentioning ``needles``."""
    problem = clean_error_problem(outcome.code, outcome.stdout, outcome.stderr, *needles)
    assert problem is None, problem
