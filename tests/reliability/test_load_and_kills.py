"""Many annotators at once, and processes killed mid-action: nothing acknowledged is ever lost."""

from __future__ import annotations

from pathlib import Path

from annotator.store import Store
from tests.support.reliability.kills import run_import_kills, run_kills
from tests.support.reliability.load import run_load
from tests.support.reliability.model import Model, db_state, execute, model_states
from tests.support.reliability.project import doc_lengths, make_project


def test_the_model_agrees_with_the_store_in_one_process(tmp_path: Path) -> None:
    """The deterministic annotator's idea of its rows matches the store after every action (incl. undo/redo)."""
    db = tmp_path / "model.db"
    make_project(db)
    lengths = doc_lengths(db)
    model = Model("solo", lengths, seed=3)
    kinds: set[str] = set()
    with Store(db) as store:
        for _ in range(400):
            op = model.next_op()
            kinds.add(op["op"])
            execute(store, "solo", op)
            assert db_state(store, "solo") == model.state, op
        assert store.replay() == store.table_state()
    assert kinds == {"add", "update", "delete", "link", "status", "undo", "redo"}
    assert model_states("solo", lengths, 3, 400)[-1] == model.state


def test_eight_annotators_at_once_lose_nothing(tmp_path: Path) -> None:
    """8 processes tag, change and delete as fast as they can while another exports and another computes agreement."""
    result = run_load(tmp_path, n_workers=8, n_actions=60)
    assert result.figures.actions == 8 * 60
    assert result.figures.actions_lost == 0
    assert all(rounds >= 1 for rounds in result.reader_rounds.values())


def test_twenty_sigkills_at_random_moments_lose_no_acknowledged_action(tmp_path: Path) -> None:
    figures = run_kills(tmp_path, kills=20, seed=11)
    assert figures.kills_survived == 20
    assert figures.actions_lost == 0
    assert figures.integrity_passed == figures.integrity_checks == 20


def test_an_import_killed_at_random_moments_is_all_or_nothing(tmp_path: Path) -> None:
    figures = run_import_kills(tmp_path, kills=3, documents=3000)
    assert figures.kills_survived == 3
