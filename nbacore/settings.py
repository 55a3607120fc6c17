"""The one settings object: the environment is read here, once per command, and the result passed down.

No other module reads or writes ``os.environ`` for configuration (the dbt runner builds the environment of its
own dbt call from these settings). Everything has a production default and an ``NBAPROPS_*`` override, so
tests and the simulated-league demo shrink waits and move folders without a code path of their own.

Where things are found:
- ``project_dir``: the dbt project (models, macros, seeds, profiles). From a git checkout that is the
  checkout; installed with ``pip install .`` it is the copy packaged as ``nbacore/dbt_project``.
- ``home``: where the product keeps its files by default (warehouse, payload archive, model registry,
  reports, dbt's target/ and logs/): the checkout when running from one, else the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TARGETS = ("local", "bigquery", "bigquery_emulator")  # bigquery_emulator: the local API emulator (tests)

CHECKOUT_DIR = Path(__file__).resolve().parent.parent
PACKAGED_PROJECT_DIR = Path(__file__).resolve().parent / "dbt_project"


def _from_checkout() -> bool:
    return (CHECKOUT_DIR / "dbt_project.yml").is_file()


# The dbt project this code runs with (seeds the scrapers read, the models dbt builds).
PROJECT_DIR = CHECKOUT_DIR if _from_checkout() else PACKAGED_PROJECT_DIR


@dataclass(frozen=True)
class SourceSettings:
    """Where the live sources are (the demo and tests point them at ``nbaprops sim serve``) and the odds key.

    The key is kept out of ``repr`` so it never reaches a log line or a traceback.
    """

    cdn_base_url: str = "https://cdn.nba.com"
    stats_base_url: str = "https://stats.nba.com"
    odds_base_url: str = "https://api.the-odds-api.com"
    odds_api_key: str | None = field(default=None, repr=False)
    injury_base_url: str = "https://ak-static.cms.nba.com"  # the league's injury report PDFs
    # Which books The Odds API returns: regions (NBAPROPS_ODDS_REGIONS, comma-separated: us, us2, uk, eu, au), or
    # named bookmakers (NBAPROPS_ODDS_BOOKMAKERS, comma-separated keys), which the API prefers over regions.
    odds_regions: str = "us"
    odds_bookmakers: str | None = None


@dataclass(frozen=True)
class ScrapeSettings:
    """How patient a scrape is, as overridden by the environment; ``None`` keeps the scrapers' production
    default (``scrapers/config.py`` holds the defaults and turns these into its ``ScrapeConfig``)."""

    connect_timeout: float | None = None  # NBAPROPS_HTTP_CONNECT_TIMEOUT, seconds
    read_timeout: float | None = None  # NBAPROPS_HTTP_READ_TIMEOUT
    max_attempts: int | None = None  # NBAPROPS_HTTP_MAX_ATTEMPTS
    backoff_base: float | None = None  # NBAPROPS_HTTP_BACKOFF
    backoff_cap: float | None = None  # NBAPROPS_HTTP_BACKOFF_CAP
    max_retry_after: float | None = None  # NBAPROPS_HTTP_MAX_RETRY_AFTER
    pacing: float | None = None  # NBAPROPS_HTTP_PACING: one pace for every source
    stats_pacing: float | None = None  # NBAPROPS_STATS_PACING
    passes: int | None = None  # NBAPROPS_SCRAPE_PASSES
    pass_cooldown: float | None = None  # NBAPROPS_SCRAPE_PASS_COOLDOWN
    attempt_batch: int | None = None  # NBAPROPS_SCRAPE_ATTEMPT_BATCH
    proxies: tuple[str, ...] = field(default=(), repr=False)  # NBAPROPS_PROXIES, comma-separated (may hold credentials)


@dataclass(frozen=True)
class BigQuerySettings:
    """The BigQuery target: project and location, how to authenticate, or the local emulator's endpoint."""

    project: str | None = None  # NBAPROPS_BQ_PROJECT
    location: str = "US"  # NBAPROPS_BQ_LOCATION
    method: str = "oauth"  # NBAPROPS_BQ_METHOD: oauth (application-default credentials) or service-account
    keyfile: str | None = None  # NBAPROPS_BQ_KEYFILE: a service-account JSON key
    emulator_endpoint: str | None = None  # NBAPROPS_BQ_EMULATOR_ENDPOINT: http://127.0.0.1:PORT of bqemulator
    emulator_project: str = "nbaprops-emulator"  # NBAPROPS_BQ_EMULATOR_PROJECT


