"""The Odds API v4 -> raw.prop_snapshots (player props) and raw.game_lines (spread, total, moneylines).

Per date: the events list (commenceTimeFrom/To covering the US/Eastern day), then each event's player
props, then one request for the slate's game lines. The key comes from ODDS_API_KEY and is redacted from
every URL, log line and error; archive names never hold it. The quota headers of every response are
kept in the attempt log.

Snapshots. Every pull is a snapshot, and ``snapshot_at`` is the newest ``last_update`` among the books
and markets in the payload: the moment the board reached the state that was pulled (it is at or before
the pull; the pull time itself is in the attempt log and the archive name). So a pull that finds the
board unchanged lands the very same rows again (replaced, not duplicated), a moved line lands a new
snapshot, and a board that last changed before tip-off counts as pre-game even if pulled later.
``snapshot_kind`` is ``pregame_daily`` when snapshot_at is before tip-off, else ``live``.

Game lines land one row per game in raw.game_lines (the table closing lines arrive in): per game, the
newest pulled state from before tip-off, as the median across books of the home spread, total and
moneylines; team names map to the ESPN codes of seeds/teams.csv (the table's convention).
"""

from __future__ import annotations

import csv
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from nbacore.dates import eastern_to_utc, game_date_of, season_start_year
from nbacore.importers.common import conform
from nbacore.markets import ODDS_API_KEYS
from nbacore.raw_tables import GAME_LINES, PROP_SNAPSHOTS
from nbacore.settings import PROJECT_DIR
from scrapers.archive import archived_payloads
from scrapers.cdn_schedule import Slate
from scrapers.fetch import Context, Request, fetch_in_passes, parse_landable
from scrapers.payloads import Parsed, PayloadError, load_json, need, need_list, need_number
from scrapers.results import Landing, SourceResult, report_outcomes

SOURCE = "odds_api"
PROPS_AS = "api.the-odds-api.com/event-odds"
GAME_LINES_AS = "api.the-odds-api.com/game-lines"
SPORT = "basketball_nba"


def books(sources) -> dict[str, str]:
    """Which books to ask for: the named bookmakers when set (the API prefers them), else the regions."""
    return {"bookmakers": sources.odds_bookmakers} if sources.odds_bookmakers else {"regions": sources.odds_regions}


PROP_MARKETS = ODDS_API_KEYS  # the feed's keys of our markets (seeds/markets.csv)
GAME_MARKETS = ("h2h", "spreads", "totals")
EVENT_ID = re.compile(r"^[A-Za-z0-9_]+$")
TEAMS_SEED = PROJECT_DIR / "seeds" / "teams.csv"


@dataclass(frozen=True)
class Event:
    event_id: str
    commence_time: datetime  # naive UTC
    home_team: str
    away_team: str

    @property
    def game_date(self) -> date:
        return game_date_of(self.commence_time)


