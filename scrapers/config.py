"""How patient a scrape is: HTTP timeouts and retries, pacing per source, and re-passes over failures.

Everything has a production default here; the NBAPROPS_* environment overrides are read once into
``settings.scrape`` (nbacore/settings.py), so tests (and the simulated league demo) can shrink waits to
milliseconds without a code path of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbacore.settings import ScrapeSettings
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


def load_scrape_config(overrides: ScrapeSettings) -> ScrapeConfig:
    """ScrapeConfig: these production defaults, with the environment's overrides (``settings.scrape``, read
    once in ``nbacore.settings``; README, Configuration)."""
    d, h, o = ScrapeConfig(), HttpPolicy(), overrides

    def pick(value, default):
        return default if value is None else value

    http = HttpPolicy(
        connect_timeout=pick(o.connect_timeout, h.connect_timeout),
        read_timeout=pick(o.read_timeout, h.read_timeout),
        max_attempts=pick(o.max_attempts, h.max_attempts),
        backoff_base=pick(o.backoff_base, h.backoff_base),
        backoff_cap=pick(o.backoff_cap, h.backoff_cap),
        max_retry_after=pick(o.max_retry_after, h.max_retry_after),
        pacing=pick(o.pacing, h.pacing),
        proxies=o.proxies,
    )
    paced = o.pacing is not None  # one override paces every source alike
    return ScrapeConfig(
        http=http,
        cdn_pacing=http.pacing if paced else d.cdn_pacing,
        stats_pacing=pick(o.stats_pacing, http.pacing if paced else d.stats_pacing),
        odds_pacing=http.pacing if paced else d.odds_pacing,
        passes=pick(o.passes, d.passes),
        pass_cooldown=pick(o.pass_cooldown, d.pass_cooldown),
        attempt_batch=pick(o.attempt_batch, d.attempt_batch),
    )