def _home() -> Path:
    return CHECKOUT_DIR if _from_checkout() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    """Where things live, which dbt target to use, and how this command may open the warehouse."""

    target: str
    duckdb_path: Path
    project_dir: Path
    profiles_dir: Path
    landing_dir: Path
    sources: SourceSettings = field(default_factory=SourceSettings)
    # How this command may open the warehouse (the CLI sets it per command, cli/common.warehouse_command):
    # "create" read-write and may start a missing file, "write" read-write on an existing file, "read" read-only.
    access: str = "create"
    home: Path = field(default_factory=_home)
    model_registry: Path | None = None  # None: <home>/models_registry
    scrape: ScrapeSettings = field(default_factory=ScrapeSettings)
    bigquery: BigQuerySettings = field(default_factory=BigQuerySettings)
    alert_webhook_url: str | None = field(default=None, repr=False)  # NBAPROPS_ALERT_WEBHOOK_URL
    dbt_target_path: Path | None = None  # DBT_TARGET_PATH; None: <home>/target
    dbt_log_path: Path | None = None  # DBT_LOG_PATH; None: <home>/logs

    @property
    def registry_dir(self) -> Path:
        """The model registry folder (``models_registry/``; ``models/`` is dbt's)."""
        return self.model_registry or (self.home / "models_registry")

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def dbt_target_dir(self) -> Path:
        return self.dbt_target_path or (self.home / "target")

    @property
    def dbt_log_dir(self) -> Path:
        return self.dbt_log_path or (self.home / "logs")


def _number(environ: Mapping[str, str], name: str, whole: bool = False) -> float | int | None:
    value = environ.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number; set it to seconds like 0.5 or unset it") from None
    if whole:
        if number != int(number) or number < 1:
            raise ValueError(f"{name}={value!r} must be a whole number of at least 1; correct or unset it")
        return int(number)
    return number


def load_source_settings(environ: Mapping[str, str] | None = None) -> SourceSettings:
    """Source base URLs from NBAPROPS_CDN_BASE_URL / _STATS_ / _ODDS_ / _INJURY_BASE_URL, key from ODDS_API_KEY."""
    env = os.environ if environ is None else environ
    defaults = SourceSettings()
    return SourceSettings(
        cdn_base_url=env.get("NBAPROPS_CDN_BASE_URL", defaults.cdn_base_url).rstrip("/"),
        stats_base_url=env.get("NBAPROPS_STATS_BASE_URL", defaults.stats_base_url).rstrip("/"),
        odds_base_url=env.get("NBAPROPS_ODDS_BASE_URL", defaults.odds_base_url).rstrip("/"),
        odds_api_key=env.get("ODDS_API_KEY") or None,
        injury_base_url=env.get("NBAPROPS_INJURY_BASE_URL", defaults.injury_base_url).rstrip("/"),
        odds_regions=_word_list(env, "NBAPROPS_ODDS_REGIONS") or defaults.odds_regions,
        odds_bookmakers=_word_list(env, "NBAPROPS_ODDS_BOOKMAKERS"),
    )


def _word_list(environ: Mapping[str, str], name: str) -> str | None:
    """A comma-separated list of lower-case keys (``us,uk`` or ``draftkings, fanduel``) as the API takes it; a
    value with anything else is refused naming the variable."""
    value = (environ.get(name) or "").strip()
    if not value:
        return None
    words = [w.strip().lower() for w in value.split(",") if w.strip()]
    bad = [w for w in words if not w.replace("_", "").isalnum()]
    if bad:
        raise ValueError(f"{name}={value!r} has {bad[0]!r}; give comma-separated keys like us,uk or draftkings,fanduel")
    return ",".join(words)


