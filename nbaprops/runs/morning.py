"""The morning job and backfills: one command per date that says what it did, and refuses to build on holes.

`run` for game date D: land yesterday's finals (D-1), land today's schedule and props (D), build the
warehouse, grade D-1, score D, write the report. Every phase is recorded in ops.pipeline_runs under D,
so `nbaprops status --date D` answers "how far did D get" from the warehouse. Gates check each phase's
inputs against the schedule and name what is missing; `--force` overrides and is recorded.

A backfill is one scrape per date, so its size is checked before it starts (a typo of a year is thousands
of scrapes), and it downloads each season's schedule once for all its dates. Both commands first close the
phase records of runs that were killed mid-phase (run_log.close_abandoned).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from nbacore.dates import today_eastern
from nbacore.settings import PROJECT_DIR, Settings
from nbacore.warehouse import Warehouse, open_warehouse
from nbaprops.runs.run_log import close_abandoned, latest_phase_states, new_run_id, record_skip, track_phase

RUN_PHASES = ("scrape_results", "scrape_slate", "build", "grade", "score", "report")
BACKFILL_PHASES = ("scrape",)
MAX_BACKFILL_DATES = 400  # more than a season plus its playoffs: past this, ask for --yes
SEASON_CALENDAR = PROJECT_DIR / "seeds" / "season_calendar.csv"


class GateClosed(RuntimeError):
    """A phase's inputs are missing or incomplete; the message names what is missing."""


@dataclass
class PhaseOutcome:
    phase: str
    status: str
    detail: str


def final_games_missing_box_scores(wh: Warehouse, game_date: date) -> list[str]:
    """Final games of ``game_date`` in the schedule without box scores for both teams (matched on date + team)."""
    rows = wh.rows(
        """
        with final_games as (
            select distinct game_id, home_team_abbreviation as home, away_team_abbreviation as away
            from raw.schedule
            where game_date = @day and game_status = 3
        ),
        landed as (
            select distinct team_abbreviation as team from raw.team_game_logs where game_date = @day
            union distinct
            select distinct team_abbreviation from raw.player_game_logs
            where game_date = @day and not_playing_reason is null
        )
        select game_id || ' ' || away || ' @ ' || home
        from final_games
        where home not in (select team from landed) or away not in (select team from landed)
        order by 1
        """,
        {"day": game_date},
    )
    return [r[0] for r in rows]


def scheduled_games(wh: Warehouse, game_date: date) -> int:
    return wh.scalar(
        "select count(distinct game_id) from raw.schedule where game_date = @day "
        "and coalesce(season_type, '') not in ('preseason', 'all_star')",
        {"day": game_date},
    )


def gate_build(wh: Warehouse, day: date) -> str:
    """Build needs yesterday's finals landed and, when today has games, today's prop lines."""
    missing = final_games_missing_box_scores(wh, day - timedelta(days=1))
    if missing:
        raise GateClosed(
            f"{len(missing)} final game(s) of {day - timedelta(days=1)} have no box scores: {', '.join(missing[:5])}"
        )
    games_today = scheduled_games(wh, day)
    if games_today:
        props = wh.scalar("select count(*) from raw.prop_snapshots where game_date = @day", {"day": day})
        if props == 0:
            raise GateClosed(f"the schedule has {games_today} game(s) on {day} but no prop snapshots landed for them")
    return f"inputs complete: finals of {day - timedelta(days=1)} landed, {games_today} game(s) scheduled on {day}"


def gate_score(wh: Warehouse, day: date) -> str:
    """Scoring needs feature rows for every game with lines today."""
    games_with_lines = wh.scalar(
        "select count(distinct event_id) from raw.prop_snapshots where game_date = @day", {"day": day}
    )
    if games_with_lines == 0:
        return f"no lines on {day}: nothing to score"
    rows = wh.scalar("select count(*) from precompute.feature_mart where game_date = @day and has_line", {"day": day})
    if rows == 0:
        raise GateClosed(
            f"{games_with_lines} game(s) on {day} have lines but the feature mart has no rows with lines; "
            "build first, or, if the build passed, land earlier dates (nbaprops backfill): the players "
            "have no box scores yet (monitoring.prop_player_names_unmatched lists them)"
        )
    return f"{rows} feature rows with lines on {day}"


