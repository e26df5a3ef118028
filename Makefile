# Two commands for a fresh machine:  make run  |  make test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast test-tools bench clean translations

# Stamps: the app needs only requirements.txt; tests add requirements-dev.txt.
$(VENV)/.app-deps: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: $(VENV)/.app-deps requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Serve the app with an embedded SQLite database in instance/ (created on first run),
# and the alert sender beside it: stopping make (Ctrl+C) stops both.
run: $(VENV)/.app-deps translations
	$(BIN)/flask --app caregiver db upgrade
	$(BIN)/flask --app caregiver notify worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	CAREGIVER_SESSION_COOKIE_SECURE=0 $(BIN)/flask --app caregiver run --host $(HOST) --port $(PORT)

# Every test, browser tests included (installs Debian's Chromium when missing).
test: $(VENV)/.dev-deps test-tools translations
	$(BIN)/python -m pytest -q

# Unit and HTTP tests only, for a quick loop.
test-fast: $(VENV)/.dev-deps translations
	$(BIN)/python -m pytest -q -m "not browser"

# The word catalogs: translations/*/messages.po -> .mo (docs/translating.md).
translations: $(VENV)/.app-deps
	@scripts/translations compile

test-tools:
	@scripts/install-test-tools

bench: $(VENV)/.dev-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
