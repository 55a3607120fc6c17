"""What `nbaprops monitor` says about the league's injury report for a date: the latest report's age, and the
players with prop lines that the latest report lists Out (their lines should not be bet; books pull them late)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nbacore.warehouse import Warehouse

STALE_HOURS = 3.0  # reports come hourly or every 15 minutes on game days; three hours without one is a gap


def injury_checks(wh: Warehouse, day: date, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """(name, level, detail) checks; none when the warehouse has no injury report models yet."""
    if not wh.table_exists("analytics.player_injury_status"):
        return []
    now = now or datetime.now(UTC).replace(tzinfo=None)
    latest = wh.scalar(
        "select max(report_at) from analytics.injury_report_teams where game_date = @day and report_at <= @now",
        {"day": day, "now": now},
    )
    games = wh.scalar("select count(*) from raw.schedule where game_date = @day", {"day": day})
    if latest is None:
        level = "warn" if games else "ok"
        return [("injury report", level, f"no report landed for {day} ({games} game(s) scheduled)")]
    hours = (now - latest).total_seconds() / 3600
    level = "warn" if hours > STALE_HOURS and now.date() <= day else "ok"
    checks = [("injury report", level, f"latest report {latest:%Y-%m-%d %H:%M} UTC, {hours:.1f} h old")]
    if wh.table_exists("analytics.prop_offers"):
        out = wh.rows(
            """select distinct s.player_name, s.team
               from analytics.player_injury_status as s
               inner join analytics.prop_offers as o
                   on o.game_date = s.game_date and o.player_lookup = s.player_lookup
               where s.game_date = @day and s.status = 'Out' and s.report_at <= @now
                   and (s.valid_until is null or s.valid_until > @now)
               order by 2, 1""",
            {"day": day, "now": now},
        )
        shown = ", ".join(f"{name} ({team})" for name, team in out[:20]) + (" ..." if len(out) > 20 else "")
        checks.append(("listed out with lines", "warn" if out else "ok", f"{len(out)} player(s): {shown or 'none'}"))
    return checks
