"""Settings read once from the environment, so every command agrees on where the warehouse is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGETS = ("local", "bigquery")


@dataclass(frozen=True)
class Settings:
    """Where things live and which dbt target to use."""

    target: str
    duckdb_path: Path
    project_dir: Path
    profiles_dir: Path
    landing_dir: Path


def load_settings(target: str | None = None) -> Settings:
    """Build settings from the environment; ``target`` overrides NBAPROPS_TARGET."""
    chosen = target or os.environ.get("NBAPROPS_TARGET", "local")
    if chosen not in TARGETS:
        raise ValueError(f"target {chosen!r} is unknown: use one of {', '.join(TARGETS)}")
    duckdb_path = Path(
        os.environ.get("NBAPROPS_DUCKDB_PATH", PROJECT_DIR / "warehouse" / "nbaprops.duckdb")
    ).resolve()
    landing_dir = Path(os.environ.get("NBAPROPS_LANDING_DIR", PROJECT_DIR / "landing")).resolve()
    return Settings(
        target=chosen,
        duckdb_path=duckdb_path,
        project_dir=PROJECT_DIR,
        profiles_dir=PROJECT_DIR / "profiles",
        landing_dir=landing_dir,
    )
