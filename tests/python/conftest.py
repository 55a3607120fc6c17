"""Shared test setup: no traffic off this machine, a private warehouse per test, real data when present."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("NBAPROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))

# Google libraries must never look for a metadata server; dbt must not phone home.
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ["GCE_METADATA_HOST"] = "127.0.0.1:9"
os.environ["GCE_METADATA_IP"] = "127.0.0.1:9"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
# The live sources default to a closed loopback port: a test that forgets to point a source (a new one, like the
# injury report) at its simulated server fails fast instead of reaching the real host.
for _source in (
    "NBAPROPS_CDN_BASE_URL",
    "NBAPROPS_STATS_BASE_URL",
    "NBAPROPS_ODDS_BASE_URL",
    "NBAPROPS_INJURY_BASE_URL",
):
    os.environ[_source] = "http://127.0.0.1:9"
os.environ["DO_NOT_TRACK"] = "1"
# dbt's target/ and logs/ default to the checkout's, shared by every process: under pytest-xdist two workers would
# write one partial_parse.msgpack and manifest.json at once. Each test process gets its own (a test that needs a
# particular folder still sets DBT_TARGET_PATH itself); the checkout's target/ is left to the developer.
_DBT_SCRATCH = Path(tempfile.mkdtemp(prefix="nbaprops-tests-dbt-"))
atexit.register(shutil.rmtree, _DBT_SCRATCH, ignore_errors=True)
os.environ["DBT_TARGET_PATH"] = str(_DBT_SCRATCH / "target")
os.environ["DBT_LOG_PATH"] = str(_DBT_SCRATCH / "logs")

from nbacore.settings import prepare_process  # noqa: E402

prepare_process()  # passive OpenMP waiting before any test loads xgboost


@pytest.fixture
def warehouse_path(tmp_path, monkeypatch) -> Path:
    """A fresh DuckDB warehouse file for this test, used by the CLI and settings."""
    path = tmp_path / "warehouse" / "nbaprops.duckdb"
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(path))
    monkeypatch.setenv("NBAPROPS_TARGET", "local")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real NBA data folder beside the project; tests using it skip with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (a fresh clone has no ../shared/data)")
    return SHARED_DATA


def in_ci() -> bool:
    """True under CI (``CI=true``, as ``.ci/run`` and most CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_tool(reason: str) -> NoReturn:
    """What a test needs and CI installs (Chromium, the BigQuery emulator) is missing: skip with ``reason`` on a
    developer's machine, but fail under CI, where a skip would hide that the test never ran."""
    __tracebackhide__ = True  # the skip is reported at the caller's line, not here
    if in_ci():
        pytest.fail(f"{reason} — CI=true, where this is installed, so it fails instead of skipping", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    """A test that reaches the real data through the ``shared_data`` fixture (directly or through another
    fixture) must say so with the marker, so that ``pytest -m "not shared_data"`` leaves out every one."""
    if "shared_data" in getattr(item, "fixturenames", ()) and item.get_closest_marker("shared_data") is None:
        pytest.fail(
            f"{item.nodeid} uses the real data (fixture shared_data) but has no @pytest.mark.shared_data", pytrace=False
        )
