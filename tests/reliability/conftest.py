"""Fixtures for the reliability suite; the scenarios, the CLI runner and the pty driver are in tests/support."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def sample_text_file(tmp_path: Path) -> Path:
    path = tmp_path / "ok.txt"
    path.write_text("Sony said revenue rose 5% in the third quarter.\n", encoding="utf-8")
    return path
