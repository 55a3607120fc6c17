"""The read-only commands (picks, results), ``--format table|json|csv`` on status and monitor, ``--version``,
and progress bars that stay quiet in pipes and JSON. The warehouse is written through predict/tables.py as
scoring and grading write it (tests/python/support/cli_reads.py); every JSON document is checked against its
shape in docs/cli.md, every CSV read back with pandas."""

from __future__ import annotations

import io
from importlib.metadata import version

import pandas as pd
import pytest
from support.cli_reads import GRADED_DAYS, TONIGHT, write_reads_warehouse
from support.cli_shapes import check_document, documented_shapes
from support.helpers import duckdb_warehouse, run_cli

from predict.evaluation import wilson


@pytest.fixture
def reads(warehouse_path) -> dict:
    wh = duckdb_warehouse(warehouse_path, access="create")
    try:
        return write_reads_warehouse(wh)
    finally:
        wh.close()


def ok(*args) -> str:
    result = run_cli(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def csv_back(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_version_is_the_package_metadata():
    assert ok("--version").strip() == f"nbaprops {version('nbaprops')}"


def test_every_format_command_has_a_documented_shape():
    assert set(documented_shapes()) == {"picks", "results", "status", "monitor", "score", "grade", "backtest"}


def test_picks_show_tonights_current_bets_in_every_format(reads):
    tonight = reads["tonight"]
    bets = tonight[tonight["pick"] != "PASS"]
    doc = check_document(ok("picks", "--date", TONIGHT, "--format", "json"), "picks")
    assert doc["date"] == str(TONIGHT) and doc["counts"] == {"lines": 12, "picks": len(bets), "pass": 4}
    rows = pd.DataFrame(doc["picks"])
    # only the current version (the superseded one had every line OVER), best edge first, no PASS lines
    assert sorted(rows["player_id"]) == sorted(bets["player_id"]) and set(rows["side"]) <= {"OVER", "UNDER"}
    assert list(rows["edge"]) == sorted(rows["edge"], reverse=True)
    expected = bets.set_index("player_id")
    for r in doc["picks"]:
        e = expected.loc[r["player_id"]]
        assert (r["side"], r["line"], r["book"], r["odds"]) == (
            e["pick"],
            e["pick_line"],
            e["pick_book"],
            e["pick_odds"],
        )
        assert (r["blend_prob"], r["market_prob"], r["edge"]) == (e["pick_prob"], e["pick_fair"], e["pick_edge"])
        assert r["stake"] == pytest.approx(e["stake"]) and r["injury_status"] == e["injury_status"]
    assert doc["staked"] == pytest.approx(bets["stake"].sum())

    back = csv_back(ok("picks", "--date", TONIGHT, "--format", "csv"))
    assert list(back.columns) == list(rows.columns) and list(back["player_id"]) == list(rows["player_id"])

    table = ok("picks", "--date", TONIGHT)
    assert "+150" in table and "-110" in table and "+101" in table  # American odds with their sign
    assert "Questionable" in table and "pass reason" not in table


def test_picks_all_lists_pass_lines_with_their_reason_and_filters_apply(reads):
    doc = check_document(ok("picks", "--date", TONIGHT, "--all", "--format", "json"), "picks")
    passed = [r for r in doc["picks"] if r["side"] == "PASS"]
    assert len(passed) == 4 and all(r["pass_reason"] and r["stake"] == 0 for r in passed)
    assert {r["pass_reason"] for r in passed} == {"edge below 0.040", "closed — no evidence"}
    assert "closed — no evidence" in ok("picks", "--date", TONIGHT, "--all")

    only = check_document(ok("picks", "--date", TONIGHT, "--market", "points", "--format", "json"), "picks")
    assert only["picks"] and {r["market"] for r in only["picks"]} == {"points"}
    edged = check_document(ok("picks", "--date", TONIGHT, "--min-edge", "0.05", "--format", "json"), "picks")
    assert edged["picks"] and min(r["edge"] for r in edged["picks"]) >= 0.05

    bad = run_cli("picks", "--date", TONIGHT, "--market", "steals")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --market steals: not a market; use one of")


def test_picks_of_a_date_never_scored_say_so_in_every_format(reads):
    assert "no predictions for 2025-11-20; run `nbaprops score --date 2025-11-20`" in ok(
        "picks", "--date", "2025-11-20"
    )
    doc = check_document(ok("picks", "--date", "2025-11-20", "--format", "json"), "picks")
    assert doc["scored"] is False and doc["picks"] == []
    assert list(csv_back(ok("picks", "--date", "2025-11-20", "--format", "csv")).columns)[:3] == [
        "game_date",
        "game_id",
        "player_id",
    ]


def _record(graded: pd.DataFrame) -> dict:
    """The track record per market, computed here from the graded rows the fixture wrote."""
    bets = graded[graded["pick"].isin(["OVER", "UNDER"])]
    out = {}
    for market, r in [*bets.groupby("market"), ("all", bets)]:
        res = r["pick_result"]
        wins, losses, pushes = (int((res == x).sum()) for x in ("win", "loss", "push"))
        n = wins + losses + pushes
        out[market] = {
            "n": n,
            "wins": wins,
            "losses": losses,
            "pushes": pushes,
            "voids": int((res == "void").sum()),
            "roi": r.loc[res != "void", "pick_profit"].sum() / n,
            "stake_profit": r.loc[res != "void", "stake_profit"].sum(),
            "hit": wilson(wins, wins + losses),
        }
    return out


def test_results_track_record_per_market_in_every_format(reads):
    expected = _record(reads["graded"])
    doc = check_document(ok("results", "--format", "json"), "results")
    assert (doc["first_date"], doc["last_date"], doc["days"]) == (str(GRADED_DAYS[0]), str(GRADED_DAYS[1]), 2)
    record = {r["market"]: r for r in doc["record"]}
    assert set(record) == set(expected) and list(record)[-1] == "all"
    for market, e in expected.items():
        r = record[market]
        assert {k: r[k] for k in ("n", "wins", "losses", "pushes", "voids")} == {
            k: e[k] for k in ("n", "wins", "losses", "pushes", "voids")
        }, market
        assert r["roi"] == pytest.approx(e["roi"]) and r["stake_profit"] == pytest.approx(e["stake_profit"])
        assert (r["hit_rate"], r["hit_low"], r["hit_high"]) == pytest.approx(
            (e["hit"].estimate, e["hit"].low, e["hit"].high)
        )
        assert r["clv"] == pytest.approx(0.02)
    assert len(doc["picks"]) == sum(e["n"] + e["voids"] for m, e in expected.items() if m != "all")

    back = csv_back(ok("results", "--format", "csv"))
    assert list(back["market"]) == list(record) and list(back["n"]) == [r["n"] for r in record.values()]
    picks = csv_back(ok("results", "--format", "csv", "--csv-table", "picks"))
    assert len(picks) == len(doc["picks"]) and set(picks["result"]) == {"win", "loss", "push", "void"}

    table = ok("results")
    assert "track record 2025-11-05 .. 2025-11-06" in table and "graded picks:" in table


def test_results_since_until_bound_the_dates(reads):
    day = GRADED_DAYS[1]
    doc = check_document(ok("results", "--since", day, "--until", day, "--format", "json"), "results")
    assert {p["game_date"] for p in doc["picks"]} == {str(day)} and doc["since"] == doc["until"] == str(day)
    expected = _record(reads["graded"][pd.to_datetime(reads["graded"]["game_date"]) == pd.Timestamp(day)])
    assert {r["market"]: r["n"] for r in doc["record"]} == {m: e["n"] for m, e in expected.items()}
    none = check_document(ok("results", "--since", "2025-12-01", "--format", "json"), "results")
    assert none["picks"] == [] and [r["market"] for r in none["record"]] == ["all"]
    assert "no graded picks in 2025-12-01" in ok("results", "--since", "2025-12-01")
    bad = run_cli("results", "--since", "2025-11-06", "--until", "2025-11-05")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --until 2025-11-05 is before --since 2025-11-06")


def test_status_and_monitor_in_every_format(reads):
    doc = check_document(ok("status", "--date", TONIGHT, "--format", "json"), "status")
    assert [p["state"] for p in doc["phases"]] == ["not run"] * 6 and doc["models"]
    assert list(csv_back(ok("status", "--date", TONIGHT, "--format", "csv"))["phase"]) == [
        p["phase"] for p in doc["phases"]
    ]
    assert "  build           not run" in ok("status", "--date", TONIGHT)

    result = run_cli("monitor", "--date", TONIGHT, "--format", "json")
    doc = check_document(result.stdout, "monitor")
    assert doc["level"] in ("ok", "warn", "critical") and doc["alert"] is None
    assert doc["checks"][0]["name"] == "prediction coverage"
    back = csv_back(run_cli("monitor", "--date", TONIGHT, "--format", "csv").stdout)
    assert list(back.columns) == ["name", "level", "detail"] and len(back) == len(doc["checks"])


def test_progress_is_drawn_on_a_terminal_only_and_never_with_json(monkeypatch, capsys):
    import sys

    from nbaprops.cli.common import Format, progress

    def run(fmt, tty):
        monkeypatch.setattr(sys.stdout, "isatty", lambda: tty, raising=False)
        with progress("work", 3, fmt) as advance:
            for _ in range(3):
                advance()
        return capsys.readouterr()

    assert "work" in run(Format.table, True).err
    assert run(Format.json, True) == ("", "")
    assert run(Format.table, False) == ("", "")
