"""The skip policy, tested on tiny test files run by pytest in a subprocess:

- what CI installs (Chromium, the BigQuery emulator) skips with its reason on a developer's machine when it is
  missing, but fails under CI=true (``conftest.missing_tool``), where a skip would hide a test that never ran;
- a test that reaches the real data through the ``shared_data`` fixture without ``@pytest.mark.shared_data``
  fails, so ``pytest -m "not shared_data"`` leaves out every real-data test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]

NEEDS_A_TOOL = """
from conftest import missing_tool


def test_needs_a_tool():
    missing_tool("no frobnicator found (the CI image installs it)")
"""

USES_REAL_DATA = """
import pytest


@pytest.mark.shared_data
def test_marked(shared_data):
    assert shared_data.is_dir()


def test_unmarked(shared_data):
    assert shared_data.is_dir()


def test_no_real_data():
    pass
"""


def _pytest(tmp_path: Path, source: str, ci: str | None, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_tiny.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["NBAPROPS_SHARED_DATA"] = str(tmp_path)  # a folder that exists: "real data present" for these tests
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:bqemulator",
            "-q",
            "-rA",
            "--rootdir",
            str(tmp_path),
            "-o",
            "markers=shared_data: needs ../shared/data",
            *args,
            "test_tiny.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("ci", "outcome"), [(None, "skipped"), ("false", "skipped"), ("true", "failed"), ("1", "failed")]
)
def test_a_missing_tool_skips_with_its_reason_except_under_ci(tmp_path, ci, outcome):
    proc = _pytest(tmp_path, NEEDS_A_TOOL, ci)
    out = proc.stdout
    assert out.strip().splitlines()[-1].startswith(f"1 {outcome}"), out
    assert proc.returncode == (0 if outcome == "skipped" else 1), out
    if outcome == "skipped":
        assert "SKIPPED [1] test_tiny.py:6: no frobnicator found (the CI image installs it)" in out, out
    else:
        assert (
            "FAILED test_tiny.py::test_needs_a_tool - Failed: no frobnicator found (the CI image installs it)" in out
        ), out
        assert "CI=true" in out


def test_a_real_data_test_without_the_marker_fails_and_the_marker_deselects(tmp_path):
    proc = _pytest(tmp_path, USES_REAL_DATA, None, "-p", "conftest")
    assert "PASSED test_tiny.py::test_marked" in proc.stdout, proc.stdout
    assert "PASSED test_tiny.py::test_no_real_data" in proc.stdout
    assert (
        "test_tiny.py::test_unmarked uses the real data (fixture shared_data) but has no @pytest.mark.shared_data"
        in proc.stdout
    )
    assert proc.stdout.strip().splitlines()[-1].startswith("2 passed, 1 error"), proc.stdout
    proc = _pytest(
        tmp_path,
        USES_REAL_DATA.replace("\ndef test_unmarked", "\n@pytest.mark.shared_data\ndef test_unmarked"),
        None,
        "-p",
        "conftest",
        "-m",
        "not shared_data",
    )
    assert proc.returncode == 0 and proc.stdout.strip().splitlines()[-1].startswith("1 passed, 2 deselected"), (
        proc.stdout
    )


def test_every_module_reading_the_real_data_folder_directly_is_marked_as_a_whole():
    """Module fixtures that read ``conftest.SHARED_DATA`` instead of asking for the fixture escape the runtime
    check above, so such a module must carry ``pytestmark = pytest.mark.shared_data``."""
    direct = [
        p for p in TESTS_DIR.glob("test_*.py") if p.name != Path(__file__).name and "SHARED_DATA" in p.read_text()
    ]
    unmarked = [p.name for p in direct if "pytestmark = pytest.mark.shared_data" not in p.read_text()]
    assert unmarked == []
