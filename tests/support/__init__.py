"""Test support: code the tests and benchmarks share, kept out of the shipped ``annotator`` package.

* :mod:`tests.support.synthetic` - deterministic news-like documents and spans (tests, benchmarks);
* :mod:`tests.support.cli_runner` - ``annotator ARGS`` in-process or as the real console script, and
  what a clean refusal looks like (one ``error:`` line, exit status 2, no traceback);
* :mod:`tests.support.pty_driver` - the real app in a pseudo-terminal, driven by keys;
* :mod:`tests.support.reliability` - the reliability scenarios (load, kills, bad databases, bad inputs,
  fuzzing) that ``tests/reliability`` runs small and ``make reliability`` runs large.

Import it as ``tests.support`` with the repository root on ``sys.path``: ``python -m pytest`` and
``python -m tests.support.reliability`` from the root do that; the benchmark scripts add the root
themselves (one ``sys.path`` line each).
"""

from __future__ import annotations

from pathlib import Path

#: The ``tests/`` folder and the repository root, for the files the support code reads.
TESTS_DIR = Path(__file__).resolve().parent.parent
REPO = TESTS_DIR.parent
