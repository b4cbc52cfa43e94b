# Fieldcast developer commands. `make` (or `make help`) lists them.
# Needs only python3 (3.11+), node/npm and make; everything else comes from the registries.

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
# Stamps: a target is rebuilt only when the file it was built from changes.
VENV_STAMP = $(VENV)/.installed
JS_STAMP = fieldcast/static/vendor/.installed
RUN_ADDR ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help setup venv js run test lint format bench clean distclean

help:
	@echo "Fieldcast targets:"
	@echo "  make setup      Python venv ($(VENV), editable install with dev extras) and JS libraries"
	@echo "  make run        migrate, load demo content, serve http://$(RUN_ADDR)/ with the task workers and the scheduler"
	@echo "  make test       lint, migrations check, fast tests (SQLite, then PostgreSQL when"
	@echo "                  TEST_POSTGRES_URL is set), then slow tests once (SKIP_BROWSER_TESTS=1 without chromium)"
	@echo "  make lint       ruff check, ruff format --check, mypy"
	@echo "  make format     ruff format and ruff check --fix"
	@echo "  make bench      benchmarks under gunicorn on PostgreSQL (BENCH_POSTGRES_URL), figures as ratios"
	@echo "  make clean      remove var/ (database, media), vendored JS, tool caches and setup stamps"
	@echo "  make distclean  clean, then remove $(VENV) and node_modules"

setup: venv js

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "Fieldcast needs Python 3.11 or newer; '$(PYTHON)' is older. Try: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

js: $(JS_STAMP)

$(JS_STAMP): package-lock.json scripts/vendor_js.sh
	npm ci --no-audit --no-fund
	sh scripts/vendor_js.sh
	@touch $@

run: setup
	@mkdir -p "$${FIELDCAST_DATA_DIR:-var}"
	@DEBUG=1; export DEBUG; \
	$(BIN)/python manage.py migrate --noinput && \
	if $(BIN)/python manage.py help load_demo >/dev/null 2>&1; then \
		$(BIN)/python manage.py load_demo; \
	else \
		echo "*** manage.py load_demo does not exist yet: starting without demo content ***"; \
	fi && \
	$(BIN)/python manage.py load_gazetteer --if-empty && \
	echo && echo "Fieldcast: http://$(RUN_ADDR)/   (Ctrl-C stops the web server, the workers and the scheduler)" && echo && \
	RUN_ADDR=$(RUN_ADDR) PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start -f Procfile

# lint needs only the venv; test runs it after the full setup.
test: setup lint
	@sh scripts/test.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf var fieldcast/static/vendor .pytest_cache .mypy_cache .ruff_cache test-results $(VENV_STAMP)

distclean: clean
	rm -rf $(VENV) node_modules
