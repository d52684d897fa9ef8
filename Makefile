# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export COORDINATION_DATABASE_URL ?= sqlite:///./var/coordination.db

.PHONY: setup run serve test lint fmt clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on the CI
# machines), Python would otherwise compile every module from source in every process,
# about 6 s of each server, CLI and worker start.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	$(BIN)/python -m compileall -q src bench
	touch $@

setup: $(VENV)/.synced

run: setup
	$(BIN)/coordination migrate
	@# The demo loads only into an empty database; on a used one it says so and we serve on.
	-@$(BIN)/coordination demo
	$(BIN)/coordination serve

serve: setup
	$(BIN)/coordination serve

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Two processes (pytest-xdist): the suite spends much of its time waiting on servers,
# browsers and PostgreSQL, so two share even a two-core machine well.
test: lint
	$(BIN)/pytest -n 2

# Schemathesis against the service's own OpenAPI document, as every role, on SQLite and
# PostgreSQL. `make test` runs it bounded (10 examples per operation and role); this runs
# FUZZ_EXAMPLES. See docs/limits-and-fuzzing.md.
FUZZ_EXAMPLES ?= 500
.PHONY: fuzz
fuzz: setup
	COORDINATION_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -s tests/fuzz/test_openapi_fuzz.py

# Faults against real processes on PostgreSQL: SIGKILL under load, connections killed,
# two API workers. `make test` runs them at scale 1; this runs them longer and also
# restarts the machine's PostgreSQL under load. Each test prints what it measured.
FAULTS_SCALE ?= 5
.PHONY: test-faults
test-faults: setup
	FAULTS_SCALE=$(FAULTS_SCALE) FAULTS_RESTART_POSTGRES=1 $(BIN)/pytest -s tests/faults

# The benchmark (docs/performance.md): generated data on a fresh PostgreSQL schema, a
# table on stdout and bench/results.json. BENCH_SIZE=smoke|default|full,
# BENCH_STORE=postgres|sqlite. `make test` runs the smoke size (tests/bench).
BENCH_SIZE ?= default
BENCH_STORE ?= postgres
.PHONY: bench bench-smoke
bench: setup
	$(BIN)/python -m bench.run --size $(BENCH_SIZE) --store $(BENCH_STORE)

bench-smoke: setup
	$(BIN)/python -m bench.run --size smoke --store $(BENCH_STORE)

# Screenshots of every screen of the web app, made by the browser tests, into docs/ui.
.PHONY: screenshots
screenshots: setup
	mkdir -p docs/ui
	COORDINATION_SCREENSHOTS=docs/ui $(BIN)/pytest -q tests/browser -k sqlite

# The first page of each printed paper (consent declaration, disclosure report,
# integration agreement) in each language it prints in, made by the papers' tests, into
# docs/papers. Needs pdftoppm (Debian's poppler-utils); the images are kept in git, so
# `make test` does not.
.PHONY: papers
papers: setup
	mkdir -p docs/papers
	COORDINATION_PAPERS=docs/papers $(BIN)/pytest -q -p no:cacheprovider \
		tests/unit/test_papers_in_languages.py -k german_comes_first

fmt: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

# Known vulnerabilities in every locked dependency (pip-audit against the vulnerability
# database: PyPI's JSON API by default, AUDIT_SERVICE=osv for OSV). It needs the network;
# `make test` does not. Exit 0 clean, 1 findings (or a package it could not audit),
# 2 database out of reach. See docs/security.md.
AUDIT_SERVICE ?= pypi
AUDIT_DIR := var/audit
AUDIT := $(BIN)/pip-audit --vulnerability-service $(AUDIT_SERVICE) --no-deps --disable-pip \
	--progress-spinner off

.PHONY: audit
audit: setup
	@mkdir -p $(AUDIT_DIR)
	@$(UV) export --frozen --no-hashes --no-emit-project --all-groups --quiet \
		--format requirements-txt --output-file $(AUDIT_DIR)/requirements.txt
	@# A release with published advisories must come back with them, else a clean
	@# answer would only mean that the database did not answer.
	@echo "jinja2==2.4.1" > $(AUDIT_DIR)/known-vulnerable.txt
	@$(AUDIT) --requirement $(AUDIT_DIR)/known-vulnerable.txt --format json 2>/dev/null \
		| grep -q '"id"' || { echo "make audit: the vulnerability database ($(AUDIT_SERVICE))" \
		"reports nothing for jinja2 2.4.1, which has published advisories: it cannot be" \
		"reached from here, so nothing was audited." >&2; exit 2; }
	$(AUDIT) --strict --desc on --requirement $(AUDIT_DIR)/requirements.txt
