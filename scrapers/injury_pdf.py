"""Reading the league's official injury report PDF into rows, with pdfplumber (positions of words on the page).

The report is a table drawn as text, one page after another::

    Injury Report: 10/23/25 05:00 PM
    Game Date  Game Time   Matchup  Team            Player Name       Current Status  Reason
    10/23/2025 07:00 (ET)  BOS@NYK  Boston Celtics  Brown, Jaylen     Out             Injury/Illness - Left
                                                                                      Hamstring; Strain
                                                    Holiday, Jrue     Questionable    Rest
                                    New York Knicks                                   NOT YET SUBMITTED
    ...                                                                         Page 1 of 2

A cell is printed once and left blank below while it holds (game date, time and matchup per game, team per
team), so the parser carries them forward, across pages too. The header is repeated on every page; a reason
wraps over two or three lines, and a row can be split by a page break (its reason goes on under the next
page's header). Columns are found from the header's words, so a shifted layout still parses; a renamed
column, a word outside every column or a line that fits no pattern is a ``PayloadError`` naming the page and
line (the payload stays archived for a fixed parser to replay).

Every row carries ``parse_confidence`` (1.0 = one line, everything in place): it drops for a reason pieced
together from several lines, for a row continued across a page break, for a name not written "Last, First"
and for a reason whose category is not one the league uses.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from scrapers.payloads import PayloadError

COLUMNS = ("Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason")
STATUSES = ("Out", "Doubtful", "Questionable", "Probable", "Available")
NOT_YET_SUBMITTED = "NOT YET SUBMITTED"
TITLE = re.compile(r"^Injury Report:\s*(\d{2}/\d{2}/\d{2})\s+(\d{1,2}:\d{2}\s*[AP]M)$")
FOOTER = re.compile(r"^Page\s+\d+\s+of\s+\d+$")
GAME_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
GAME_TIME = re.compile(r"^\d{1,2}:\d{2}\s*\(ET\)$")
MATCHUP = re.compile(r"^[A-Z]{2,4}@[A-Z]{2,4}$")
LAST_FIRST = re.compile(r"^[^,]+,\s*[^,]+$")
# The league's reason prefixes -> our reason_category (the text before " - ", or the whole reason).
REASON_CATEGORIES = {
    "injury/illness": "injury_illness",
    "g league": "g_league",
    "rest": "rest",
    "personal reasons": "personal",
    "league suspension": "suspension",
    "suspension": "suspension",
    "not with team": "not_with_team",
    "health and safety protocols": "health_safety",
    "concussion protocol": "injury_illness",
    "return to competition reconditioning": "injury_illness",
    "injury management": "injury_illness",
    "coach's decision": "coach_decision",
}
LINE_TOLERANCE = 2.0  # points: words whose tops differ less than this are on one line
COLUMN_SLACK = 2.0  # points a word may start left of its column's header


@dataclass
class InjuryRow:
    """One parsed row: a player's status for a game, or a team's "NOT YET SUBMITTED" line (no player)."""

    game_date: date
    game_time: str | None
    matchup: str
    team_name: str
    player_name: str | None
    current_status: str | None
    reason: str | None
    reason_category: str | None
    not_yet_submitted: bool
    page: int
    line: int
    confidence: float = 1.0
    reason_lines: int = 1
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedReport:
    """What one report PDF holds: the time printed in its title (ET wall clock, or None) and its rows."""

    title_time: datetime | None
    rows: list[InjuryRow]
    pages: int


def reason_category(reason: str | None) -> str | None:
    """The reason's category (``injury_illness``, ``g_league``, ``rest`` ...), ``other`` when not a known one."""
    if not reason:
        return None
    head = reason.split(" - ", 1)[0].split(";", 1)[0].strip().lower()
    return REASON_CATEGORIES.get(head, "other")


@dataclass
class _Line:
    top: float
    words: list[dict]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


