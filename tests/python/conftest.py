"""Shared test setup: no traffic off this machine, a private warehouse per test, real data when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("NBAPROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))

# Google libraries must never look for a metadata server; dbt must not phone home.
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ["GCE_METADATA_HOST"] = "127.0.0.1:9"
os.environ["GCE_METADATA_IP"] = "127.0.0.1:9"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ["DO_NOT_TRACK"] = "1"


@pytest.fixture
def warehouse_path(tmp_path, monkeypatch) -> Path:
    """A fresh DuckDB warehouse file for this test, used by the CLI and settings."""
    path = tmp_path / "warehouse" / "nbaprops.duckdb"
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    monkeypatch.setenv("NBAPROPS_TARGET", "local")
    return path


@pytest.fixture
def shared_data() -> Path:
    """The real NBA data folder beside the project; tests using it skip with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (a fresh clone has no ../shared/data)")
    return SHARED_DATA
