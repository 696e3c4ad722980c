"""The real app in a pseudo-terminal, driven by keys and killed mid-session (SIGKILL).

Every tag that reached the database before the kill is still there, the file
passes integrity_check, and the app opens again on it and quits on q.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.reliability.kills import check_app_mounts, run_kills, run_tui_kills
from tests.support.reliability.project import make_project


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_app_killed_mid_session_keeps_every_saved_tag(tmp_path: Path) -> None:
    figures = run_tui_kills(tmp_path, kills=1, tags_before_kill=3)
    assert figures.kills_survived == 1
    assert figures.actions_lost == 0
    assert figures.actions == 3


def test_the_app_mounts_on_a_database_left_by_killed_writers(tmp_path: Path) -> None:
    run_kills(tmp_path, kills=2, check_app=False)
    check_app_mounts(tmp_path / "kill.db")
    make_project(tmp_path / "fresh.db")
    check_app_mounts(tmp_path / "fresh.db")
