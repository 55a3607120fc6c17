"""NBA CDN season schedule (``scheduleLeagueV2.json``, the ``_1`` variant as fallback) -> raw.schedule.

The schedule is the plan for a date: which games exist, which are final (gameStatus 3) and so have a box
score, and which have not tipped yet (so should have odds). Only the scraped date's rows are landed; the
payload holds the whole season and stays in the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from nbacore.dates import season_start_year
from nbacore.importers.common import ImportFileError
from nbacore.importers.schedule import cdn_schedule_table, schedule_from_table
from nbacore.raw_tables import SCHEDULE
from scrapers.archive import ArchivedPayload, archive_payload, archived_payloads, relative_path
from scrapers.fetch import Context, Request, fetch_first_of, parse_archived, parse_landable
from scrapers.payloads import Parsed, as_payload_error, load_json, need
from scrapers.results import Landing, SourceResult

SOURCE = "cdn_schedule"
LANDED_AS = "cdn.nba.com/schedule"
ENDPOINTS = ("scheduleLeagueV2", "scheduleLeagueV2_1")
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Accept": "application/json, text/plain, */*",
    "Referer": "https://www.nba.com/",
}
FINAL = 3
EXHIBITIONS = ("preseason", "all_star")


@dataclass(frozen=True)
class ScheduledGame:
    game_id: str
    game_date: date
    status: int | None
    season: str | None
    season_type: str | None
    home: str
    away: str
    tipoff_at: datetime | None  # naive UTC

    @property
    def final(self) -> bool:
        return self.status == FINAL

    @property
    def exhibition(self) -> bool:
        return self.season_type in EXHIBITIONS


@dataclass(frozen=True)
class Slate:
    """The scheduled games of one date, from one schedule payload."""

    game_date: date
    games: list[ScheduledGame]
    season: str | None

    @property
    def final_games(self) -> list[ScheduledGame]:
        return [g for g in self.games if g.final and not g.exhibition]

    @property
    def not_final(self) -> list[ScheduledGame]:
        return [g for g in self.games if not g.final]


def parse_schedule(body: bytes, label: str) -> Parsed:
    """The whole season's schedule rows (validated by the shared schedule importer)."""
    payload = load_json(body, label)
    need(need(payload, "leagueSchedule", "the payload", label), "gameDates", "leagueSchedule", label)
    try:
        parsed = schedule_from_table(cdn_schedule_table(Path(label), payload), LANDED_AS)
    except ImportFileError as exc:
        raise as_payload_error(exc) from None
    return Parsed(rows=len(parsed.frame), value=parsed.frame)


def slate_of(frame: pd.DataFrame, game_date: date) -> Slate:
    day = frame[frame["game_date"] == game_date]
    games = [
        ScheduledGame(
            game_id=r.game_id,
            game_date=game_date,
            status=None if pd.isna(r.game_status) else int(r.game_status),
            season=None if pd.isna(r.season) else str(r.season),
            season_type=None if pd.isna(r.season_type) else r.season_type,
            home=r.home_team_abbreviation,
            away=r.away_team_abbreviation,
            tipoff_at=None if pd.isna(r.tipoff_at) else pd.Timestamp(r.tipoff_at).to_pydatetime(),
        )
        for r in day.itertuples(index=False)
    ]
    seasons = frame["season"].dropna()
    return Slate(game_date, games, str(seasons.iloc[0]) if len(seasons) else None)


def requests_for(ctx: Context) -> list[Request]:
    base = ctx.sources.cdn_base_url
    return [
        Request(
            source=SOURCE,
            endpoint=name,
            resource_id="schedule",
            archive_name=name,
            url=f"{base}/static/json/staticData/{name}.json",
            parse=parse_schedule,
            headers=BROWSER_HEADERS,
            pacing=ctx.config.cdn_pacing,
        )
        for name in ENDPOINTS
    ]


def latest_schedule(
    landing_dir: Path, game_date: date, damaged: list[str] | None = None
) -> tuple[pd.DataFrame | None, str | None]:
    """The newest archived schedule of the date that parses, and its archive path; damaged archive files
    passed over on the way are added to ``damaged``."""
    for payload in reversed(archived_payloads(landing_dir, SOURCE, game_date)):
        parsed = parse_landable(payload, landing_dir, parse_schedule, [] if damaged is None else damaged)
        if parsed is not None:
            return parsed.value, relative_path(landing_dir, payload)
    return None, None


def land(landing_dir: Path, game_date: date) -> Landing:
    """raw.schedule rows of ``game_date`` from the newest archived schedule that parses."""
    damaged: list[str] = []
    frame, path = latest_schedule(landing_dir, game_date, damaged)
    if frame is None:
        return Landing(notes=["no archived schedule parses for this date"], damaged=damaged)
    day = frame[frame["game_date"] == game_date].reset_index(drop=True)
    batches = [(SCHEDULE, day, LANDED_AS)]
    return Landing(batches=batches, resources={"schedule"}, notes=[f"from {path}"], damaged=damaged)


def reuse(ctx: Context, fetched: ArchivedPayload) -> tuple[SourceResult, Landing, Slate | None]:
    """The date's slate from a schedule already fetched in this run, archived again under this date (same
    bytes and snapshot name) so the date's archive stays complete for ``replay``; no request is made."""
    copy = archive_payload(
        ctx.landing_dir, SOURCE, ctx.game_date, fetched.resource, fetched.received_at, fetched.status, fetched.read()
    )
    frame = parse_archived(copy, ctx.landing_dir, parse_schedule).value
    result = SourceResult(SOURCE, expected=1, landed=1)
    result.notes.append(
        f"schedule reused from {relative_path(ctx.landing_dir, fetched)} (fetched once per season in this run)"
    )
    return result, land(ctx.landing_dir, ctx.game_date), slate_of(frame, ctx.game_date)


def scrape(
    ctx: Context, fetched: dict[int, ArchivedPayload] | None = None
) -> tuple[SourceResult, Landing, Slate | None]:
    """Fetch the schedule (fallback variant on failure); the slate comes from the schedule that lands.

    ``fetched``: schedules this run already fetched, by season start year. The payload is the whole season,
    so a backfill passes one dict for all its dates and downloads each season's schedule once, not per date.
    """
    season = season_start_year(ctx.game_date)
    if fetched is not None and season in fetched:
        return reuse(ctx, fetched[season])
    ctx.progress.start(SOURCE, 1)
    outcome = fetch_first_of(ctx, requests_for(ctx))
    ctx.progress.finish()
    if outcome.ok and fetched is not None and outcome.payload is not None:
        fetched[season] = outcome.payload
    result = SourceResult(SOURCE, expected=1)
    if outcome.ok and outcome.request.endpoint != ENDPOINTS[0]:
        result.notes.append(f"schedule came from the fallback {outcome.request.endpoint}.json")
    frame, path = latest_schedule(ctx.landing_dir, ctx.game_date)
    if not outcome.ok:  # a failed fetch is a problem even when an earlier archived schedule is used
        line = f"schedule: {outcome.classification}: {outcome.error}"
        if frame is not None:
            line += f"; this run's fetch failed, using the earlier archived {path}"
        result.problems.append(line)
    if frame is None:
        return result, Landing(), None
    result.landed = 1
    return result, land(ctx.landing_dir, ctx.game_date), slate_of(frame, ctx.game_date)
