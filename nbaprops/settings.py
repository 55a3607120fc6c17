"""Settings read once from the environment, so every command agrees on where the warehouse is."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGETS = ("local", "bigquery")


@dataclass(frozen=True)
class SourceSettings:
    """Where the live sources are (the demo and tests point them at ``nbaprops sim serve``) and the odds key.

    The key is kept out of ``repr`` so it never reaches a log line or a traceback.
    """

    cdn_base_url: str = "https://cdn.nba.com"
    stats_base_url: str = "https://stats.nba.com"
    odds_base_url: str = "https://api.the-odds-api.com"
    odds_api_key: str | None = field(default=None, repr=False)


def load_source_settings() -> SourceSettings:
    """Source base URLs from NBAPROPS_CDN_BASE_URL / NBAPROPS_STATS_BASE_URL / NBAPROPS_ODDS_BASE_URL, key from ODDS_API_KEY."""
    defaults = SourceSettings()
    return SourceSettings(
        cdn_base_url=os.environ.get("NBAPROPS_CDN_BASE_URL", defaults.cdn_base_url).rstrip("/"),
        stats_base_url=os.environ.get("NBAPROPS_STATS_BASE_URL", defaults.stats_base_url).rstrip("/"),
        odds_base_url=os.environ.get("NBAPROPS_ODDS_BASE_URL", defaults.odds_base_url).rstrip("/"),
        odds_api_key=os.environ.get("ODDS_API_KEY") or None,
    )


@dataclass(frozen=True)
class Settings:
    """Where things live, which dbt target to use, and how this command may open the warehouse."""

    target: str
    duckdb_path: Path
    project_dir: Path
    profiles_dir: Path
    landing_dir: Path
    sources: SourceSettings = field(default_factory=load_source_settings)
    # How this command may open the warehouse (the CLI sets it per command, cli_common.warehouse_command):
    # "create" read-write and may start a missing file, "write" read-write on an existing file, "read" read-only.
    access: str = "create"


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
        sources=load_source_settings(),
    )
