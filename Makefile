# `make run` runs the course, `make test` checks it; both create .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-backends bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,jax]'
	touch $(STAMP)

# Fetches what can be had (the snippets through pip, Fashion-MNIST from the Debian package
# or its authors), runs every example (one whose data is missing is skipped, with the command
# that gets it), then writes the HTML report (and prints its path) even when a target was
# missed; the exit status is still that of `aml run`.
run: $(STAMP)
	$(BIN)/aml data fetch all
	$(BIN)/aml run all; status=$$?; $(BIN)/aml report || exit 1; exit $$status

# Everything but the second-backend self-test of grading (test-backends: several minutes).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not backends"

# Every reference solution graded in the real sandbox on JAX too (`aml check` and `aml grade`).
test-backends: $(STAMP)
	$(BIN)/python -m pytest -m backends

# The quick loop: everything but the slow, sandbox, PostgreSQL and browser tests.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow and not sandbox and not postgres and not browser and not backends"

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) results build src/*.egg-info .pytest_cache
