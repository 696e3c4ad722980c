"""The README's keystroke table stays true: every task of benchmarks/keystrokes.py, pressed on the real
app over the reference article, stores exactly what the task means, within its target and without shift.

The same function the script runs (``run_task``): a fresh database a task, the keys by Pilot, the
annotator's spans and links compared exactly. No timing.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "keystrokes.py"
_spec = importlib.util.spec_from_file_location("benchmarks_keystrokes", SCRIPT)
keystrokes = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = keystrokes  # its dataclasses look their module up there
_spec.loader.exec_module(keystrokes)


@pytest.mark.parametrize("task", keystrokes.TASKS, ids=lambda t: f"{t.task}: {' '.join(t.keys)}")
async def test_the_keys_store_what_the_task_means(task, tmp_path: Path):
    await keystrokes.run_task(task, tmp_path)  # raises TaskFailed, saying what was stored instead
    assert task.count <= task.target
    assert task.unshifted, f"{task.shown} needs shift"


def test_every_task_of_the_issue_is_in_the_table():
    assert {t.task for t in keystrokes.TASKS} == {
        "tag a word you are on", "tag a 3 to 6 word span", "tag a whole sentence as CLAIM",
        "link a claim to its source", "fix a boundary", "change a label"}


async def test_a_key_short_is_caught(tmp_path: Path):
    """The check is exact: one word fewer (v 5 w s) stores 'National Council of Resistance of', and says so."""
    task = next(t for t in keystrokes.TASKS if t.task == "tag a 3 to 6 word span")
    with pytest.raises(keystrokes.TaskFailed, match="National Council of Resistance of'"):
        await keystrokes.run_task(replace(task, keys=("v", "5", "w", "s")), tmp_path)


def test_shifted_keys_are_counted_as_shifted():
    assert [keystrokes.shifted(k) for k in ("right_parenthesis", "less_than_sign", "A", "shift+tab")] == [True] * 4
    assert not any(keystrokes.shifted(k) for k in ("0", "left_square_bracket", "a", "tab", "down", "enter"))
