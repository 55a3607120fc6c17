"""Deliberately broken variants of the dbt project, built into a copy of a test's warehouse.

A mutant is a copy of the project (models, macros, seeds, profiles) with small textual edits, each of which must
match exactly once (so a mutation that no longer applies fails loudly instead of testing the real code), run by
dbt in-process against a copy of a warehouse file. The project's own files and the test's warehouse are never
touched.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb

from nbacore.dbt_runner import run_dbt
from nbacore.settings import PROJECT_DIR, load_settings
from support.phase4_support import activate, warehouse_env

PROJECT_PARTS = ("dbt_project.yml", "profiles", "macros", "models", "seeds", "selectors.yml")

Edit = tuple[str, str, str]  # (path in the project, old text, new text)


def mutant_project(root: Path, edits: list[Edit]) -> Path:
    """A copy of the dbt project under ``root``/project with every edit applied (each ``old`` exactly once)."""
    project = root / "project"
    project.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / part)
    for path, old, new in edits:
        target = project / path
        text = target.read_text()
        assert text.count(old) == 1, f"the mutation of {path} no longer applies: {old!r} occurs {text.count(old)} times"
        target.write_text(text.replace(old, new))
    return project


def build_mutant(source: Path, root: Path, edits: list[Edit], dbt_args: list[str]) -> Path:
    """Copy the warehouse file ``source`` into ``root`` and run ``dbt <dbt_args>`` on it with the mutated project;
    returns the copy's path."""
    outcome = run_mutant(source, root, edits, dbt_args)
    assert outcome.success, "\n".join(f"{n.status}: {n.name}: {n.message}" for n in outcome.failures)
    return root / source.name


def run_mutant(source: Path, root: Path, edits: list[Edit], dbt_args: list[str]):
    """``build_mutant`` without the verdict: dbt's outcome, for mutants that must fail."""
    con = duckdb.connect(str(source))  # read-write, like Warehouse.connect: in-process dbt may hold the file
    try:
        con.execute("checkpoint")  # everything in the main file before it is copied
    finally:
        con.close()
    project = mutant_project(root, edits)
    for f in source.parent.glob(source.name + "*"):
        shutil.copy2(f, root / f.name)
    mp = activate(warehouse_env(root))
    try:
        outcome = run_dbt(replace(load_settings("local"), project_dir=project), dbt_args, quiet=True)
    finally:
        mp.undo()
    return outcome
