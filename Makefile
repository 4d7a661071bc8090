# Kampus: `make serve` runs a demo site, `make test` runs every test.
# Only Debian + Python 3.11 are needed; everything else comes from the package registries.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
KAMPUS := $(BIN)/kampus
HOST ?= 127.0.0.1
PORT ?= 8000
KAMPUS_HOME ?= var
export KAMPUS_HOME

PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGIN_PROJECTS))
EXAMPLE_PLUGIN := tests/example_plugin
INSTALL_STAMP := $(VENV)/.kampus-installed
TEST_STAMP := $(VENV)/.kampus-test-installed
FUZZ_STAMP := $(VENV)/.kampus-fuzz-installed
FUZZ_SECONDS ?= 300
TEST_TOOLS := pytest pytest-xdist openapi-spec-validator schemathesis playwright aiosmtpd mongomock requests ruff pypdf axe-playwright-python \
	done-xblock xblock-poll xblock-drag-and-drop-v2 acid-xblock xblock-google-drive feedback-xblock 'moto[server]'
# tests/ includes tests/example_plugin/tests and tests/e2e.
TEST_PATHS := kernel/tests tests $(wildcard plugins/*/tests)
CHROMIUM := /usr/bin/chromium

.PHONY: help install test-deps serve test e2e bench fuzz lint clean-site

help:
	@echo "make serve   install, create a demo site in $(KAMPUS_HOME)/ (first time), migrate, serve on http://$(HOST):$(PORT)/"
	@echo "make test    install with test tools (and chromium), run every test in parallel"
	@echo "make e2e     browser tests only"
	@echo "make bench   run every benchmark in bench/ (BENCH_ARGS=--quick for a smoke run)"
	@echo "make fuzz    every fuzz target in fuzz/ for FUZZ_SECONDS (default 300) each; fails on a crash"
	@echo "make lint    ruff check"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-runs only when a pyproject or the constraints change (or a plugin folder appears).
$(INSTALL_STAMP): $(BIN)/python constraints.txt hookspecs/pyproject.toml kernel/pyproject.toml $(PLUGIN_PROJECTS)
	$(PIP) install -q -c constraints.txt -e hookspecs -e 'kernel[postgresql,mysql]' $(foreach dir,$(PLUGIN_DIRS),-e $(dir))
	@touch $@

install: $(INSTALL_STAMP)
	@if ! command -v bwrap >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing bubblewrap for the codejail sandbox (apt-get)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) || true; \
	fi

$(TEST_STAMP): $(INSTALL_STAMP) $(EXAMPLE_PLUGIN)/pyproject.toml
	$(PIP) install -q -c constraints.txt $(TEST_TOOLS) -e $(EXAMPLE_PLUGIN)
	@touch $@

test-deps: install $(TEST_STAMP)
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium for the browser tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

serve: install
	@if [ ! -f "$(KAMPUS_HOME)/kampus.toml" ]; then \
		$(KAMPUS) init --demo; \
	else \
		echo "Site in $(KAMPUS_HOME)/ (the admin password was printed by the first 'make serve';"; \
		echo "  to get a new admin account: $(KAMPUS) create-user admin2 admin2@example.com --superuser)"; \
		echo "Demo logins: learner / instructor / staff, password kampus-demo"; \
	fi
	$(KAMPUS) migrate
	$(KAMPUS) serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite; then, when KAMPUS_TEST_POSTGRES_URL / KAMPUS_TEST_MARIADB_URL name servers
# (as .ci/run does), again on each server every test but the browser tests and those that use no database
# of the harness (the harness deselects them: they would run exactly as on SQLite).
test: test-deps
	$(BIN)/pytest -n auto $(TEST_PATHS) $(PYTEST_ARGS)
	@set -e; for url in "$$KAMPUS_TEST_POSTGRES_URL" "$$KAMPUS_TEST_MARIADB_URL"; do \
		if [ -n "$$url" ]; then \
			echo "== the suite on $${url%%://*} (KAMPUS_TEST_DB_URL)"; \
			KAMPUS_TEST_DB_URL="$$url" $(BIN)/pytest -n auto -m "not e2e" $(TEST_PATHS) $(PYTEST_ARGS); \
		fi; \
	done

e2e: test-deps
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

bench: install
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) || true; \
	fi
	@if [ ! -f /usr/include/mariadb/mysql.h ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmariadb-dev pkg-config gcc) || true; \
	fi
	@# MariaDB through its C client (as the README recommends for a site) when it builds here; PyMySQL otherwise
	$(PIP) install -q -c constraints.txt requests
	-$(PIP) install -q -c constraints.txt mysqlclient
	@set -e; for bench in bench/*.py; do echo "== $$bench" >&2; $(BIN)/python $$bench $(BENCH_ARGS); done

# Not part of `make test`: atheris (libFuzzer) over the OLX reader, the CAPA engine and the Markdown
# converter, FUZZ_SECONDS each (CI runs 60); a crash fails the run and leaves its input in build/fuzz/.
$(FUZZ_STAMP): $(INSTALL_STAMP) constraints.txt
	$(PIP) install -q -c constraints.txt atheris
	@touch $@

fuzz: install $(FUZZ_STAMP)
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean-site:
	rm -rf $(KAMPUS_HOME)
