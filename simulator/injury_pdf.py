"""The league's injury report as a PDF in the official layout (fpdf2), for ``nbaprops sim serve`` and the tests.

Landscape pages, a title with the report's ET time, the table header repeated on every page, game date, time
and matchup printed once per game and the team once per team (blank below while they hold), a reason wrapped
over as many lines as it needs, "NOT YET SUBMITTED" in the Reason column of a team that has not reported, and
"Page N of M" at the foot. A row that does not fit goes on under the next page's header, so long reports
split rows across pages exactly as the published ones do. Only Latin-1 text (the core Helvetica font): names
are printed without diacritics, as sportsbooks print them.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF

COLUMNS = ("Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason")
COLUMN_X = (10.0, 33.0, 55.0, 75.0, 123.0, 168.0, 196.0)  # mm from the left edge of a landscape letter page
REASON_CHARS = 40  # a reason wraps at this many characters (about the Reason column's width at 8 pt)
LINE_MM = 4.6
TOP_MM, BOTTOM_MM = 26.0, 200.0
LINES_PER_PAGE = int((BOTTOM_MM - TOP_MM) // LINE_MM)
NOT_YET_SUBMITTED = "NOT YET SUBMITTED"


@dataclass(frozen=True)
class Entry:
    """One line item of a report: a player's status, or (``player_name`` None) a team not yet submitted."""

    game_date: date
    game_time: str  # "07:00 (ET)"
    matchup: str  # "BOS@NYK"
    team_name: str  # "Boston Celtics"
    player_name: str | None  # "Last, First"
    status: str | None
    reason: str | None


def latin(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


def _printed_lines(entries: list[Entry], reason_chars: int) -> list[dict[str, str]]:
    """Every printed line as {column: text}, with repeated game and team cells left blank."""
    out: list[dict[str, str]] = []
    game = team = None
    for e in entries:
        cells: dict[str, str] = {}
        if (e.game_date, e.matchup) != game:
            game, team = (e.game_date, e.matchup), None
            cells.update({"Game Date": f"{e.game_date:%m/%d/%Y}", "Game Time": e.game_time, "Matchup": e.matchup})
        if e.team_name != team:
            team = e.team_name
            cells["Team"] = e.team_name
        if e.player_name is None:
            cells["Reason"] = NOT_YET_SUBMITTED
            out.append(cells)
            continue
        cells["Player Name"], cells["Current Status"] = latin(e.player_name), e.status or ""
        pieces = textwrap.wrap(latin(e.reason or ""), reason_chars) or [""]
        cells["Reason"] = pieces[0]
        out.append(cells)
        out += [{"Reason": piece} for piece in pieces[1:]]
    return out


def render_report(
    report_at: datetime,
    entries: list[Entry],
    lines_per_page: int = LINES_PER_PAGE,
    header: tuple[str, ...] = COLUMNS,
    reason_chars: int = REASON_CHARS,
) -> bytes:
    """The PDF bytes of a report published at ``report_at`` (ET wall clock). ``header``: the printed column
    names (a test renames one); ``lines_per_page``: fewer lines force page breaks inside rows."""
    lines = _printed_lines(entries, reason_chars)
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    pdf = FPDF(orientation="L", unit="mm", format="letter")
    pdf.set_creation_date(datetime(2000, 1, 1))  # the same report gives the same bytes
    pdf.set_auto_page_break(False)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 11)
        pdf.text(10, 14, f"Injury Report: {report_at:%m/%d/%y %I:%M %p}")
        pdf.set_font("Helvetica", "B", 8)
        for x, name in zip(COLUMN_X, header):
            pdf.text(x, TOP_MM - LINE_MM, name)
        pdf.set_font("Helvetica", "", 8)
        for i, cells in enumerate(page):
            y = TOP_MM + (i + 0.5) * LINE_MM
            for x, name in zip(COLUMN_X, COLUMNS):
                if cells.get(name):
                    pdf.text(x, y, cells[name])
        pdf.text(130, 208, f"Page {number} of {len(pages)}")
    return bytes(pdf.output())
