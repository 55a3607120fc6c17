"""US/Eastern game dates, resolved in one place.

NBA calendars are US/Eastern: a 10:30 pm ET tip-off is 02:30 UTC the next day, and feeds that
report UTC timestamps must be brought back to the Eastern calendar date before they meet box scores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def game_date_of(tipoff_utc: datetime) -> date:
    """The US/Eastern calendar date of a tip-off given in UTC (naive values are taken as UTC)."""
    if tipoff_utc.tzinfo is None:
        tipoff_utc = tipoff_utc.replace(tzinfo=UTC)
    return tipoff_utc.astimezone(EASTERN).date()


def eastern_to_utc(local: datetime) -> datetime:
    """A naive US/Eastern wall-clock time as a naive UTC timestamp (how the warehouse stores time)."""
    return local.replace(tzinfo=EASTERN).astimezone(UTC).replace(tzinfo=None)


def eastern_time_exists(local: datetime) -> bool:
    """False for a naive wall-clock time skipped by the spring-forward gap (02:00-02:59 on the second Sunday
    of March), which ``eastern_to_utc`` would otherwise silently shift by an hour."""
    there_and_back = local.replace(tzinfo=EASTERN).astimezone(UTC).astimezone(EASTERN)
    return there_and_back.replace(tzinfo=None) == local


def today_eastern(now: datetime | None = None) -> date:
    """Today's game date: the Eastern calendar date right now."""
    return (now or datetime.now(UTC)).astimezone(EASTERN).date()


def game_dates_of(tipoffs_utc):
    """Vectorised ``game_date_of`` for a pandas Series of naive-UTC timestamps."""
    return tipoffs_utc.dt.tz_localize("UTC").dt.tz_convert(EASTERN).dt.date


def season_start_year(game_date: date) -> int:
    """The NBA season a date belongs to, by its starting year: seasons run October to June, so August
    onwards is the next season (2025-11-03 -> 2025, 2026-04-12 -> 2025)."""
    return game_date.year if game_date.month >= 8 else game_date.year - 1


def season_label(game_date: date) -> str:
    """The season as NBA feeds write it: '2025-26'."""
    start = season_start_year(game_date)
    return f"{start}-{(start + 1) % 100:02d}"


def resolve_game_date(value: str, now: datetime | None = None) -> date:
    """THE place a command's date is decided: 'today', 'yesterday' (US/Eastern) or YYYY-MM-DD.

    At 01:30 UTC it is still the previous evening in New York, so 'today' is that Eastern date.
    """
    from datetime import timedelta

    today = today_eastern(now)
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"date {value!r} is not understood: use today, yesterday or YYYY-MM-DD") from None
