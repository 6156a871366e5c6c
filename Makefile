# The two quick-start commands: `make demo` and `make test`. Both create .venv on first
# use and install what they need into it; nothing is installed outside it except
# Debian's chromium for the browser tests (when running as root and it is missing).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: demo test test-fast lint bench fuzz clean help

help:
	@echo "make demo   - set up .venv and run the default pipeline on a generated crawl"
	@echo "make test   - set up test dependencies and run the whole test suite"
	@echo "make bench  - run the benchmarks (need ../shared/data)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "thresher needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) $(PIP_FLAGS) install --upgrade pip "setuptools>=77"

# The C sources are listed so that an edited accelerator is rebuilt (an editable install
# does not recompile extension modules by itself).
$(VENV)/.demo-installed: $(BIN)/python pyproject.toml setup.py $(wildcard src/thresher/*/*/*.c)
	$(PIP) $(PIP_FLAGS) install -e '.[all]'
	@touch $@

$(VENV)/.test-installed: $(VENV)/.demo-installed
	$(PIP) $(PIP_FLAGS) install -e '.[all,test,ray]'
	@bash scripts/install-browser.sh
	@touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/thresher demo demo-out
	$(BIN)/thresher verify demo-out/out

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest -m "not slow and not browser and not ray"

bench: $(VENV)/.test-installed
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf demo-out test-output .pytest_cache
