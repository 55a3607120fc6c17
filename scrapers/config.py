"""How patient a scrape is: HTTP timeouts and retries, pacing per source, and re-passes over failures.

Everything has a production default and an NBAPROPS_* environment override, so tests (and the simulated
league demo) can shrink waits to milliseconds without a code path of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from scrapers.http import HttpPolicy


@dataclass(frozen=True)
class ScrapeConfig:
    """HTTP policy plus the scrape-level knobs: pacing per source and how often failures are re-tried."""

    http: HttpPolicy = field(default_factory=HttpPolicy)
    cdn_pacing: float = 0.25  # seconds between requests to cdn.nba.com
    stats_pacing: float = 2.0  # stats.nba.com bans fast clients: go slowly
    odds_pacing: float = 0.25
    passes: int = 3  # a resource that failed (blocked, throttled, unparseable...) is tried again up to this often
    pass_cooldown: float = 20.0  # seconds between passes, so a 403 burst can pass
    attempt_batch: int = 50  # attempt-log rows written per batch


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number; set it to seconds like 0.5 or unset it") from None


def _int(name: str, default: int) -> int:
    number = _float(name, default)
    if number != int(number) or number < 1:
        raise ValueError(f"{name}={os.environ.get(name)!r} must be a whole number of at least 1")
    return int(number)


def load_scrape_config() -> ScrapeConfig:
    """ScrapeConfig from NBAPROPS_HTTP_* / NBAPROPS_SCRAPE_* variables (see README, Configuration)."""
    d, h = ScrapeConfig(), HttpPolicy()
    proxies = tuple(p.strip() for p in os.environ.get("NBAPROPS_PROXIES", "").split(",") if p.strip())
    http = HttpPolicy(
        connect_timeout=_float("NBAPROPS_HTTP_CONNECT_TIMEOUT", h.connect_timeout),
        read_timeout=_float("NBAPROPS_HTTP_READ_TIMEOUT", h.read_timeout),
        max_attempts=_int("NBAPROPS_HTTP_MAX_ATTEMPTS", h.max_attempts),
        backoff_base=_float("NBAPROPS_HTTP_BACKOFF", h.backoff_base),
        backoff_cap=_float("NBAPROPS_HTTP_BACKOFF_CAP", h.backoff_cap),
        max_retry_after=_float("NBAPROPS_HTTP_MAX_RETRY_AFTER", h.max_retry_after),
        pacing=_float("NBAPROPS_HTTP_PACING", h.pacing),
        proxies=proxies,
    )
    pacing = os.environ.get("NBAPROPS_HTTP_PACING")  # one override paces every source alike
    return ScrapeConfig(
        http=http,
        cdn_pacing=http.pacing if pacing else d.cdn_pacing,
        stats_pacing=_float("NBAPROPS_STATS_PACING", http.pacing if pacing else d.stats_pacing),
        odds_pacing=http.pacing if pacing else d.odds_pacing,
        passes=_int("NBAPROPS_SCRAPE_PASSES", d.passes),
        pass_cooldown=_float("NBAPROPS_SCRAPE_PASS_COOLDOWN", d.pass_cooldown),
        attempt_batch=_int("NBAPROPS_SCRAPE_ATTEMPT_BATCH", d.attempt_batch),
    )
