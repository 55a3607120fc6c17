"""stats.nba.com box score v3 (``boxscoretraditionalv3``) -> raw player and team game logs, per game.

The per-game fallback when the CDN box score of a final game could not be landed: unlike leaguegamelog it
names starters (``position`` set) and why a player did not play (``comment``, e.g. "DNP - Coach's
Decision"). The v3 payload carries no date, so the game date is the archive folder's (the scraped date).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scrapers.archive import archived_payloads
from scrapers.box_scores import PlayerLine, TeamSide, box_score_landing, box_score_rows
from scrapers.fetch import Context, Request, fetch_in_passes, parse_landable
from scrapers.payloads import Parsed, load_json, need, need_list, need_number
from scrapers.results import Landing, SourceResult, report_outcomes
from scrapers.stats_gamelog import STATS_HEADERS

SOURCE = "stats_boxscore"
LANDED_AS = "stats.nba.com/boxscoretraditionalv3"
NOT_PLAYED_PREFIXES = ("DNP", "DND", "NWT", "INACTIVE")


def parse_boxscore_v3(body: bytes, label: str, game_date: date) -> Parsed:
    payload = load_json(body, label)
    box = need(payload, "boxScoreTraditional", "the payload", label)
    game_id = str(need(box, "gameId", "boxScoreTraditional", label))
    away = _side(need(box, "awayTeam", "boxScoreTraditional", label), "boxScoreTraditional.awayTeam", label)
    home = _side(need(box, "homeTeam", "boxScoreTraditional", label), "boxScoreTraditional.homeTeam", label)
    if not away.players and not home.players:
        return Parsed(rows=0, empty_reason=f"box score v3 of {game_id} has no players yet")
    players, teams = box_score_rows(game_id, game_date, away, home, label, LANDED_AS)
    return Parsed(rows=len(players.frame), value=(players.frame, teams.frame))


def _side(team: dict, where: str, label: str) -> TeamSide:
    players = []
    for i, p in enumerate(need_list(team, "players", where, label)):
        at = f"{where}.players[{i}]"
        statistics = need(p, "statistics", at, label)
        comment = str(p.get("comment") or "").strip()
        minutes = str(statistics.get("minutes") or "").strip() if isinstance(statistics, dict) else ""
        played = bool(minutes) and not comment.upper().startswith(NOT_PLAYED_PREFIXES)
        name = f"{need(p, 'firstName', at, label)} {need(p, 'familyName', at, label)}".strip()
        players.append(
            PlayerLine(
                player_id=need(p, "personId", at, label),
                name=name,
                starter=bool(str(p.get("position") or "").strip()),
                played=played,
                status=None,
                not_playing_reason=comment or None,
                statistics=statistics,
                where=at,
            )
        )
    statistics = need(team, "statistics", where, label)
    city, nickname = need(team, "teamCity", where, label), need(team, "teamName", where, label)
    return TeamSide(
        team_id=need(team, "teamId", where, label),
        tricode=str(need(team, "teamTricode", where, label)),
        name=f"{city} {nickname}".strip(),
        score=int(need_number(statistics, "points", f"{where}.statistics", label)),
        statistics=statistics,
        players=players,
        where=where,
    )


def request_for(ctx: Context, game_id: str) -> Request:
    game_date = ctx.game_date
    return Request(
        source=SOURCE,
        endpoint="boxscoretraditionalv3",
        resource_id=game_id,
        archive_name=f"boxscoretraditionalv3_{game_id}",
        url=f"{ctx.sources.stats_base_url}/stats/boxscoretraditionalv3",
        params={
            "GameID": game_id,
            "StartPeriod": "0",
            "EndPeriod": "0",
            "StartRange": "0",
            "EndRange": "0",
            "RangeType": "0",
        },
        parse=lambda body, label: parse_boxscore_v3(body, label, game_date),
        headers=STATS_HEADERS,
        pacing=ctx.config.stats_pacing,
        expect_rows=1,
    )


def land(landing_dir: Path, game_date: date) -> Landing:
    newest, damaged = {}, []

    def parse(body: bytes, label: str) -> Parsed:
        return parse_boxscore_v3(body, label, game_date)

    for payload in archived_payloads(landing_dir, SOURCE, game_date):
        parsed = parse_landable(payload, landing_dir, parse, damaged)
        if parsed and parsed.rows:
            newest[payload.resource] = parsed.value
    landing = box_score_landing(newest.values(), game_date, LANDED_AS)
    landing.damaged = damaged
    return landing


def scrape(ctx: Context, game_ids: list[str]) -> tuple[SourceResult, Landing]:
    """Fetch the v3 box score of each game the CDN did not land."""
    result = SourceResult(SOURCE, expected=len(game_ids))
    if not game_ids:
        landing = land(ctx.landing_dir, ctx.game_date)
        result.landed = len(landing.resources)
        result.expected = len(landing.resources)
        return result, landing
    ctx.progress.start(SOURCE, len(game_ids))
    outcomes = fetch_in_passes(ctx, [request_for(ctx, g) for g in game_ids])
    ctx.progress.finish()
    landing = land(ctx.landing_dir, ctx.game_date)
    result.landed = len(landing.resources & set(game_ids))
    report_outcomes(result, outcomes, landing.archived)
    return result, landing
