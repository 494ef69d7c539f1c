# hoga — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= sqlite:///hoga.db

.PHONY: run run-compiled test lint types contracts unit install clean bench compiled

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Optional mypyc build of the hot domain modules into build/compiled/ (hoga.engine.fastpath);
# best effort: if it cannot be built, `bench` and `run-compiled` use the pure-Python modules.
compiled: $(STAMP)
	-$(BIN)/python tools/build_compiled.py --best-effort

run: $(STAMP)
	$(BIN)/hoga serve --db $(DB) --market always --demo

run-compiled: $(STAMP) compiled
	$(BIN)/python -m hoga.engine.fastpath serve --db $(DB) --market always --demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider --cov --cov-report=term --cov-report=json:.coverage.json
	$(BIN)/python tools/check_domain_coverage.py .coverage.json

test: lint types contracts unit

bench: $(STAMP) compiled
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .coverage .coverage.json .mypy_cache .ruff_cache .pytest_cache build/compiled
