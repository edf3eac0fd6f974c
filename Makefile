# Holdless — run `make help` for the list of targets.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help install run demo serve test lint typecheck pytest bench clean chromium dovecot

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)  ## create the virtualenv and install the locked dependencies

run: install  ## migrate, load the demo workspace and serve on http://127.0.0.1:8000
	$(BIN)/holdless migrate
	$(BIN)/holdless demo
	$(BIN)/holdless serve

demo: install  ## (re)load the demo workspace only
	$(BIN)/holdless demo

lint: install  ## ruff and the import-linter layer contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install  ## mypy strict on src/
	$(BIN)/mypy

dovecot:  ## Debian's dovecot for the IMAP test (a private instance is started by the test itself)
	@command -v dovecot >/dev/null 2>&1 || test -x /usr/sbin/dovecot || \
	  (apt-get install -y dovecot-imapd >/dev/null 2>&1 || sudo -n apt-get install -y dovecot-imapd) || \
	  echo "dovecot could not be installed: the IMAP test will be skipped"

pytest: install dovecot  ## the test suite (PostgreSQL/Redis too when HOLDLESS_TEST_*_URL are set)
	$(BIN)/pytest -q

chromium:  ## Debian's Chromium for the browser tests (tests/e2e); Playwright never downloads a browser here
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: chromium lint typecheck pytest  ## everything CI runs

bench: install  ## the benchmarks under bench/ (slow; not part of test)
	$(BIN)/python bench/messages.py

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
