"""The floors (README, Architecture) hold: imports only run downward, only the CLI speaks typer, product code
never imports a development tool, no import cycle. The contracts live in pyproject.toml ([tool.importlinter]);
here they are checked on the tree, and shown to fail on a copy with one deliberately inverted import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
PACKAGES = ("nbacore", "scrapers", "predict", "simulator", "nbaprops", "devtools")
SITE_PACKAGES = next(p for p in sys.path if p.endswith("site-packages"))


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages under ``root``. ``python -S`` skips site-packages' .pth files, so the
    editable install's path to this checkout cannot shadow a copy; import-linter comes from site-packages."""
    env = {"PYTHONPATH": f"{root}{os.pathsep}{SITE_PACKAGES}", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    command = [
        sys.executable,
        "-S",
        "-c",
        "import sys; from importlinter.cli import lint_imports_command as cli; sys.exit(cli())",
        "--no-cache",
    ]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    for package in PACKAGES:
        shutil.copytree(PROJECT_DIR / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_floor_contracts_hold_on_the_tree():
    result = lint_imports(PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_from_the_bottom_floor_up_to_the_cli_breaks_the_contract(tmp_path):
    root = copy_tree(tmp_path)
    dates = root / "nbacore" / "dates.py"
    dates.write_text(dates.read_text() + "\nfrom nbaprops.cli.common import parse_date  # inverted on purpose\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert "Floors: the CLI over the runs over scrapers | predict | simulator over nbacore BROKEN" in result.stdout
    assert "nbacore.dates -> nbaprops.cli.common" in result.stdout


def test_a_middle_room_importing_another_or_typer_breaks_a_contract(tmp_path):
    root = copy_tree(tmp_path)
    grade = root / "predict" / "grade.py"
    grade.write_text(
        grade.read_text() + "\nimport typer  # a middle room speaking typer\nimport scrapers.run  # a sibling room\n"
    )
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert "Only the CLI speaks typer BROKEN" in result.stdout
    assert "predict.grade -> scrapers.run" in result.stdout


def test_a_cycle_between_sibling_modules_breaks_the_contract(tmp_path):
    root = copy_tree(tmp_path)
    warehouse = (
        root / "nbacore" / "warehouse" / "__init__.py"
    )  # the importers land through the warehouse; close the loop
    warehouse.write_text(warehouse.read_text() + "\nimport nbacore.importers.common  # a cycle on purpose\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert "No import cycle between sibling modules BROKEN" in result.stdout
    assert ".warehouse -> .importers" in result.stdout