def _utc(value, where: str, label: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{label}: {where} is {value!r}, expected an ISO time like 2025-11-03T23:00:00Z") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp


def _event(item, where: str, label: str) -> Event:
    event_id = str(need(item, "id", where, label))
    if not EVENT_ID.match(event_id):
        raise PayloadError(f"{label}: {where}.id is {event_id!r}, expected letters, digits and underscores")
    return Event(
        event_id=event_id,
        commence_time=_utc(need(item, "commence_time", where, label), f"{where}.commence_time", label),
        home_team=str(need(item, "home_team", where, label)).strip(),
        away_team=str(need(item, "away_team", where, label)).strip(),
    )


def parse_events(body: bytes, label: str, game_date: date) -> Parsed:
    payload = load_json(body, label)
    if not isinstance(payload, list):
        raise PayloadError(f"{label}: the payload is {type(payload).__name__}, expected a list of events")
    events = [_event(item, f"[{i}]", label) for i, item in enumerate(payload)]
    events = [e for e in events if e.game_date == game_date]
    return Parsed(rows=len(events), value=events, empty_reason=None if events else "no events listed for the date")


def _board(event: dict, label: str) -> tuple[datetime | None, list[tuple[str, dict]]]:
    """Every (bookmaker, market) of an event payload, and the newest last_update among them."""
    newest, markets = None, []
    for b, book in enumerate(need_list(event, "bookmakers", "the event", label)):
        where = f"bookmakers[{b}]"
        key = str(need(book, "key", where, label))
        stamps = [_utc(need(book, "last_update", where, label), f"{where}.last_update", label)]
        for m, market in enumerate(need_list(book, "markets", where, label)):
            if market.get("last_update"):
                stamps.append(_utc(market["last_update"], f"{where}.markets[{m}].last_update", label))
            markets.append((key, market, f"{where}.markets[{m}]"))
        newest = max([s for s in (newest, *stamps) if s is not None])
    return newest, markets


def parse_event_odds(body: bytes, label: str) -> Parsed:
    """One event's player-prop offers: a row per player x market x line x book (Over and Under paired)."""
    payload = load_json(body, label)
    event = _event(payload, "the event", label)
    snapshot_at, markets = _board(payload, label)
    offers: dict[tuple, dict] = {}
    for book, market, where in markets:
        market_key = str(need(market, "key", where, label))
        for o, outcome in enumerate(need_list(market, "outcomes", where, label)):
            at = f"{where}.outcomes[{o}]"
            side = str(need(outcome, "name", at, label)).strip().lower()
            player = str(need(outcome, "description", at, label)).strip()
            line = outcome.get("point")
            offer = offers.setdefault((player, market_key, book, line), {})
            offer["over_odds" if side in ("over", "yes") else "under_odds"] = need(outcome, "price", at, label)
    rows = [
        {"player_name": player, "market_key": market_key, "bookmaker": book, "line": line, **prices}
        for (player, market_key, book, line), prices in offers.items()
    ]
    frame = pd.DataFrame(rows, columns=["player_name", "market_key", "bookmaker", "line", "over_odds", "under_odds"])
    frame["snapshot_at"] = snapshot_at
    frame["snapshot_kind"] = "pregame_daily" if snapshot_at and snapshot_at < event.commence_time else "live"
    frame["event_id"] = event.event_id
    frame["commence_time"] = event.commence_time
    frame["game_date"] = event.game_date
    frame["home_team_name"] = event.home_team
    frame["away_team_name"] = event.away_team
    return Parsed(rows=len(frame), value=conform(PROP_SNAPSHOTS, frame))


@lru_cache(maxsize=1)
def espn_codes(seed: Path = TEAMS_SEED) -> dict[str, str]:
    """The Odds API team name -> ESPN code, from the teams seed (the one place the mapping lives)."""
    with seed.open(encoding="utf-8", newline="") as f:
        return {r["odds_api_team_name"]: r["espn_code"] for r in csv.DictReader(f)}


def parse_game_lines(body: bytes, label: str) -> Parsed:
    """Per event, the median across books of the home spread, the total and both moneylines."""
    payload = load_json(body, label)
    if not isinstance(payload, list):
        raise PayloadError(f"{label}: the payload is {type(payload).__name__}, expected a list of events")
    codes, rows = espn_codes(), []
    for i, item in enumerate(payload):
        event = _event(item, f"[{i}]", label)
        snapshot_at, markets = _board(item, label)
        spreads, totals, home_ml, away_ml = [], [], [], []
        for _, market, where in markets:
            key = str(need(market, "key", where, label))
            for o, outcome in enumerate(need_list(market, "outcomes", where, label)):
                at = f"{where}.outcomes[{o}]"
                name = str(need(outcome, "name", at, label)).strip()
                if key == "h2h":
                    (home_ml if name == event.home_team else away_ml).append(need_number(outcome, "price", at, label))
                elif key == "spreads" and name == event.home_team:
                    spreads.append(need_number(outcome, "point", at, label))
                elif key == "totals" and name.lower() == "over":
                    totals.append(need_number(outcome, "point", at, label))
        if event.home_team not in codes or event.away_team not in codes:
            continue  # exhibitions (All-Star teams) have no franchise code
        home_spread = statistics.median(spreads) if spreads else None
        rows.append(
            {
                "event_id": event.event_id,
                "snapshot_at": snapshot_at,
                "commence_time": event.commence_time,
                "game_date": event.game_date,
                "season": season_start_year(event.game_date) + 1,
                "home_team_code": codes[event.home_team],
                "away_team_code": codes[event.away_team],
                "favored_side": None if not home_spread else ("home" if home_spread < 0 else "away"),
                "spread": None if home_spread is None else abs(home_spread),
                "total": statistics.median(totals) if totals else None,
                "moneyline_home": statistics.median(home_ml) if home_ml else None,
                "moneyline_away": statistics.median(away_ml) if away_ml else None,
            }
        )
    return Parsed(rows=len(rows), value=pd.DataFrame(rows))


def day_window(game_date: date) -> dict[str, str]:
    """commenceTimeFrom/To covering the US/Eastern day, as The Odds API wants them (UTC, seconds, Z)."""
    start = eastern_to_utc(datetime.combine(game_date, time(0)))
    end = eastern_to_utc(datetime.combine(game_date + timedelta(days=1), time(0))) - timedelta(seconds=1)
    return {"commenceTimeFrom": f"{start:%Y-%m-%dT%H:%M:%SZ}", "commenceTimeTo": f"{end:%Y-%m-%dT%H:%M:%SZ}"}


def _request(
    ctx: Context,
    endpoint: str,
    resource_id: str,
    archive_name: str,
    path: str,
    params: dict,
    parse,
    expect_rows: int = 0,
) -> Request:
    """An Odds API request; every endpoint but the events list costs quota per answer (``metered``)."""
    key = ctx.sources.odds_api_key or ""
    return Request(
        source=SOURCE,
        endpoint=endpoint,
        resource_id=resource_id,
        archive_name=archive_name,
        url=f"{ctx.sources.odds_base_url}/v4/sports/{SPORT}/{path}",
        parse=parse,
        params={"apiKey": key, **params},
        headers={"Accept": "application/json"},
        pacing=ctx.config.odds_pacing,
        expect_rows=expect_rows,
        metered=endpoint != "events",
    )


def land(landing_dir: Path, game_date: date) -> Landing:
    """Every archived snapshot of the date's props; per game the newest pre-tip game line."""
    landing = Landing()
    props: dict[tuple[str, datetime], pd.DataFrame] = {}
    lines: list[pd.DataFrame] = []
    for payload in archived_payloads(landing_dir, SOURCE, game_date):
        if payload.resource.startswith("event_odds_"):
            parsed = parse_landable(payload, landing_dir, parse_event_odds, landing.damaged)
            if parsed is None:
                continue
            if len(parsed.value):
                props[(parsed.value["event_id"].iloc[0], parsed.value["snapshot_at"].iloc[0])] = parsed.value
            landing.archived.add(payload.resource.removeprefix("event_odds_"))
        elif payload.resource == "game_lines":
            parsed = parse_landable(payload, landing_dir, parse_game_lines, landing.damaged)
            if parsed is None:
                continue
            if len(parsed.value):
                lines.append(parsed.value)
            landing.archived.add("game_lines")
    if props:
        rows = pd.concat(props.values(), ignore_index=True)
        rows = rows[rows["game_date"] == game_date]
        rows = rows.drop_duplicates(subset=list(PROP_SNAPSHOTS.key[1:]), keep="last").reset_index(drop=True)
        landing.batches.append((PROP_SNAPSHOTS, rows, PROPS_AS))
        landing.resources |= set(rows["event_id"])
    if lines:
        rows = pd.concat(lines, ignore_index=True)
        rows = rows[(rows["game_date"] == game_date) & (rows["snapshot_at"] < rows["commence_time"])]
        rows = rows.sort_values("snapshot_at").drop_duplicates(subset=["home_team_code"], keep="last")
        landing.batches.append((GAME_LINES, conform(GAME_LINES, rows), GAME_LINES_AS))
    return landing


def scrape(ctx: Context, slate: Slate | None) -> tuple[SourceResult, Landing]:
    """Events of the date, then each event's props, then the slate's game lines."""
    result = SourceResult(SOURCE, expected=None)
    if not ctx.sources.odds_api_key:
        result.problems.append("ODDS_API_KEY is not set: export it, or leave odds_api out with --source")
        return result, Landing()
    if slate is not None and not slate.games:
        result.expected = 0
        result.notes.append("empty slate: no games scheduled, nothing to fetch")
        return result, Landing()
    upcoming = len(slate.not_final) if slate else 0
    ctx.progress.start(SOURCE, 2)
    game_date = ctx.game_date
    events_request = _request(
        ctx,
        "events",
        "events",
        "events",
        "events",
        {"dateFormat": "iso", **day_window(game_date)},
        lambda body, label: parse_events(body, label, game_date),
        expect_rows=upcoming,
    )
    outcomes = fetch_in_passes(ctx, [events_request])
    events: list[Event] = outcomes["events"].parsed.value if outcomes["events"].parsed else []
    result.expected = len(events) if events else upcoming
    ctx.progress.grow(len(events))
    markets = ",".join(PROP_MARKETS)
    requests = [
        _request(
            ctx,
            "event_odds",
            e.event_id,
            f"event_odds_{e.event_id}",
            f"events/{e.event_id}/odds",
            {**books(ctx.sources), "markets": markets, "oddsFormat": "american", "dateFormat": "iso"},
            parse_event_odds,
        )
        for e in events
    ]
    if events:
        requests.append(
            _request(
                ctx,
                "odds",
                "game_lines",
                "game_lines",
                "odds",
                {
                    **books(ctx.sources),
                    "markets": ",".join(GAME_MARKETS),
                    "oddsFormat": "american",
                    "dateFormat": "iso",
                    **day_window(game_date),
                },
                parse_game_lines,
            )
        )
    outcomes.update(fetch_in_passes(ctx, requests))
    ctx.progress.finish()
    landing = land(ctx.landing_dir, game_date)
    this_run = {e.event_id for e in events if outcomes[e.event_id].ok}
    result.landed = len(this_run | (landing.archived & {e.event_id for e in events}))
    report_outcomes(result, outcomes, landing.archived)
    quota = [r for r in ctx.log.rows if r.source == SOURCE and r.quota_remaining is not None]
    if quota:
        result.notes.append(f"quota: {quota[-1].quota_remaining} requests remaining, {quota[-1].quota_used} used")
    return result, landing
