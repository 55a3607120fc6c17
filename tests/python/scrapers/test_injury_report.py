"""The league's injury report: file names in both eras, the PDF parser on generated reports in the official
layout (every hard case: wrapped reasons, rows split by a page break, repeated headers, NOT YET SUBMITTED, a
renamed column, a blank report), and `scrape --source injury_report` against `sim serve`.

The PDFs here are generated (simulator/injury_pdf.py) in the published layout; no published report was used."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support.helpers import run_cli
from support.scraper_support import (
    FAST_ENV,
    PLAYED,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
    rows,
    season,
    serving,
)

from scrapers.injury_pdf import parse_report
from scrapers.injury_report import parse_pdf, report_name, report_slots, report_url
from scrapers.payloads import PayloadError
from simulator.faults import Fault
from simulator.injury import REPORT_HOURS, last_first, report_entries
from simulator.injury_pdf import Entry, render_report
from simulator.serve import SimApi

DAY = date(2025, 11, 3)
AT = datetime(2025, 11, 3, 17)
LONG = "Injury/Illness - Right Foot; Plantar Fasciitis Injury Management and Return to Competition Reconditioning"


def entry(team="Boston Celtics", name="Brown, Jaylen", status="Out", reason="Injury/Illness - Left Ankle; Sprain"):
    return Entry(DAY, "07:30 (ET)", "BOS@NYK", team, name, status, reason)


def test_report_urls_in_both_name_eras():
    assert report_name(datetime(2025, 11, 3, 17)) == "Injury-Report_2025-11-03_05PM.pdf"
    assert report_name(datetime(2025, 12, 21, 0)) == "Injury-Report_2025-12-21_12AM.pdf"
    assert report_name(datetime(2025, 12, 22, 17, 15)) == "Injury-Report_2025-12-22_05_15PM.pdf"
    assert report_name(datetime(2026, 1, 5, 9, 0)) == "Injury-Report_2026-01-05_09_00AM.pdf"
    assert (
        report_url("https://ak-static.cms.nba.com/", datetime(2026, 1, 5, 13, 45))
        == "https://ak-static.cms.nba.com/referee/injury/Injury-Report_2026-01-05_01_45PM.pdf"
    )
    with pytest.raises(ValueError, match="hourly"):
        report_name(datetime(2025, 11, 3, 17, 15))
    with pytest.raises(ValueError, match="15 minutes"):
        report_name(datetime(2026, 1, 5, 17, 10))
    # hourly slots up to now; in the 15-minute era also the newest quarter hour
    assert len(report_slots(date(2025, 11, 3), datetime(2025, 11, 4, 1))) == 24
    assert report_slots(date(2025, 11, 3), datetime(2025, 11, 3, 9, 40))[-1] == datetime(2025, 11, 3, 9)
    assert report_slots(date(2026, 1, 5), datetime(2026, 1, 5, 9, 40))[-1] == datetime(2026, 1, 5, 9, 30)
    assert len(report_slots(date(2026, 3, 8), datetime(2026, 3, 9))) == 23, "2 a.m. does not exist that day"


def test_a_one_page_report_with_wrapped_reasons_and_a_team_not_yet_submitted():
    entries = [
        entry(reason=LONG),
        entry(name="Holiday, Jrue", status="Questionable", reason="Injury/Illness - Lower Back; Spasms and Soreness"),
        entry(team="New York Knicks", name=None, status=None, reason=None),
        Entry(DAY, "10:00 (ET)", "LAL@GSW", "Los Angeles Lakers", "Whitfield Jr., C.J.", "Probable", "Rest"),
    ]
    report = parse_report(render_report(AT, entries), "test.pdf")
    assert report.title_time == AT and report.pages == 1
    got = [(r.matchup, r.team_name, r.player_name, r.current_status, r.reason, r.reason_lines) for r in report.rows]
    assert got == [
        ("BOS@NYK", "Boston Celtics", "Brown, Jaylen", "Out", LONG, 3),
        ("BOS@NYK", "Boston Celtics", "Holiday, Jrue", "Questionable", entries[1].reason, 2),
        ("BOS@NYK", "New York Knicks", None, None, "NOT YET SUBMITTED", 1),
        ("LAL@GSW", "Los Angeles Lakers", "Whitfield Jr., C.J.", "Probable", "Rest", 1),
    ]
    assert [r.reason_category for r in report.rows] == ["injury_illness", "injury_illness", "not_yet_submitted", "rest"]
    assert report.rows[2].not_yet_submitted and report.rows[0].game_time == "07:30 (ET)"
    assert [r.confidence for r in report.rows] == pytest.approx([0.9, 0.95, 1.0, 1.0])


def test_rows_continue_across_pages_under_a_repeated_header():
    entries = [entry(name=f"Player{i}, Some", reason=LONG if i == 1 else "Rest") for i in range(4)]
    # 3 lines a page: row 1 starts on page 1 and the last line of its three-line reason goes on under page 2's header
    pdf = render_report(AT, entries, lines_per_page=3)
    report = parse_report(pdf, "split.pdf")
    assert report.pages == 2
    assert [r.player_name for r in report.rows] == [f"Player{i}, Some" for i in range(4)]
    split = report.rows[1]
    assert split.reason == LONG and split.reason_lines == 3 and split.page == 1
    assert "reason continued on page 2" in split.notes and split.confidence == pytest.approx(0.8)
    carried = report.rows[2]  # first row of page 2: game and team carried over, not printed
    assert carried.page == 2 and carried.matchup == "BOS@NYK" and carried.team_name == "Boston Celtics"
    assert "game and team carried over from page 1" in carried.notes
    assert all(r.game_date == DAY for r in report.rows)


def test_a_renamed_column_is_a_parse_error_naming_page_and_line():
    header = ("Game Date", "Game Time", "Matchup", "Team", "Athlete", "Current Status", "Reason")
    with pytest.raises(PayloadError, match=r"renamed\.pdf: page 1 line 2: the table header reads .*Athlete"):
        parse_report(render_report(AT, [entry()], header=header), "renamed.pdf")


def test_a_status_the_league_does_not_use_is_a_parse_error_naming_the_line():
    with pytest.raises(PayloadError, match=r"page 1 line 3: Current Status is 'Sidelined'"):
        parse_report(render_report(AT, [entry(status="Sidelined")]), "odd.pdf")


def test_a_blank_report_is_valid_and_empty():
    parsed = parse_pdf(render_report(AT, []), "blank.pdf", AT)
    assert parsed.rows == 0 and parsed.empty_reason and list(parsed.value.columns)[0] == "report_at"


def test_not_a_pdf_or_cut_short_is_a_parse_error():
    with pytest.raises(PayloadError, match="not a PDF"):
        parse_report(b"<Error><Code>AccessDenied</Code></Error>", "x.pdf")
    pdf = render_report(AT, [entry()])
    with pytest.raises(PayloadError, match="cut.pdf"):
        parse_report(pdf[: len(pdf) // 3], "cut.pdf")


def test_rows_land_with_report_time_in_utc_and_confidence():
    parsed = parse_pdf(render_report(AT, [entry(reason=LONG)]), "a.pdf", AT)
    row = parsed.value.iloc[0]
    assert row["report_at"] == datetime(2025, 11, 3, 22) and row["game_date"] == DAY  # 5 p.m. EST = 22:00 UTC
    assert row["parse_confidence"] == 0.9 and row["page"] == 1 and row["line"] == 3


def test_names_are_printed_last_first():
    assert last_first("C.J. Whitfield Jr.") == "Whitfield Jr., C.J."
    assert last_first("Jalen Harlow") == "Harlow, Jalen"


def test_the_simulated_reports_parse_back_to_what_was_published():
    s = season()
    for hour in REPORT_HOURS:
        at = datetime.combine(PLAYED, datetime.min.time()).replace(hour=hour)
        entries = report_entries(s, at)
        parsed = parse_report(render_report(at, entries), "sim.pdf")
        assert [(r.team_name, r.player_name, r.current_status) for r in parsed.rows] == [
            (e.team_name, e.player_name, e.status) for e in entries
        ]
    assert report_entries(s, datetime(2025, 10, 22, 15)) is None


def _env(monkeypatch, tmp_path, url):
    env = {
        **FAST_ENV,
        "NBAPROPS_DUCKDB_PATH": str(tmp_path / "wh.duckdb"),
        "NBAPROPS_LANDING_DIR": str(tmp_path / "landing"),
        "NBAPROPS_CDN_BASE_URL": url,
        "NBAPROPS_STATS_BASE_URL": url,
        "NBAPROPS_ODDS_BASE_URL": url,
        "NBAPROPS_INJURY_BASE_URL": url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_scrape_lands_a_days_reports_from_sim_serve_and_a_rerun_adds_nothing(tmp_path, monkeypatch):
    api = SimApi(season())
    with serving(api) as server:
        _env(monkeypatch, tmp_path, server.url)
        first = run_cli("scrape", "--date", PLAYED.isoformat(), "--source", "injury_report")
        assert first.exit_code == 0, first.output
        wh = tmp_path / "wh.duckdb"
        landed = rows(wh, "select _source, count(*) from raw.injury_reports group by 1 order by 1")
        assert [s for s, _ in landed] == [
            f"nba.com/injury-report/Injury-Report_{PLAYED}_{h}.pdf" for h in ("01PM", "05PM", "07PM", "11AM")
        ]
        tally = rows(
            wh, "select classification, count(*) from raw.scrape_attempts where source = 'injury_report' group by 1"
        )
        assert dict(tally) == {"ok": 4, "no_data": 20}, "unpublished slots (403) are no data, not failures"
        assert "injury_report" in first.output and "4/4" in first.output
        before = rows(wh, "select count(*), sum(hash(player_name, current_status, report_at)) from raw.injury_reports")
        second = run_cli("scrape", "--date", PLAYED.isoformat(), "--source", "injury_report")
        assert second.exit_code == 0, second.output
        assert (
            rows(wh, "select count(*), sum(hash(player_name, current_status, report_at)) from raw.injury_reports")
            == before
        )
        replay = run_cli("replay", "--date", PLAYED.isoformat(), "--source", "injury_report")
        assert replay.exit_code == 0, replay.output
        assert (
            rows(wh, "select count(*), sum(hash(player_name, current_status, report_at)) from raw.injury_reports")
            == before
        )
    archived = sorted(p.name for p in (tmp_path / "landing" / "injury_report" / PLAYED.isoformat()).iterdir())
    assert sum(n.endswith(".pdf.gz") for n in archived) == 4


def test_a_damaged_report_is_a_parse_error_and_stays_archived(tmp_path, monkeypatch):
    api = SimApi(season(), faults=[Fault("truncated", "injury_report", 1, f"Injury-Report_{PLAYED}_05PM.pdf")])
    with serving(api) as server:
        _env(monkeypatch, tmp_path, server.url)
        result = run_cli("scrape", "--date", PLAYED.isoformat(), "--source", "injury_report")
    assert result.exit_code == 1
    assert "parse_error" in result.output and "cannot be read" in result.output
    wh = tmp_path / "wh.duckdb"
    bad = rows(wh, "select archive_path from raw.scrape_attempts where classification = 'parse_error'")
    assert len(bad) == 1 and bad[0][0].endswith(".pdf.gz") and (tmp_path / "landing" / bad[0][0]).is_file()
    assert rows(wh, "select count(distinct _source) from raw.injury_reports") == [(3,)], "the other reports landed"
