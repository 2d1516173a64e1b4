# Two commands do everything on a fresh machine with Python 3.11:
#   make run    set up, then run Airflow with the pipelines, zw, the HJS sandbox and a mail sink
#   make test   set up, then run ruff and the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: run test lint lock bench clean

$(INSTALLED): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

run: $(INSTALLED)
	$(BIN)/python -m stack.run

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

# Re-pin every transitive dependency after changing requirements.txt.
lock: $(INSTALLED)
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

bench: $(INSTALLED)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
