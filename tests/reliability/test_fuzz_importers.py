"""Property-based fuzzing of every importer: only AnnotatorError may come out.

Random bytes, random JSON-ish structures built from the keys the formats
read, and mutated valid files, for each registered importer (text, jsonl,
doccano, label-studio, brat), imported into a store. ``make reliability``
runs the same with many more examples.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.importers import IMPORTERS
from annotator.store import Store
from tests.support.reliability.fuzz import VALID_SAMPLES, fuzz_import, mutate, run_fuzz


def test_every_importer_has_a_valid_sample_that_imports(tmp_path: Path) -> None:
    assert set(IMPORTERS) <= set(VALID_SAMPLES)
    for fmt, files in VALID_SAMPLES.items():
        with Store(":memory:") as store:
            fuzz_import(fmt, files, tmp_path / fmt, store)
            assert store.document_count() >= 1, fmt
            if fmt != "text":
                assert store.label_counts(), f"the {fmt} sample's spans did not import"


def test_fuzz_every_importer() -> None:
    figures = run_fuzz(examples=25)
    assert figures.fuzz_examples == 25 * 3 * len(IMPORTERS)


@pytest.mark.parametrize("fmt", sorted(VALID_SAMPLES))
def test_many_mutations_of_each_valid_sample(fmt: str, tmp_path: Path) -> None:
    """Cheap extra coverage without hypothesis' overhead: 150 seeded mutations each."""
    rng = random.Random(fmt)
    with Store(":memory:") as store:
        for _ in range(150):
            files = dict(VALID_SAMPLES[fmt])
            target = rng.choice(sorted(files))
            files[target] = mutate(files[target], rng, rng.randrange(1, 10))
            fuzz_import(fmt, files, tmp_path / "case", store)