def _scrape(settings: Settings, day: date, sources: list[str] | None, schedules: dict | None = None) -> str:
    from scrapers.run import scrape_date

    report = scrape_date(settings, day, sources, schedules=schedules)
    landed = sum(sum(r.rows.values()) for r in report.results)
    if not report.succeeded:
        problems = [p for r in report.results for p in r.problems]
        raise RuntimeError(f"scrape of {day} incomplete: {'; '.join(problems[:3]) or 'see raw.scrape_attempts'}")
    return f"scraped {day}: {landed} rows landed, {len(report.attempts)} requests"


def _build(settings: Settings, since: date | None = None) -> str:
    from nbacore.dbt_runner import build_args, run_dbt

    plan = build_args(settings, daily=True, since=since)
    outcome = run_dbt(settings, plan.args, quiet=True, env=plan.env)
    if not outcome.success:
        names = ", ".join(f"{n.name} ({n.status})" for n in outcome.failures[:5])
        raise RuntimeError(f"dbt build failed: {names}")
    return f"{plan.description}: {len(outcome.nodes)} nodes passed"


def _predict(settings: Settings, what: str, day: date) -> str:
    from predict import commands
    from predict.config import PredictConfig

    if what == "grade":
        with open_warehouse(settings) as wh:
            scored = wh.table_exists("predictions.predictions") and wh.scalar(
                "select count(*) from predictions.predictions where game_date = @day and is_current", {"day": day}
            )
        if not scored:
            return f"nothing to grade: no predictions were made for {day}"
    lines = getattr(commands, what)(settings, PredictConfig(), day).lines
    return lines[0] if lines else f"{what} {day}: done"


def _report(settings: Settings, day: date) -> str:
    from nbaprops.runs.report import write_report

    path = write_report(settings, day)
    return f"report written to {path}"


def run_day(
    settings: Settings, day: date, force: bool = False, echo: Callable[[str], None] = print
) -> list[PhaseOutcome]:
    """The morning job for game date ``day`` (US/Eastern); returns what each phase did."""
    run_id = new_run_id()
    yesterday = day - timedelta(days=1)
    echo(f"morning run {run_id} for game date {day} (US/Eastern); results of {yesterday}")
    _close_abandoned(settings, f"run --date {day} (run {run_id})", echo)
    steps: list[tuple[str, Callable[[Warehouse], str | None], Callable[[], str]]] = [
        ("scrape_results", lambda wh: None, lambda: _scrape(settings, yesterday, None)),
        ("scrape_slate", lambda wh: None, lambda: _scrape(settings, day, None)),
        ("build", lambda wh: gate_build(wh, day), lambda: _build(settings)),
        ("grade", lambda wh: None, lambda: _predict(settings, "grade", yesterday)),
        ("score", lambda wh: gate_score(wh, day), lambda: _predict(settings, "score", day)),
        ("report", lambda wh: None, lambda: _report(settings, day)),
    ]
    outcomes: list[PhaseOutcome] = []
    for phase, gate, body in steps:
        outcome = _run_phase(settings, run_id, phase, day, gate, body, force)
        outcomes.append(outcome)
        echo(f"  {phase:<15} {outcome.status:<8} {outcome.detail}")
    return outcomes


def _run_phase(settings, run_id, phase, day, gate, body, force) -> PhaseOutcome:
    wh = open_warehouse(settings)
    try:
        try:
            gate(wh)
        except GateClosed as closed:
            if not force:
                record_skip(wh, run_id, phase, day, f"gate closed: {closed}")
                return PhaseOutcome(phase, "blocked", f"{closed} (use --force to run anyway)")
        # Phases open their own connections in this process; DuckDB shares one database instance
        # between them (and dbt's), so holding this one open for the record is safe.
        with track_phase(wh, run_id, phase, day, forced=force) as record:
            record.detail = body()
        return PhaseOutcome(phase, "success", record.detail or "")
    except Exception as exc:  # recorded by track_phase; the run goes on to say what else it could do
        return PhaseOutcome(phase, "failed", f"{type(exc).__name__}: {exc}"[:300])
    finally:
        wh.close()


