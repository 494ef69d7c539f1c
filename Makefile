# hoga — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= sqlite:///hoga.db

.PHONY: run run-pure test lint types contracts unit install clean bench compiled

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# mypyc build of the hot market modules into build/compiled/ (hoga.engine.fastpath); best
# effort: if it cannot be built (no compiler), `run` and `bench` use the pure-Python modules.
compiled: $(STAMP)
	-$(BIN)/python tools/build_compiled.py --best-effort

# `run` serves with the compiled market core when it builds (it prints which core it runs);
# `run-pure` skips the build and serves the pure-Python modules.
run: $(STAMP) compiled
	$(BIN)/python -m hoga.engine.fastpath serve --db $(DB) --market always --demo

run-pure: $(STAMP)
	$(BIN)/hoga serve --db $(DB) --market always --demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# One pytest-xdist worker per core, each module whole in one worker (TEST_WORKERS=0 runs the
# suite in this process); see tests/conftest.py for the order workers take modules in.
TEST_WORKERS ?= auto

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term --cov-report=json:.coverage.json
	$(BIN)/python tools/check_domain_coverage.py .coverage.json

test: lint types contracts unit

bench: $(STAMP) compiled
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .coverage .coverage.json .mypy_cache .ruff_cache .pytest_cache build/compiled
