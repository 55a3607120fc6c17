"""The product works installed, away from any checkout: the wheel built from this project (what `pip install .`
installs) carries the packages and the dbt project; from a folder outside the checkout `nbaprops --help` lists
the commands, and `nbaprops doctor` finds the packaged dbt project, parses it and passes every check.

No traffic: the wheel is built with uv from its cache (``--offline``; `uv sync` cached the build backend), and
the fresh venv takes its third-party packages from the locked environment through a path file. A path file's
own ``.pth`` files are not processed, so the editable install's path to this checkout does not leak in."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import missing_tool

PROJECT_DIR = Path(__file__).resolve().parents[3]
UV = PROJECT_DIR / ".tools" / "bin" / "uv"
CHILD_ENV = {
    "PATH": "/usr/bin:/bin",
    "NO_GCE_CHECK": "true",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the fresh venv's bin folder, an empty working folder outside the checkout)."""
    if not UV.exists():
        missing_tool(f"{UV} is missing (make setup installs it)")
    root = tmp_path_factory.mktemp("install")
    built = subprocess.run(
        [str(UV), "build", "--offline", "--wheel", "--out-dir", str(root / "dist"), str(PROJECT_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if built.returncode != 0:
        missing_tool(
            f"uv could not build the wheel offline (is the build backend in uv's cache?): {built.stderr[-300:]}"
        )
    wheel = next((root / "dist").glob("nbaprops-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    fresh_site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (fresh_site / "locked_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            str(UV),
            "pip",
            "install",
            "--offline",
            "--no-deps",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    work = root / "elsewhere"
    work.mkdir()
    return venv / "bin", work


def run(bin_dir: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bin_dir / "nbaprops"), *args],
        cwd=work,
        env={**CHILD_ENV, "HOME": str(work), "ODDS_API_KEY": "install-test-key"},  # doctor fails without one
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_package_is_not_the_checkout(installed):
    bin_dir, work = installed
    probe = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import nbacore.settings as s, nbaprops; print(s.PROJECT_DIR); print(nbaprops.__file__)",
        ],
        cwd=work,
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    project_dir, package_file = probe.stdout.split()
    assert str(PROJECT_DIR) not in package_file, package_file
    assert project_dir.endswith("nbacore/dbt_project") and (Path(project_dir) / "dbt_project.yml").is_file()
    assert (Path(project_dir) / "seeds" / "markets.csv").is_file()
    devtools = subprocess.run(
        [str(bin_dir / "python"), "-c", "import devtools"], cwd=work, env=CHILD_ENV, capture_output=True, text=True
    )
    assert devtools.returncode != 0, "devtools is a development folder and must not be in the wheel"


def test_help_lists_the_commands(installed):
    result = run(*installed, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("import", "build", "scrape", "train", "score", "grade", "run", "doctor", "demo"):
        assert f" {command} " in result.stdout, command


def test_doctor_passes_on_a_warehouse_made_by_the_installed_package(installed):
    bin_dir, work = installed
    simulated = run(bin_dir, work, "sim", "--out", "league", "--days", "3")
    assert simulated.returncode == 0, simulated.stderr
    landed = run(bin_dir, work, "import", "game-logs", "league/player_game_logs.csv", "league/team_game_logs.csv")
    assert landed.returncode == 0, landed.stderr
    result = run(bin_dir, work, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("ok   dbt parse") for line in lines), result.stdout
    assert any(line.startswith("ok   imports") for line in lines), result.stdout
    assert f"warehouse {work / 'warehouse' / 'nbaprops.duckdb'}" in result.stdout  # home is the working folder
    assert (work / "target").is_dir() and not (PROJECT_DIR / "nbacore" / "dbt_project").exists()
    assert "nbaprops.duckdb" in os.listdir(work / "warehouse")
