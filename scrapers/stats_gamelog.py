"""stats.nba.com ``leaguegamelog`` (PlayerOrTeam P and T) for one date -> raw player and team game logs.

The same-night fallback for box scores the CDN did not give, and the way to backfill seasons: one request
per row kind and season type covers every game of the date. stats.nba.com rejects clients that do not
look like the nba.com site, so requests carry browser-like headers (Origin/Referer nba.com) and are paced
slowly. Rows are validated by the same code as imported LeagueGameLog files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from nbacore.dates import season_label
from nbacore.importers.common import ImportFileError
from nbacore.importers.game_logs import game_log_json_table, game_logs_from_table
from nbacore.raw_tables import PLAYER_GAME_LOGS, TEAM_GAME_LOGS
from scrapers.archive import archived_payloads
from scrapers.cdn_schedule import Slate
from scrapers.fetch import Context, Request, fetch_in_passes, parse_landable
from scrapers.payloads import Parsed, as_payload_error, load_json
from scrapers.results import Landing, SourceResult, report_outcomes

SOURCE = "stats_gamelog"
LANDED_AS = "stats.nba.com/leaguegamelog"
STATS_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
    "Origin": "https://www.nba.com",
    "Referer": "https://www.nba.com/",
    "x-nba-stats-origin": "stats",
    "x-nba-stats-token": "true",
}
SEASON_TYPE_PARAM = {"regular": "Regular Season", "playoffs": "Playoffs", "play_in": "PlayIn"}
KINDS = ("P", "T")


def parse_gamelog(body: bytes, label: str) -> Parsed:
    """LeagueGameLog rows (player or team, as the payload says); an empty rowSet yields no rows."""
    payload = load_json(body, label)
    try:
        table = game_log_json_table(Path(label), payload)
        if table.frame.empty:
            return Parsed(rows=0, empty_reason="leaguegamelog returned an empty rowSet")
        parsed = game_logs_from_table(table, LANDED_AS)
    except ImportFileError as exc:
        raise as_payload_error(exc) from None
    return Parsed(rows=len(parsed.frame), value=parsed.frame)


def requests_for(ctx: Context, slate: Slate | None) -> list[Request]:
    """One request per row kind and season type of the date's final games (regular season without a slate)."""
    day = ctx.game_date.strftime("%m/%d/%Y")
    season = (slate.season if slate else None) or season_label(ctx.game_date)
    finals = slate.final_games if slate else []
    season_types = sorted({g.season_type for g in finals if g.season_type in SEASON_TYPE_PARAM}) or ["regular"]
    requests = []
    for season_type in season_types:
        expected = sum(g.season_type == season_type for g in finals)
        for kind in KINDS:
            requests.append(
                Request(
                    source=SOURCE,
                    endpoint="leaguegamelog",
                    resource_id=f"{kind}_{season_type}",
                    archive_name=f"leaguegamelog_{kind}_{season_type}",
                    url=f"{ctx.sources.stats_base_url}/stats/leaguegamelog",
                    params={
                        "Counter": "0",
                        "DateFrom": day,
                        "DateTo": day,
                        "Direction": "ASC",
                        "LeagueID": "00",
                        "PlayerOrTeam": kind,
                        "Season": season,
                        "SeasonType": SEASON_TYPE_PARAM[season_type],
                        "Sorter": "DATE",
                    },
                    parse=parse_gamelog,
                    headers=STATS_HEADERS,
                    pacing=ctx.config.stats_pacing,
                    expect_rows=expected,
                )
            )
    return requests


def land(landing_dir: Path, game_date: date) -> Landing:
    """Per request kind, the newest archived payload that parses with rows (else nothing)."""
    newest: dict[str, pd.DataFrame] = {}
    damaged: list[str] = []
    for payload in archived_payloads(landing_dir, SOURCE, game_date):
        parsed = parse_landable(payload, landing_dir, parse_gamelog, damaged)
        if parsed and parsed.rows:
            newest[payload.resource] = parsed.value
    players = [f for name, f in newest.items() if name.startswith("leaguegamelog_P_")]
    teams = [f for name, f in newest.items() if name.startswith("leaguegamelog_T_")]
    landing = Landing(damaged=damaged)
    game_ids: list[set[str]] = []
    for table, frames in ((PLAYER_GAME_LOGS, players), (TEAM_GAME_LOGS, teams)):
        if not frames:
            game_ids.append(set())
            continue
        rows = pd.concat(frames, ignore_index=True)
        rows = rows[rows["game_date"] == game_date].reset_index(drop=True)
        landing.batches.append((table, rows, LANDED_AS))
        game_ids.append(set(rows["game_id"]))
    landing.resources = game_ids[0] & game_ids[1]  # a game counts when both its player and team rows landed
    landing.archived = {name.removeprefix("leaguegamelog_") for name in newest}
    return landing


def scrape(ctx: Context, slate: Slate | None) -> tuple[SourceResult, Landing]:
    requests = requests_for(ctx, slate)
    finals = {g.game_id for g in slate.final_games} if slate else set()
    result = SourceResult(SOURCE, expected=len(finals) if slate else None)
    if slate is not None and not finals:
        result.notes.append("no final games on this date: nothing to fetch")
        return result, Landing()
    ctx.progress.start(SOURCE, len(requests))
    outcomes = fetch_in_passes(ctx, requests)
    ctx.progress.finish()
    landing = land(ctx.landing_dir, ctx.game_date)
    result.landed = len(landing.resources & finals) if slate else len(landing.resources)
    report_outcomes(result, outcomes, landing.archived)
    missing = finals - landing.resources
    if missing and landing.resources:
        result.problems.append(f"{len(missing)} final game(s) absent from leaguegamelog: {', '.join(sorted(missing))}")
    return result, landing
