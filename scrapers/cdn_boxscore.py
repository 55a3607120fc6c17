"""NBA CDN live box score (``boxscore_{gameId}.json``) -> raw.player_game_logs and raw.team_game_logs.

Fetched only for games the schedule marks final (gameStatus 3); other games are skipped, not failed,
so a game that has not finished never triggers retries. Exhibitions (preseason, All-Star) are skipped
too: they are not landed from any feed. Keeps ``starter``, ``status`` and ``notPlayingReason`` and lands
players who did not play (see ``scrapers.box_scores`` for how their minutes and stats are written).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from nbacore.dates import game_date_of
from scrapers.archive import archived_payloads
from scrapers.box_scores import PlayerLine, TeamSide, box_score_landing, box_score_rows
from scrapers.cdn_schedule import BROWSER_HEADERS, FINAL, Slate
from scrapers.fetch import Context, Request, fetch_in_passes, parse_landable
from scrapers.payloads import Parsed, PayloadError, load_json, need, need_list, need_number
from scrapers.results import Landing, SourceResult, report_outcomes

SOURCE = "cdn_boxscore"
LANDED_AS = "cdn.nba.com/boxscore"


def parse_boxscore(body: bytes, label: str) -> Parsed:
    """A final game's player and team rows; a game that is not final yields no rows (and says why)."""
    payload = load_json(body, label)
    game = need(payload, "game", "the payload", label)
    game_id = str(need(game, "gameId", "game", label))
    status = int(need_number(game, "gameStatus", "game", label))
    if status != FINAL:
        return Parsed(rows=0, empty_reason=f"game {game_id} is not final (gameStatus {status})")
    tipoff = need(game, "gameTimeUTC", "game", label)
    try:
        game_date = game_date_of(datetime.fromisoformat(str(tipoff).replace("Z", "+00:00")))
    except ValueError:
        raise PayloadError(
            f"{label}: game.gameTimeUTC is {tipoff!r}, expected an ISO time like 2025-10-21T23:30:00Z"
        ) from None
    away = _side(need(game, "awayTeam", "game", label), "game.awayTeam", label)
    home = _side(need(game, "homeTeam", "game", label), "game.homeTeam", label)
    players, teams = box_score_rows(game_id, game_date, away, home, label, LANDED_AS)
    return Parsed(rows=len(players.frame), value=(players.frame, teams.frame))


def _side(team: dict, where: str, label: str) -> TeamSide:
    players = []
    for i, p in enumerate(need_list(team, "players", where, label)):
        at = f"{where}.players[{i}]"
        played = str(need(p, "played", at, label)) == "1"
        players.append(
            PlayerLine(
                player_id=need(p, "personId", at, label),
                name=str(need(p, "name", at, label)).strip(),
                starter=str(p.get("starter", "0")) == "1",
                played=played,
                status=p.get("status"),
                not_playing_reason=p.get("notPlayingReason"),
                statistics=need(p, "statistics", at, label),
                where=at,
            )
        )
    city, nickname = need(team, "teamCity", where, label), need(team, "teamName", where, label)
    return TeamSide(
        team_id=need(team, "teamId", where, label),
        tricode=str(need(team, "teamTricode", where, label)),
        name=f"{city} {nickname}".strip(),
        score=int(need_number(team, "score", where, label)),
        statistics=need(team, "statistics", where, label),
        players=players,
        where=where,
    )


def request_for(ctx: Context, game_id: str) -> Request:
    return Request(
        source=SOURCE,
        endpoint="boxscore",
        resource_id=game_id,
        archive_name=f"boxscore_{game_id}",
        url=f"{ctx.sources.cdn_base_url}/static/json/liveData/boxscore/boxscore_{game_id}.json",
        parse=parse_boxscore,
        headers=BROWSER_HEADERS,
        pacing=ctx.config.cdn_pacing,
        expect_rows=1,
    )


def land(landing_dir: Path, game_date: date) -> Landing:
    """Per game, the newest archived box score of the date that parses and is final."""
    newest: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    damaged: list[str] = []
    for payload in archived_payloads(landing_dir, SOURCE, game_date):
        parsed = parse_landable(payload, landing_dir, parse_boxscore, damaged)
        if parsed and parsed.rows:
            newest[payload.resource] = parsed.value  # later payloads replace earlier ones
    landing = box_score_landing(newest.values(), game_date, LANDED_AS)
    landing.damaged = damaged
    return landing


def scrape(ctx: Context, slate: Slate | None) -> tuple[SourceResult, Landing]:
    """Fetch every final game's box score, then rebuild the date's rows from the archive."""
    if slate is None:
        result = SourceResult(SOURCE, expected=None)
        result.problems.append("no schedule: cannot tell which games are final; nothing fetched")
        return result, Landing()
    finals = slate.final_games
    result = SourceResult(SOURCE, expected=len(finals))
    unfinished = slate.not_final
    if unfinished:
        result.notes.append(
            f"skipped {len(unfinished)} game(s) not final: "
            + ", ".join(f"{g.game_id} (gameStatus {g.status})" for g in unfinished)
        )
    exhibitions = [g for g in slate.games if g.final and g.exhibition]
    if exhibitions:
        result.notes.append(f"skipped {len(exhibitions)} exhibition game(s)")
    ctx.progress.start(SOURCE, len(finals))
    outcomes = fetch_in_passes(ctx, [request_for(ctx, g.game_id) for g in finals])
    ctx.progress.finish()
    landing = land(ctx.landing_dir, ctx.game_date)
    result.landed = len(landing.resources & {g.game_id for g in finals})
    report_outcomes(result, outcomes, landing.archived)
    return result, landing
