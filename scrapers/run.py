"""A scrape of one game date across sources, and its replay from the archive.

Order: the schedule first (it is the plan: which games are final, which are still to play), then CDN box
scores of final games, stats.nba.com leaguegamelog, the box score v3 fallback for final games the CDN did
not land, The Odds API, and the league's injury report. Every source lands right after it is fetched, so a failure later in the run
keeps what landed.

Landing is always "rebuild the date's partition from the archive": each source parses its archived
payloads of the date (the newest good one per resource; every prop snapshot) and replaces its
(``_source``, ``game_date``) partitions. So a rerun replaces rather than duplicates, a game blocked on the
second run keeps the rows its first-run payload gave, and ``replay`` (the same landing, no network) rebuilds
exactly what the scrapes landed.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nbacore.settings import Settings
from nbacore.warehouse import open_warehouse
from scrapers import cdn_boxscore, cdn_schedule, injury_report, odds_api, stats_boxscore, stats_gamelog
from scrapers.attempts import AttemptLog, AttemptRow
from scrapers.config import ScrapeConfig, load_scrape_config
from scrapers.fetch import Context, NoProgress, Progress
from scrapers.http import HttpClient, utc_now
from scrapers.results import Landing, SourceResult

SOURCES = ("cdn_schedule", "cdn_boxscore", "stats_gamelog", "stats_boxscore", "odds_api", "injury_report")
log = logging.getLogger(__name__)
LANDERS: dict[str, Callable[[Path, date], Landing]] = {
    "cdn_schedule": cdn_schedule.land,
    "cdn_boxscore": cdn_boxscore.land,
    "stats_gamelog": stats_gamelog.land,
    "stats_boxscore": stats_boxscore.land,
    "odds_api": odds_api.land,
    "injury_report": injury_report.land,
}


@dataclass
class ScrapeReport:
    """What one run did: per-source results and every attempt it logged."""

    run_id: str
    game_date: date
    results: list[SourceResult]
    attempts: list[AttemptRow]

    @property
    def succeeded(self) -> bool:
        return all(r.succeeded for r in self.results)


def choose_sources(names: list[str] | None) -> tuple[str, ...]:
    """The sources to run, in run order; the schedule always runs (every other source plans from it)."""
    unknown = sorted(set(names or ()) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    chosen = set(names or SOURCES) | {"cdn_schedule"}
    return tuple(s for s in SOURCES if s in chosen)


def new_run_id() -> str:
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _land(wh, result: SourceResult, landing: Landing) -> SourceResult:
    """Land a source's rows; damaged archive files it passed over make it fail (the rest still lands)."""
    result.problems += landing.damaged
    if landing.batches:
        result.add_landed(wh.land(landing.batches))
    return result


def scrape_date(
    settings: Settings,
    game_date: date,
    sources: list[str] | None = None,
    config: ScrapeConfig | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    schedules: dict | None = None,
) -> ScrapeReport:
    """Fetch, archive and land one game date from the chosen sources. ``schedules``: one dict shared by the
    dates of a backfill, so each season's schedule is downloaded once (``cdn_schedule.scrape``)."""
    chosen = choose_sources(sources)
    config = config or load_scrape_config(settings.scrape)
    run_id = new_run_id()
    wh = open_warehouse(settings)
    attempt_log = AttemptLog(wh, run_id, config.attempt_batch)
    client = HttpClient(config.http, secrets=[settings.sources.odds_api_key], sleep=sleep)
    ctx = Context(
        game_date, client, settings.landing_dir, attempt_log, config, settings.sources, progress or NoProgress(), sleep
    )
    results: list[SourceResult] = []

    def run(name: str, step: Callable[[], tuple]) -> tuple[Landing, object]:
        """Run one source and land what it got; a crash (a bug) is reported and the next source still runs."""
        try:
            result, landing, *extra = step()
        except Exception as exc:
            log.exception("scraper %s crashed", name)
            result, landing, extra = SourceResult(name, expected=None), Landing(), [None]
            result.problems.append(f"crashed: {type(exc).__name__}: {client.redact(str(exc))} (a scraper bug)")
        results.append(_land(wh, result, landing))
        return landing, extra[0] if extra else None

    try:
        _, slate = run("cdn_schedule", lambda: cdn_schedule.scrape(ctx, schedules))
        finals = [g.game_id for g in slate.final_games] if slate else []
        still_missing = list(finals)
        if "cdn_boxscore" in chosen:
            landing, _ = run("cdn_boxscore", lambda: cdn_boxscore.scrape(ctx, slate))
            still_missing = [g for g in finals if g not in landing.resources]
        if "stats_gamelog" in chosen:
            run("stats_gamelog", lambda: stats_gamelog.scrape(ctx, slate))
        if "stats_boxscore" in chosen:
            run("stats_boxscore", lambda: stats_boxscore.scrape(ctx, still_missing))
        if "odds_api" in chosen:
            run("odds_api", lambda: odds_api.scrape(ctx, slate))
        if "injury_report" in chosen:
            run("injury_report", lambda: injury_report.scrape(ctx, slate))
    finally:
        try:
            attempt_log.flush()
        finally:
            client.close()
            wh.close()
    return ScrapeReport(run_id, game_date, results, attempt_log.rows)


def replay_date(settings: Settings, game_date: date, sources: list[str] | None = None) -> list[SourceResult]:
    """Land the raw tables of one date again from the archive alone (no network)."""
    chosen = choose_sources(sources) if sources else SOURCES
    wh = open_warehouse(settings)
    results = []
    try:
        for name in chosen:
            landing = LANDERS[name](settings.landing_dir, game_date)
            result = SourceResult(name, expected=None, landed=len(landing.resources), notes=list(landing.notes))
            results.append(_land(wh, result, landing))
    finally:
        wh.close()
    return results