def load_scrape_settings(environ: Mapping[str, str] | None = None) -> ScrapeSettings:
    """The NBAPROPS_HTTP_* / NBAPROPS_SCRAPE_* overrides (README, Configuration); a bad number names the variable."""
    env = os.environ if environ is None else environ
    return ScrapeSettings(
        connect_timeout=_number(env, "NBAPROPS_HTTP_CONNECT_TIMEOUT"),
        read_timeout=_number(env, "NBAPROPS_HTTP_READ_TIMEOUT"),
        max_attempts=_number(env, "NBAPROPS_HTTP_MAX_ATTEMPTS", whole=True),
        backoff_base=_number(env, "NBAPROPS_HTTP_BACKOFF"),
        backoff_cap=_number(env, "NBAPROPS_HTTP_BACKOFF_CAP"),
        max_retry_after=_number(env, "NBAPROPS_HTTP_MAX_RETRY_AFTER"),
        pacing=_number(env, "NBAPROPS_HTTP_PACING"),
        stats_pacing=_number(env, "NBAPROPS_STATS_PACING"),
        passes=_number(env, "NBAPROPS_SCRAPE_PASSES", whole=True),
        pass_cooldown=_number(env, "NBAPROPS_SCRAPE_PASS_COOLDOWN"),
        attempt_batch=_number(env, "NBAPROPS_SCRAPE_ATTEMPT_BATCH", whole=True),
        proxies=tuple(p.strip() for p in env.get("NBAPROPS_PROXIES", "").split(",") if p.strip()),
    )


def load_bigquery_settings(environ: Mapping[str, str] | None = None) -> BigQuerySettings:
    env = os.environ if environ is None else environ
    defaults = BigQuerySettings()
    return BigQuerySettings(
        project=env.get("NBAPROPS_BQ_PROJECT") or None,
        location=env.get("NBAPROPS_BQ_LOCATION") or defaults.location,
        method=env.get("NBAPROPS_BQ_METHOD") or defaults.method,
        keyfile=env.get("NBAPROPS_BQ_KEYFILE") or None,
        emulator_endpoint=env.get("NBAPROPS_BQ_EMULATOR_ENDPOINT") or None,
        emulator_project=env.get("NBAPROPS_BQ_EMULATOR_PROJECT") or defaults.emulator_project,
    )


def load_settings(target: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (``environ``, default ``os.environ``); ``target`` overrides
    NBAPROPS_TARGET."""
    env = os.environ if environ is None else environ
    chosen = target or env.get("NBAPROPS_TARGET", "local")
    if chosen not in TARGETS:
        raise ValueError(f"target {chosen!r} is unknown: use one of {', '.join(TARGETS)}")
    home = _home()
    registry = env.get("NBAPROPS_MODEL_REGISTRY")
    return Settings(
        target=chosen,
        duckdb_path=Path(env.get("NBAPROPS_DUCKDB_PATH", home / "warehouse" / "nbaprops.duckdb")).resolve(),
        project_dir=PROJECT_DIR,
        profiles_dir=PROJECT_DIR / "profiles",
        landing_dir=Path(env.get("NBAPROPS_LANDING_DIR", home / "landing")).resolve(),
        sources=load_source_settings(env),
        home=home,
        model_registry=Path(registry).resolve() if registry else None,
        scrape=load_scrape_settings(env),
        bigquery=load_bigquery_settings(env),
        alert_webhook_url=env.get("NBAPROPS_ALERT_WEBHOOK_URL") or None,
        dbt_target_path=Path(env["DBT_TARGET_PATH"]).resolve() if env.get("DBT_TARGET_PATH") else None,
        dbt_log_path=Path(env["DBT_LOG_PATH"]).resolve() if env.get("DBT_LOG_PATH") else None,
    )


def prepare_process() -> None:
    """Process-wide defaults that must be chosen before a library loads; entry points call this first.

    XGBoost's OpenMP threads spin while waiting by default; on a shared, busy machine that made a 2-thread fit
    20x slower than a 1-thread one. Passive waiting must be chosen before libgomp loads (a user's own
    OMP_WAIT_POLICY wins).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
