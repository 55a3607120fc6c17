"""`make demo`: the whole product on the embedded default, against a simulated league served on 127.0.0.1.

Start the simulated APIs, backfill a month through the real scrapers, score and grade the backfilled days
walk-forward (so the report opens with a track record), train, run the morning job for the last day, then
print tonight's picks, the analytics row counts and the report path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from nbacore.settings import ScrapeSettings, Settings, SourceSettings
from nbaprops.runs.counts import print_counts

DEMO_KEY = "demo-odds-key"
# The simulated API answers instantly and never bans: no pacing, no cool-down between passes.
FAST_SCRAPES = ScrapeSettings(pacing=0.0, pass_cooldown=0.0, backoff_base=0.05)
# The track record starts once a week of games can train the first model.
HISTORY_AFTER = 7


def run_demo(settings: Settings, days: int = 30, seed: int = 7, echo: Callable[[str], None] = print) -> int:
    from nbaprops.runs.morning import backfill, run_day
    from simulator import SimConfig, simulate_season
    from simulator.serve import SimApi, start_server

    began = time.monotonic()
    season = simulate_season(SimConfig(seed=seed, days=days))
    running = start_server(SimApi(season, api_key=DEMO_KEY, quota=100_000))
    settings = replace(
        settings,
        sources=SourceSettings(running.url, running.url, running.url, DEMO_KEY, injury_base_url=running.url),
        scrape=FAST_SCRAPES,
    )
    tonight = season.tonight
    first = min(g.game_date for g in season.games)
    echo(f"simulated league API on {running.url}: {len(season.games)} games, tonight = {tonight}")
    try:
        echo(f"1/5 backfill {first}..{tonight - timedelta(days=2)} through the scrapers")
        done = backfill(settings, first, tonight - timedelta(days=2), echo=echo)
        if done["failed"]:
            echo(f"backfill failed on {', '.join(map(str, done['failed']))}")
            return 1
        from predict import commands
        from predict.config import PredictConfig

        start, end = first + timedelta(days=HISTORY_AFTER), tonight - timedelta(days=2)
        echo(f"2/5 track record: score and grade {start}..{end} walk-forward (weekly models, the product's gate)")
        step = time.monotonic()
        for line in commands.score_history(settings, PredictConfig(), start, end, retrain="weekly"):
            echo(f"  {line}")
        echo(f"  ({time.monotonic() - step:.0f} s)")
        echo("3/5 train tonight's model")
        for line in commands.train(settings, PredictConfig()):
            echo(f"  {line}")
        echo(f"4/5 morning run for {tonight}")
        outcomes = run_day(settings, tonight, echo=echo)
        if any(o.status != "success" for o in outcomes):
            return 1
        echo("5/5 tonight's picks")
        print_picks(settings, tonight, echo)
    finally:
        running.shutdown()
    print_counts(settings, echo)
    echo(f"report: {settings.reports_dir / f'report-{tonight}.html'}")
    echo(f"demo finished in {time.monotonic() - began:.0f} s")
    return 0


def print_picks(settings: Settings, day, echo: Callable[[str], None], limit: int = 15) -> None:
    from nbacore.warehouse import open_warehouse
    from predict.tables import latest_score_run

    with open_warehouse(settings) as wh:
        rows = wh.rows(
            """select player_name, market, pick, pick_line, pick_book, pick_odds, pred_mean, pick_edge, stake, stake_amount,
                      coalesce(injury_status, 'unknown')
               from predictions.predictions
               where game_date = @day and is_current and pick in ('OVER', 'UNDER')
               order by pick_edge desc, player_name, market limit @limit""",
            {"day": day, "limit": limit},
        )
        total = wh.rows(
            "select count(*), coalesce(sum(case when pick in ('OVER', 'UNDER') then 1 else 0 end), 0), coalesce(sum(stake), 0) "
            "from predictions.predictions where game_date = @day and is_current",
            {"day": day},
        )[0]
        run = latest_score_run(wh, day)
    rules = run.get("rules", {})
    echo(
        f"  {total[0]} lines scored, {total[1]} picks staking {total[2]:.1%} of the bankroll "
        f"(nightly cap {rules.get('nightly_cap', 0):.0%}); gate per market ({run.get('gate', '?')}):"
    )
    for decision in run.get("gates", {}).values():
        echo(f"    {decision}")
    for note in run.get("cap_notes", []):
        echo(f"    {note}")
    if not rows:
        echo("  no picks tonight: no market has shown information beyond the line")
        _print_passed(settings, day, echo, limit)
        return
    echo(f"  the {len(rows)} largest edges:")
    echo(
        f"  {'player':<24}{'market':<10}{'pick':<6}{'line':>6} {'book':<16}{'odds':>6}{'pred':>7}{'edge':>7}{'stake':>7}{'amount':>8}"
        f"  status"
    )
    for name, market, pick, line, book, odds, pred, edge, stake, amount, status in rows:
        echo(
            f"  {name:<24}{market:<10}{pick:<6}{line:>6.1f} {book or '-':<16}{odds:>6.0f}{pred:>7.1f}{edge:>7.1%}"
            f"{stake:>7.2%}{amount:>8.2f}  {status}"
        )
    passed = passed_for_availability(settings, day)
    if passed:
        echo(f"  {len(passed)} line(s) passed because the injury report lists the player Out or Doubtful, e.g.:")
        for name, market, reason in passed[:5]:
            echo(f"    {name:<24}{market:<10}{reason}")


def passed_for_availability(settings: Settings, day) -> list[tuple]:
    """Lines of ``day`` passed for availability (the injury report listed the player Out or Doubtful)."""
    from nbacore.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        return wh.rows(
            """select player_name, market, pass_reason from predictions.predictions
               where game_date = @day and is_current and injury_status in ('Out', 'Doubtful') order by 1, 2""",
            {"day": day},
        )


def _print_passed(settings: Settings, day, echo: Callable[[str], None], limit: int) -> None:
    """With no picks, the lines nearest a pick, with each player's injury status as of scoring time."""
    from nbacore.warehouse import open_warehouse

    with open_warehouse(settings) as wh:
        rows = wh.rows(
            """select player_name, market, line, pred_mean, greatest(coalesce(edge_over, -1), coalesce(edge_under, -1)),
                      coalesce(injury_status, 'unknown'), pass_reason
               from predictions.predictions where game_date = @day and is_current
               order by coalesce(injury_status in ('Out', 'Doubtful'), false) desc, 5 desc, player_name, market
               limit @limit""",
            {"day": day, "limit": limit},
        )
    echo(f"  {'player':<24}{'market':<10}{'line':>6}{'pred':>7}{'edge':>7}  {'status':<13}why passed")
    for name, market, line, pred, edge, status, reason in rows:
        echo(f"  {name:<24}{market:<10}{line:>6.1f}{pred:>7.1f}{edge:>7.1%}  {status:<13}{(reason or '')[:70]}")
