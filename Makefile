# The README's two commands: `make demo` and `make test`. Each sets up what it needs from scratch
# (a private uv in .tools/, then the locked environment in .venv/) on a machine with Python 3.11 and pip.

PYTHON ?= python3
UV := .tools/bin/uv
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: demo test lint bench setup setup-runtime clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

# Two environments from one lock: the product's runtime dependencies only (`make demo`), or those plus the
# dev group (tests, linters, the BigQuery emulator). Each sync is exact, so switching re-syncs.
.venv/.synced-runtime: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --quiet --compile-bytecode
	rm -f .venv/.synced-dev
	touch $@

.venv/.synced-dev: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	rm -f .venv/.synced-runtime
	touch $@

setup-runtime: .venv/.synced-runtime
setup: .venv/.synced-dev

demo: setup-runtime
	$(UV) run --frozen --no-sync nbaprops demo

# Habits, checked before the tests: Python formatted and linted (ruff), the floors (import-linter), SQL (sqlfluff).
lint: setup
	$(UV) run --frozen --no-sync ruff format --check --quiet .
	$(UV) run --frozen --no-sync ruff check --quiet .
	$(UV) run --frozen --no-sync lint-imports --no-cache
	mkdir -p target/sqlfluff  # the dbt templater compiles against a scratch DuckDB file, never the warehouse
	NBAPROPS_DUCKDB_PATH=$(CURDIR)/target/sqlfluff/lint.duckdb DBT_TARGET_PATH=$(CURDIR)/target/sqlfluff \
	  DBT_LOG_PATH=$(CURDIR)/target/sqlfluff/logs $(UV) run --frozen --no-sync sqlfluff lint models --processes 2 --disable-progress-bar

# Two workers (pytest-xdist), a whole test file per worker so each module's fixtures (built leagues, warehouses,
# the emulator) are made once; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
test: lint
	$(UV) run --frozen --no-sync pytest -n $(PYTEST_WORKERS) --dist loadfile

# Benchmarks (not part of `make test`): 1, 5 and 10 seasons; prints a table, writes bench/results/*.json.
SEASONS ?= 1,5,10
bench: setup
	$(UV) run --frozen --no-sync python bench/bench.py --seasons $(SEASONS)

clean:
	rm -rf .venv .tools warehouse target demo_data landing

# BigQuery without Google (docs/bigquery.md): offline compile + dialect lint + bqemulator build + the loader.
# `make test` already runs the same tests (tests/python/warehouse/test_bigquery.py is in the default pytest run).
# check-bigquery-e2e: the whole product (import, scrape, build, train, score, grade, run, status, monitor, report)
# on the emulator and on DuckDB, predictions compared (minutes, so not in `make test`; .ci/run runs it).
.PHONY: check-bigquery check-bigquery-e2e lint-bigquery
check-bigquery: setup
	$(UV) run --frozen --no-sync pytest tests/python/warehouse/test_bigquery.py
	$(UV) run --frozen --no-sync pytest -m bigquery_e2e tests/python/warehouse/test_bigquery_e2e.py

check-bigquery-e2e: setup
	$(UV) run --frozen --no-sync pytest -m bigquery_e2e tests/python/warehouse/test_bigquery_e2e.py

# Layers 1-2 only, on the working tree: compile for BigQuery offline into target/bigquery_offline and lint it.
lint-bigquery: setup
	$(UV) run --frozen --no-sync python -m devtools.bigquery_lint --compile
