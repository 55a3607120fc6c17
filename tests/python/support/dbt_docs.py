"""Column documentation coverage, counted from what `dbt docs generate` writes (manifest.json and catalog.json).

A column counts when the relation really has it (the catalog: what the warehouse holds) or when the yml declares
it, so a column the SQL adds but nobody documents lowers the figure, as does one listed with no description.
Sources that a warehouse may not hold yet (the predictions.* and ops tables, created by Python on first write)
are counted from the columns Python declares for them (predict/tables.py, nbaprops/runs/run_log.py), so their
figure does not depend on whether predict has run.

Run as a script to print the figures of a target folder: ``python tests/python/support/dbt_docs.py TARGET_DIR``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The groups the issue holds to the bar: the marts, the precompute models and every source.
GROUPS = ("analytics", "precompute", "sources")
BAR = 0.95


@dataclass
class Coverage:
    """Columns counted and described in one group, and the undescribed ones by relation."""

    group: str
    columns: int = 0
    described: int = 0
    missing: dict[str, list[str]] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.described / self.columns if self.columns else 0.0

    def line(self) -> str:
        return f"{self.group}: {self.described}/{self.columns} columns described ({self.share:.1%})"


def declared_python_columns() -> dict[str, list[str]]:
    """source table ('schema.table') -> the columns Python creates it with, for the tables Python owns."""
    from nbaprops.runs import run_log
    from predict import tables

    declared = {f"{tables.SCHEMA}.{name}": list(cols) for name, cols in tables.TABLES.items()}
    declared[run_log.TABLE] = list(run_log.COLUMNS)
    return declared


def load(target: Path) -> tuple[dict, dict]:
    return json.loads((target / "manifest.json").read_text()), json.loads((target / "catalog.json").read_text())


def _group(node: dict) -> str | None:
    if node["resource_type"] == "source":
        return "sources"
    if node["resource_type"] == "model" and node.get("package_name") == "nbaprops":
        folder = node["original_file_path"].split("/")[1]  # models/<folder>/...
        return folder if folder in ("analytics", "precompute") else None
    return None


def relation_columns(uid: str, node: dict, catalog: dict, python_declared: dict[str, list[str]]) -> list[str]:
    """The columns one relation has: the catalog's (lower case), else Python's declaration, plus the yml's."""
    entries = catalog.get("sources" if node["resource_type"] == "source" else "nodes", {})
    found = [c.lower() for c in entries.get(uid, {}).get("columns", {})]
    if not found:
        found = [c.lower() for c in python_declared.get(f"{node['schema']}.{node.get('name')}", [])]
    listed = [c.lower() for c in node.get("columns", {})]
    return list(dict.fromkeys(found + listed))


def coverage(manifest: dict, catalog: dict, python_declared: dict[str, list[str]] | None = None) -> dict[str, Coverage]:
    """group -> Coverage, over every model of models/analytics and models/precompute and every source."""
    python_declared = declared_python_columns() if python_declared is None else python_declared
    result = {g: Coverage(g) for g in GROUPS}
    nodes = {**manifest["nodes"], **manifest["sources"]}
    for uid, node in sorted(nodes.items()):
        group = _group(node)
        if group is None:
            continue
        described = {
            name.lower() for name, col in node.get("columns", {}).items() if col.get("description", "").strip()
        }
        label = f"{node['schema']}.{node['name']}"
        for column in relation_columns(uid, node, catalog, python_declared):
            result[group].columns += 1
            if column in described:
                result[group].described += 1
            else:
                result[group].missing.setdefault(label, []).append(column)
    return result


def undeclared_in_warehouse(manifest: dict, catalog: dict) -> dict[str, list[str]]:
    """Documented columns the built relation does not have (a rename or a typo in the yml), per relation."""
    stale: dict[str, list[str]] = {}
    for uid, node in {**manifest["nodes"], **manifest["sources"]}.items():
        if _group(node) is None:
            continue
        entries = catalog.get("sources" if node["resource_type"] == "source" else "nodes", {})
        have = {c.lower() for c in entries.get(uid, {}).get("columns", {})}
        if not have:
            continue  # not in this warehouse (yet)
        gone = sorted(c for c in node.get("columns", {}) if c.lower() not in have)
        if gone:
            stale[f"{node['schema']}.{node['name']}"] = gone
    return stale


if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parents[3])]
    figures = coverage(*load(Path(sys.argv[1])))
    for cov in figures.values():
        print(cov.line())
        for relation, columns in sorted(cov.missing.items()):
            print(f"  {relation}: {', '.join(columns)}")
