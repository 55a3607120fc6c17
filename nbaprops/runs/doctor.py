"""`nbaprops doctor`: is this installation able to run tonight? One line per check, non-zero on failure.

A service that "deployed" but crashed on import is how the system this replaces lost a day, so every
module is imported here, not just the ones the last command happened to touch.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, replace

from nbacore.settings import Settings

PACKAGES = ("nbacore", "scrapers", "predict", "simulator", "nbaprops")


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


def check_settings(settings: Settings) -> str:
    if settings.target != "local":
        where = (
            settings.bigquery.emulator_endpoint if settings.target == "bigquery_emulator" else settings.bigquery.project
        )
        return f"target {settings.target} ({where}), model registry {settings.registry_dir}"
    parent = settings.duckdb_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    if not os.access(parent, os.W_OK):
        raise RuntimeError(f"warehouse folder {parent} is not writable; set NBAPROPS_DUCKDB_PATH to a writable path")
    return f"target {settings.target}, warehouse {settings.duckdb_path}"


def check_credentials(settings: Settings) -> str:
    """The chosen target's credentials are present; their values are never printed."""
    if settings.target == "local":
        return "local DuckDB needs no credentials"
    if settings.target == "bigquery_emulator":
        return "the BigQuery emulator needs no credentials"
    method = settings.bigquery.method
    if not settings.bigquery.project:
        raise RuntimeError("NBAPROPS_BQ_PROJECT is not set; export your GCP project id")
    if method == "service-account":
        keyfile = settings.bigquery.keyfile or ""
        if not keyfile or not os.path.isfile(keyfile):
            raise RuntimeError("NBAPROPS_BQ_KEYFILE does not point to a readable service-account key file")
        return "service-account key file present"
    return f"method {method}: credentials come from the environment (gcloud application-default login)"


def check_odds_key(settings: Settings) -> str:
    """What the scraper does without the key (scrapers/odds_api.py): the odds source fails, so does the run."""
    src = settings.sources
    books = f"bookmakers {src.odds_bookmakers}" if src.odds_bookmakers else f"regions {src.odds_regions}"
    if not src.odds_api_key:
        raise RuntimeError(
            "ODDS_API_KEY is not set: the odds source fails (scrape and run exit 1, tonight has no lines); "
            "export it, or scrape with --source to leave odds_api out"
        )
    return f"ODDS_API_KEY is set; lines from {books}"


def check_warehouse(settings: Settings) -> str:
    """Read-only: a doctor must not start an empty warehouse at a mistyped path, nor wait on a writer's lock."""
    from nbacore.warehouse import open_warehouse

    with open_warehouse(replace(settings, access="read")) as wh:
        wh.scalar("select 1")
        tables = sum(len(wh.tables(schema)) for schema in ("raw", "analytics", "precompute", "predictions"))
        where = wh.describe()
    return f"{where} answers ({tables} tables in raw, analytics, precompute, predictions)"


def check_dbt_parses(settings: Settings) -> str:
    from nbacore.dbt_runner import run_dbt

    outcome = run_dbt(settings, ["parse"], quiet=True)
    if not outcome.success:
        raise RuntimeError("dbt parse failed: " + "; ".join(n.message for n in outcome.nodes)[:300])
    return "dbt project parses"


def check_imports(settings: Settings) -> str:
    count = 0
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.name.endswith(".__main__"):  # runs the CLI when imported
                continue
            importlib.import_module(info.name)
            count += 1
    return f"{count} modules import"


def check_model_matches_mart(settings: Settings) -> str:
    from nbacore.warehouse import open_warehouse
    from predict.mart import read_feature_order
    from predict.registry import check_compatible, list_versions, load_model, warehouse_mismatch

    root = settings.registry_dir
    if not list_versions(root):
        return f"no trained model in {root} yet (run `nbaprops train`)"
    model = load_model(root)
    with open_warehouse(replace(settings, access="read")) as wh:
        features = read_feature_order(wh)
        versions = [v for (v,) in wh.rows("select distinct feature_version from precompute.feature_mart")]
        other = warehouse_mismatch(model, wh.describe())
    if other:
        raise RuntimeError(other)
    check_compatible(model, features, versions)
    where = "" if model.trained_on_warehouse else " (it predates recording its warehouse: retrain to bind it)"
    return f"model {model.version} matches the feature mart ({len(features)} features){where}"


CHECKS: tuple[tuple[str, Callable[[Settings], str]], ...] = (
    ("settings", check_settings),
    ("credentials", check_credentials),
    ("odds api key", check_odds_key),
    ("warehouse", check_warehouse),
    ("dbt parse", check_dbt_parses),
    ("imports", check_imports),
    ("model vs mart", check_model_matches_mart),
)


def run_doctor(settings: Settings) -> list[Finding]:
    findings = []
    for name, check in CHECKS:
        try:
            findings.append(Finding(name, True, check(settings)))
        except Exception as exc:  # every failure is reported, the rest still run
            # Our own checks raise RuntimeError with a finished sentence; anything else gets its type named.
            detail = str(exc) if type(exc) is RuntimeError else f"{type(exc).__name__}: {exc}"
            findings.append(Finding(name, False, detail[:400]))
    return findings
