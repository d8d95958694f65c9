# Two commands matter (see README): `make app` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

# The app runs from its own environment holding only the runtime dependencies: Streamlit scans
# every installed distribution at start, so test and benchmark tools would slow every start.
APP_VENV ?= .venv-app
APP_BIN := $(APP_VENV)/bin

$(APP_BIN)/.installed: pyproject.toml
	$(PY) -m venv $(APP_VENV)
	$(APP_BIN)/python -m pip install --quiet --upgrade pip
	$(APP_BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

.PHONY: install app test lint bench
install: $(BIN)/.installed

app: $(APP_BIN)/.installed
	$(APP_BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: $(BIN)/.installed
	bash scripts/ensure_chromium.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/evidence.py
	$(BIN)/python benchmarks/rules.py
	$(BIN)/python benchmarks/appraisal.py
	$(BIN)/python benchmarks/app.py 2>/dev/null
	$(BIN)/python benchmarks/compare.py