def _lines(words: list[dict]) -> list[_Line]:
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(word["top"] - lines[-1].top) < LINE_TOLERANCE:
            lines[-1].words.append(word)
        else:
            lines.append(_Line(word["top"], [word]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _header_starts(line: _Line, label: str, page: int, number: int) -> list[float] | None:
    """The x where each column starts, from a header line; None if the line is not a header at all."""
    vocabulary = {w for c in COLUMNS for w in c.split()}
    if sum(w["text"] in vocabulary for w in line.words) < 3:
        return None
    if line.text.split() != " ".join(COLUMNS).split():
        raise PayloadError(
            f"{label}: page {page} line {number}: the table header reads {line.text!r}, expected "
            f"{' | '.join(COLUMNS)!r}; the report's layout changed, update scrapers/injury_pdf.py "
            f"(the payload is archived: nbaprops replay lands it once the parser is fixed)"
        )
    words, starts = list(line.words), []
    for column in COLUMNS:
        first = words[0]
        starts.append(first["x0"])
        words = words[len(column.split()) :]
    return starts


def _cells(line: _Line, starts: list[float], label: str, page: int, number: int) -> dict[str, str]:
    cells: dict[str, list[str]] = {}
    for word in line.words:
        column = None
        for i, start in enumerate(starts):
            if word["x0"] >= start - COLUMN_SLACK:
                column = COLUMNS[i]
        if column is None:
            raise PayloadError(
                f"{label}: page {page} line {number}: the word {word['text']!r} lies left of every column "
                f"(line reads {line.text!r}); the report's layout changed, update scrapers/injury_pdf.py"
            )
        cells.setdefault(column, []).append(word["text"])
    return {k: " ".join(v) for k, v in cells.items()}


def parse_report(body: bytes, label: str) -> ParsedReport:
    """Every row of a report PDF; a report with a header and no rows (or no text at all) is valid and empty."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    if not body.startswith(b"%PDF"):
        raise PayloadError(f"{label}: not a PDF (starts {body[:16]!r}); the server sent something else")
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            pages = [page.extract_words(keep_blank_chars=False, use_text_flow=False) for page in pdf.pages]
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"{label}: the PDF cannot be read ({type(exc).__name__}: {exc}); cut short?") from None
    except Exception as exc:  # pdfminer raises a zoo of its own types for damaged files
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber", "pypdfium2")):
            raise PayloadError(f"{label}: the PDF cannot be read ({type(exc).__name__}: {exc}); cut short?") from None
        raise
    return _read_pages(pages, label)


def _read_pages(pages: list[list[dict]], label: str) -> ParsedReport:
    rows: list[InjuryRow] = []
    title_time = None
    context: dict[str, str | None] = {"date": None, "time": None, "matchup": None, "team": None}
    for page_number, words in enumerate(pages, start=1):
        starts = None
        page_start = True  # the first row line of a page: a row continued from the last page is marked
        for number, line in enumerate(_lines(words), start=1):
            text = line.text
            if FOOTER.match(text):
                continue
            if starts is None:
                if m := TITLE.match(text):
                    title_time = datetime.strptime(f"{m[1]} {m[2].replace(' ', '')}", "%m/%d/%y %I:%M%p")
                    continue
                starts = _header_starts(line, label, page_number, number)
                if starts is None:
                    raise PayloadError(
                        f"{label}: page {page_number} line {number}: expected the title or the table header, "
                        f"found {text!r}; the report's layout changed, update scrapers/injury_pdf.py"
                    )
                continue
            if _header_starts(line, label, page_number, number) is not None:
                continue  # a header repeated mid-page
            cells = _cells(line, starts, label, page_number, number)
            kind = _take_line(cells, context, rows, label, page_number, number, page_start)
            page_start = page_start and kind == "continuation"  # until the page's first own row
    return ParsedReport(title_time, rows, len(pages))


def _take_line(
    cells: dict[str, str],
    context: dict[str, str | None],
    rows: list[InjuryRow],
    label: str,
    page: int,
    number: int,
    page_start: bool,
) -> str:
    """Take one table line into ``rows``; returns what it was: row, continuation or heading."""
    where = f"{label}: page {page} line {number}"
    shown = " | ".join(f"{k}={v!r}" for k, v in cells.items())
    if "Game Date" in cells:
        if not GAME_DATE.match(cells["Game Date"]):
            raise PayloadError(f"{where}: Game Date is {cells['Game Date']!r}, expected MM/DD/YYYY ({shown})")
        context.update(date=cells["Game Date"], time=None, matchup=None, team=None)
    if "Game Time" in cells:
        if not GAME_TIME.match(cells["Game Time"]):
            raise PayloadError(f"{where}: Game Time is {cells['Game Time']!r}, expected like '07:00 (ET)' ({shown})")
        context["time"] = cells["Game Time"]
    if "Matchup" in cells:
        if not MATCHUP.match(cells["Matchup"]):
            raise PayloadError(f"{where}: Matchup is {cells['Matchup']!r}, expected like 'BOS@NYK' ({shown})")
        context.update(matchup=cells["Matchup"], team=None)
    if "Team" in cells:
        context["team"] = cells["Team"]
    name, status, reason = cells.get("Player Name"), cells.get("Current Status"), cells.get("Reason")
    continued = page_start and not ({"Game Date", "Matchup", "Team"} & set(cells))
    if name is None and status is None:
        if reason == NOT_YET_SUBMITTED:
            rows.append(_row(context, None, None, None, True, page, number, where, shown))
            return "row"
        if reason is not None and set(cells) == {"Reason"}:
            if not rows or rows[-1].not_yet_submitted:
                raise PayloadError(f"{where}: a reason line with no row above it to continue ({shown})")
            last = rows[-1]
            last.reason = f"{last.reason} {reason}" if last.reason else reason
            last.reason_category = reason_category(last.reason)
            last.reason_lines += 1
            last.confidence -= 0.05
            note = f"reason continued on page {page}"
            if page != last.page and note not in last.notes:
                last.confidence -= 0.1
                last.notes.append(note)
            return "continuation"
        if set(cells) <= {"Game Date", "Game Time", "Matchup", "Team"}:
            return "heading"  # a game or team heading on its own line: carried into the next rows
        raise PayloadError(f"{where}: a line with no player and no status that is not a continuation ({shown})")
    if name is None or status is None:
        raise PayloadError(f"{where}: a row needs both Player Name and Current Status, got ({shown})")
    if status not in STATUSES:
        raise PayloadError(f"{where}: Current Status is {status!r}, expected one of {', '.join(STATUSES)} ({shown})")
    row = _row(context, name, status, reason, False, page, number, where, shown)
    if continued:
        row.confidence -= 0.05
        row.notes.append(f"game and team carried over from page {page - 1}")
    rows.append(row)
    return "row"


def _row(context, name, status, reason, nys, page, number, where, shown) -> InjuryRow:
    if context["date"] is None or context["matchup"] is None or context["team"] is None:
        missing = [k for k in ("date", "matchup", "team") if context[k] is None]
        raise PayloadError(f"{where}: a row before any game {'/'.join(missing)} was printed ({shown})")
    row = InjuryRow(
        game_date=datetime.strptime(context["date"], "%m/%d/%Y").date(),
        game_time=context["time"],
        matchup=context["matchup"],
        team_name=context["team"],
        player_name=name,
        current_status=status,
        reason=NOT_YET_SUBMITTED if nys else reason,
        reason_category="not_yet_submitted" if nys else reason_category(reason),
        not_yet_submitted=nys,
        page=page,
        line=number,
    )
    if name is not None and not LAST_FIRST.match(name):
        row.confidence -= 0.3
        row.notes.append("name not written 'Last, First'")
    if row.reason_category == "other":
        row.confidence -= 0.2
        row.notes.append("reason category not recognised")
    return row
