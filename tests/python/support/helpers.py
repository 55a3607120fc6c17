"""Small helpers for tests: run the CLI, and fingerprint the warehouse to prove it did not change."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from nbacore.raw_tables import RAW_TABLES
from nbaprops.cli import app


def run_cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def raw_fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent content hash of every raw table."""
    con = duckdb.connect(str(path))
    try:
        out = {}
        for table in RAW_TABLES.values():
            cols = ", ".join(c for c in table.columns if c != "_loaded_at")
            out[table.name] = con.execute(
                f"select count(*), coalesce(sum(hash({cols})), 0) from {table.qualified}"
            ).fetchone()
        return out
    finally:
        con.close()


def duckdb_warehouse(path, access: str = "write"):
    """The product's warehouse seam over the DuckDB file at ``path`` (what predict/ and the runs take)."""
    from dataclasses import replace as _replace
    from pathlib import Path as _Path

    from nbacore.settings import load_settings as _load_settings
    from nbacore.warehouse import open_warehouse

    return open_warehouse(_replace(_load_settings("local"), duckdb_path=_Path(path), access=access))
