# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= annotations.db

.PHONY: run test reliability bench keystrokes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# On an empty database the annotator imports sample_docs/ itself.
run: $(VENV)/.installed
	$(BIN)/annotator --db $(DB)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

reliability: $(VENV)/.installed-test
	$(BIN)/python -m tests.support.reliability

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_tui.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_traffic.py

# Keys per task on the reference article, pressed on the real app and checked in the database.
keystrokes: $(VENV)/.installed-test
	$(BIN)/python benchmarks/keystrokes.py

clean:
	rm -rf $(VENV) .pytest_cache