def _close_abandoned(settings: Settings, noticed_by: str, echo: Callable[[str], None]) -> None:
    with open_warehouse(settings) as wh:
        closed = close_abandoned(wh, noticed_by)
    if closed:
        echo(f"  closed {closed} phase record(s) left running by a killed run (status 'abandoned')")


def season_calendar_span(path=SEASON_CALENDAR) -> tuple[date, date, str, str]:
    """(first day, last day, first season, last season) of the seasons the warehouse can hold: a game
    outside seeds/season_calendar.csv gets no season and fails every build (not_null_int_games_season)."""
    with open(path, newline="") as f:
        seasons = sorted(csv.DictReader(f), key=lambda r: r["starts_on"])
    return (
        date.fromisoformat(seasons[0]["starts_on"]),
        date.fromisoformat(seasons[-1]["ends_on"]),
        seasons[0]["season"],
        seasons[-1]["season"],
    )


def check_backfill_range(start: date, end: date, yes: bool = False, today: date | None = None) -> None:
    """Refuse, in one line naming the fix, a range that is backwards, reaches outside the seasons the
    warehouse holds or past today (nothing is final yet), or is over MAX_BACKFILL_DATES dates without ``yes``."""
    today = today or today_eastern()
    first, last, first_season, last_season = season_calendar_span()
    count = (end - start).days + 1
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}; give an end on or after the start")
    if start < first:
        raise ValueError(
            f"--start {start} is before the first season the warehouse holds ({first_season}, from "
            f"{first}; seeds/season_calendar.csv) and would fail every build; start on or after {first}"
        )
    if end > today:
        raise ValueError(
            f"--end {end} is after today ({today}, US/Eastern): no game after today is final; "
            f"end on or before {today} (`nbaprops run --date D` lands a coming slate)"
        )
    if end > last:
        raise ValueError(
            f"--end {end} is after the last season the warehouse holds ({last_season}, to {last}); "
            f"add the season to seeds/season_calendar.csv or end on or before {last}"
        )
    if count > MAX_BACKFILL_DATES and not yes:
        raise ValueError(
            f"backfill {start}..{end} is {count:,} dates, each a full scrape of every source (more "
            f"than {MAX_BACKFILL_DATES} at once); pass --yes to run it anyway, or give a smaller range"
        )


def backfill(
    settings: Settings,
    start: date,
    end: date,
    force: bool = False,
    echo: Callable[[str], None] = print,
    progress: Callable[[int, int, date], None] | None = None,
    yes: bool = False,
) -> dict[str, list[date]]:
    """Land every date from start to end in order, then build once. Resumable: dates whose scrape already
    succeeded are skipped unless ``force``; a failing date is recorded and the rest continue. Each season's
    schedule is downloaded once for the whole range (``schedules``), not once per date."""
    check_backfill_range(start, end, yes)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    done: dict[str, list[date]] = {"skipped": [], "success": [], "failed": []}
    run_id = new_run_id()
    _close_abandoned(settings, f"backfill {start}..{end} (run {run_id})", echo)
    schedules: dict = {}
    for i, day in enumerate(days, 1):
        with open_warehouse(settings) as wh:
            states = {phase: status for phase, status, *_ in latest_phase_states(wh, day)}
        if states.get("scrape") == "success" and not force:
            done["skipped"].append(day)
        else:
            body = lambda d=day: _scrape(settings, d, None, schedules=schedules)  # noqa: E731
            outcome = _run_phase(settings, run_id, "scrape", day, lambda wh: None, body, force)
            done[outcome.status if outcome.status in done else "failed"].append(day)
            if outcome.status != "success":
                echo(f"  {day}: {outcome.status}: {outcome.detail}")
        if progress:
            progress(i, len(days), day)
    outcome = _run_phase(settings, run_id, "build", end, lambda wh: None, lambda: _build(settings, since=start), force)
    echo(f"  build after backfill: {outcome.status} {outcome.detail}")
    if outcome.status != "success":
        done["failed"].append(end)
    return done
