# The README's two commands: `make demo` and `make test`. Each sets up what it needs from scratch
# (a private uv in .tools/, then the locked environment in .venv/) on a machine with Python 3.11 and pip.

PYTHON ?= python3
UV := .tools/bin/uv
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: demo test bench setup clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

setup: .venv/.synced

demo: setup
	$(UV) run --frozen nbaprops demo

test: setup
	$(UV) run --frozen pytest

# Benchmarks (not part of `make test`): 1, 5 and 10 seasons; prints a table, writes bench/results/*.json.
SEASONS ?= 1,5,10
bench: setup
	$(UV) run --frozen python bench/bench.py --seasons $(SEASONS)

clean:
	rm -rf .venv .tools warehouse target demo_data landing

# BigQuery without Google (docs/bigquery.md): offline compile + dialect lint + bqemulator build + the loader.
# `make test` already runs the same tests (tests/python/warehouse/test_bigquery.py is in the default pytest run).
.PHONY: check-bigquery lint-bigquery
check-bigquery: setup
	$(UV) run --frozen pytest tests/python/warehouse/test_bigquery.py

# Layers 1-2 only, on the working tree: compile for BigQuery offline into target/bigquery_offline and lint it.
lint-bigquery: setup
	$(UV) run --frozen python -m devtools.bigquery_lint --compile
