# Hai Chiều: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# xstatic-bootstrap ships only a source package that needs setuptools<81 to build.
PIP_ENV := PIP_CONSTRAINT=$(CURDIR)/constraints-build.txt PIP_BUILD_CONSTRAINT=$(CURDIR)/constraints-build.txt PIP_DISABLE_PIP_VERSION_CHECK=1
export DJANGO_SETTINGS_MODULE := haichieu.settings

.PHONY: run install install-test test lint bench load clean serve prepare

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints-build.txt | $(BIN)/python
	$(PIP_ENV) $(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP_ENV) $(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@sh scripts/ensure-browser.sh
	@sh scripts/ensure-axe.sh
	@sh scripts/ensure-office.sh
	@sh scripts/ensure-nginx.sh

prepare: install
	@mkdir -p var
	$(BIN)/haichieu migrate --noinput -v 0
	$(BIN)/haichieu load_units
	$(BIN)/haichieu seed_demo --if-empty

run: prepare
	DEBUG=1 $(BIN)/haichieu runserver $(HOST):$(PORT)

lint: install-test
	$(BIN)/ruff check haichieu bench
	$(BIN)/ruff format --check haichieu bench
	env -u DATABASE_URL $(BIN)/haichieu makemigrations --check --dry-run -v 1
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

test: install-test lint
	sh scripts/run-tests.sh

# Seeds (or reuses) its own database per size, migrated first: PostgreSQL `haichieu_bench` (100,000
# members; `haichieu_bench_<members>` for another size) next to DATABASE_URL, else
# var/bench/haichieu-bench[-<members>].sqlite3. BENCH_MEMBERS=100000 BENCH_REPEAT=40.
# One JSON object on stdout, logs on stderr.
bench: install
	$(BIN)/python -m bench.run

# LOAD_USERS simulated users (50) for LOAD_SECONDS (60) against gunicorn (deploy/gunicorn.conf.py,
# LOAD_WORKERS=2) on 127.0.0.1, on the bench's data set (as `make bench`): locust, headless.
# One JSON object on stdout (requests, errors, rps, p50/p95/p99 ms; sign-ins apart), logs on stderr.
load: $(VENV)/.installed-test
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) var build *.egg-info
