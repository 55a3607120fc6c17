"""``nbaprops train | score | grade | backtest`` end to end on a simulated league built by dbt, reading the
real ``precompute.feature_mart`` and ``intermediate.int_prop_offers`` and writing the ``predictions`` schema."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from support.helpers import run_cli
from support.phase4_support import Warehouse, activate, build_phase4, import_files, sim_imports, simulate, warehouse_env

DAYS, SEED = 34, 13
START = date(2025, 10, 21)
TRAIN_BEFORE = START + timedelta(days=28)  # D: the first date scored
TONIGHT = START + timedelta(days=DAYS - 1)  # games not played yet: scoring rows


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    root = tmp_path_factory.mktemp("p5sim")
    env = {**warehouse_env(root), "NBAPROPS_MODEL_REGISTRY": str(root / "registry")}
    mp = activate(env)
    try:
        simulate(root / "files", days=DAYS, seed=SEED)
        import_files(sim_imports(root / "files"))
        build_phase4()
        result = run_cli("train", "--before", TRAIN_BEFORE)
        assert result.exit_code == 0, result.output + result.stderr
        yield Warehouse(root, root / "nbaprops.duckdb", env), result.output
    finally:
        mp.undo()


@pytest.fixture
def env(wh):
    mp = activate(wh[0].env)
    yield wh[0]
    mp.undo()


def query(w: Warehouse, sql: str, args: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(w.path))
    try:
        return con.execute(sql, args or []).fetchall()
    finally:
        con.close()


def test_train_saves_a_model_with_its_metadata(wh):
    w, output = wh
    assert "saved to" in output and "objective" in output
    (folder,) = list((w.root / "registry").iterdir())
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["trained_before"] == str(TRAIN_BEFORE) and meta["training_window"]["end"] < str(TRAIN_BEFORE)
    assert meta["features"][:2] == ["f_stat_avg_l5", "f_stat_avg_l10"] and len(meta["features"]) >= 25
    assert set(meta["markets"]) == {"points", "rebounds", "assists", "threes", "pra"}
    assert {"xgboost", "numpy", "pandas", "scipy", "python"} <= set(meta["library_versions"])
    for m in meta["markets"].values():
        assert m["objective"] in m["validation"]["candidates"] and m["dispersion"]["a"] >= 1
    assert meta["trained_on_warehouse"] == f"DuckDB {w.path}"


def test_a_model_from_another_warehouse_is_flagged_by_doctor_and_score(env, tmp_path, monkeypatch):
    """The registry is bound to the warehouse it was trained on: pointed at another warehouse with the same features,
    doctor used to say the model "matches the feature mart"; now it fails, and score warns on every run."""
    other = tmp_path / "other.duckdb"
    shutil.copyfile(env.path, other)
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(other))
    monkeypatch.setenv("ODDS_API_KEY", "a-key")
    doctor = run_cli("doctor")
    assert doctor.exit_code == 1
    assert re.search(rf"FAIL model vs mart +model \S+ was trained on DuckDB {re.escape(str(env.path))}", doctor.output)
    scored = run_cli("score", "--date", TRAIN_BEFORE)
    assert scored.exit_code == 0, scored.output + scored.stderr
    assert "warning: model" in scored.output and f"not on this warehouse (DuckDB {other})" in scored.output
    monkeypatch.setenv("NBAPROPS_DUCKDB_PATH", str(env.path))
    assert re.search(r"ok +model vs mart +model \S+ matches the feature mart", run_cli("doctor").output)


def test_score_writes_every_line_then_a_rescore_supersedes(env):
    day = TRAIN_BEFORE
    first = run_cli("score", "--date", day)
    assert first.exit_code == 0, first.output + first.stderr
    assert "coverage:" in first.output and "not scored:" in first.output
    run_id = re.match(r"run (\S+): ", first.output).group(1)
    key = "game_id, player_lookup, market"
    lines = set(
        query(env, f"select {key} from precompute.feature_mart where game_date = ? and line is not null", [day])
    )
    scored = query(env, f"select {key} from predictions.predictions where game_date = ? and is_current", [day])
    listed = query(
        env, f"select {key} from predictions.unscored_lines where game_date = ? and run_id = ?", [day, run_id]
    )
    current, unscored = len(scored), len(listed)
    # every line is either scored or listed with a reason, never both, never twice, and nothing else is
    assert len(set(scored)) == current and len(set(listed)) == unscored, "a line scored or listed twice"
    both = set(scored) & set(listed)
    assert not both, f"{len(both)} line(s) both scored and listed as not scored, e.g. {sorted(both)[:3]}"
    assert set(scored) | set(listed) == lines, sorted((set(scored) | set(listed)) ^ lines)[:5]
    assert len(lines) > 300 and current + unscored == len(lines) and current >= 0.95 * len(lines)
    assert f"not scored: {unscored} line(s)" in first.output
    second = run_cli("score", "--date", day)
    assert second.exit_code == 0, second.output + second.stderr
    versions = dict(
        query(
            env,
            "select prediction_version, count(*) from predictions.predictions where game_date = ? group by 1",
            [day],
        )
    )
    assert versions == {1: current, 2: current}
    assert (
        query(env, "select count(*) from predictions.predictions where prediction_version = 1 and is_current")[0][0]
        == 0
    )
    picks = query(
        env, "select pick, count(*) from predictions.predictions where is_current and game_date = ? group by 1", [day]
    )
    assert {p for p, _ in picks} <= {"OVER", "UNDER", "PASS"}
    bad = query(env, "select count(*) from predictions.predictions where abs(p_over + p_under + p_push - 1) > 1e-9")[0][
        0
    ]
    assert bad == 0
    for market in ("points", "rebounds", "assists", "threes", "pra"):
        assert any(
            line.startswith(f"gate (strict) {market}: ") and ("OPEN" in line or "closed" in line)
            for line in second.output.splitlines()
        ), second.output
    closed = query(
        env,
        "select count(*) from predictions.predictions where is_current and game_date = ? and not gate_open "
        "and pick <> 'PASS'",
        [day],
    )[0][0]
    assert closed == 0  # no pick in a market whose gate is closed
    night = query(
        env, "select sum(stake), max(stake) from predictions.predictions where is_current and game_date = ?", [day]
    )[0]
    assert night[0] <= 0.10 + 1e-9 and night[1] <= 0.02 + 1e-12


def test_score_of_a_date_without_lines_reports_nothing_to_score(env):
    day = TRAIN_BEFORE + timedelta(days=400)  # far past the simulated league: no game, no line
    result = run_cli("score", "--date", day)
    assert result.exit_code == 0, result.output + result.stderr
    assert "scored 0 lines" in result.output and "picks: 0 OVER, 0 UNDER, 0 PASS" in result.output


def test_score_refuses_a_date_the_model_has_seen(env):
    result = run_cli("score", "--date", TRAIN_BEFORE - timedelta(days=1))
    assert result.exit_code == 1
    assert "would have seen the results" in result.stderr and "--before" in result.stderr


def test_score_refuses_a_model_whose_feature_order_differs(env):
    registry = env.root / "registry"
    (original,) = [p for p in registry.iterdir() if not p.name.endswith("-swapped")]
    swapped = registry / f"{original.name}-swapped"
    shutil.copytree(original, swapped)
    meta = json.loads((swapped / "metadata.json").read_text())
    meta["features"][0], meta["features"][1] = meta["features"][1], meta["features"][0]
    meta["version"] = swapped.name
    (swapped / "metadata.json").write_text(json.dumps(meta))
    try:
        result = run_cli("score", "--date", TRAIN_BEFORE, "--model", swapped.name)
        assert result.exit_code == 1
        assert "does not match the feature mart: feature order differs from position 1" in result.stderr
        assert "Retrain with `nbaprops train`" in result.stderr
    finally:
        shutil.rmtree(swapped)


def test_grade_scores_results_with_voids_and_daily_performance(env):
    day = TRAIN_BEFORE + timedelta(days=2)  # a date with lined players who sat out (seed 13)
    # price at the morning snapshot (before 16:00 UTC): the afternoon snapshot then gives closing-line value
    # --gate off: picks whatever the evidence says, so that CLV of picks has something to grade
    scored = run_cli("score", "--date", day, "--as-of", f"{day}T16:00", "--gate", "off")
    assert scored.exit_code == 0, scored.output + scored.stderr
    result = run_cli("grade", "--date", day)
    assert result.exit_code == 0, result.output + result.stderr
    assert "graded" in result.output and "moving_average" in result.output
    kinds = dict(
        query(env, "select lean_result, count(*) from predictions.results where game_date = ? group by 1", [day])
    )
    assert set(kinds) <= {"win", "loss", "push", "void"} and kinds.get("win", 0) > 50
    voids = query(
        env,
        "select count(*) from predictions.results r join precompute.feature_mart m "
        "using (player_id, game_id, market) where r.game_date = ? and not m.did_play",
        [day],
    )[0][0]
    assert voids == kinds.get("void", 0) > 0
    void_profit = query(
        env,
        "select count(*) from predictions.results where lean_result = 'void' and game_date = ? "
        "and (pick_profit <> 0 or model_abs_error is not null)",
        [day],
    )[0][0]
    assert void_profit == 0
    systems = {
        s for (s,) in query(env, "select distinct system from predictions.daily_performance where game_date = ?", [day])
    }
    assert systems == {"model", "raw_model", "line", "moving_average"}
    clv = query(
        env, "select count(clv) from predictions.results where game_date = ? and pick in ('OVER', 'UNDER')", [day]
    )[0][0]
    assert clv > 0
    again = run_cli("grade", "--date", day)  # regrading replaces the date's results
    assert again.exit_code == 0
    assert query(env, "select count(*) from predictions.results where game_date = ?", [day])[0][0] == sum(
        kinds.values()
    )


def test_scoring_rows_for_games_not_played_yet_are_scored_and_stay_pending(env):
    scoring = query(
        env, "select count(*) from precompute.feature_mart where row_kind = 'scoring' and game_date = ?", [TONIGHT]
    )[0][0]
    assert scoring > 0
    result = run_cli("score", "--date", TONIGHT)
    assert result.exit_code == 0, result.output + result.stderr
    leans = query(
        env,
        "select count(*) from predictions.predictions where is_current and game_date = ? "
        "and lean in ('OVER', 'UNDER') and market_line is not null",
        [TONIGHT],
    )[0][0]
    current = query(env, "select count(*) from predictions.predictions where is_current and game_date = ?", [TONIGHT])[
        0
    ][0]
    assert leans > 0
    graded = run_cli("grade", "--date", TONIGHT)
    assert graded.exit_code == 0, graded.output + graded.stderr
    # no game has been played: every lean is pending, none is void, and no pending row is written as graded
    counts = re.search(r"graded (\d+) predictions on \S+ \((\d+) void, (\d+) still pending\)", graded.output)
    assert counts, graded.output
    assert (int(counts.group(1)), int(counts.group(2)), int(counts.group(3))) == (current - leans, 0, leans)
    written = dict(
        query(
            env,
            "select coalesce(lean_result, 'none'), count(*) from predictions.results where game_date = ? group by 1",
            [TONIGHT],
        )
    )
    assert set(written) <= {"none"} and sum(written.values()) == current - leans, written


def test_backtest_prints_the_tables_writes_every_line_and_its_summary_recomputes_from_the_file(env, tmp_path):
    from nbacore.settings import load_settings
    from nbaprops.runs.report import write_report
    from predict.backtest import read_rows, summarise, write_rows
    from predict.config import PredictConfig
    from predict.tables import plain

    out, rows_file = tmp_path / "bt.json", tmp_path / "rows.parquet"
    result = run_cli(
        "backtest",
        "--start",
        TRAIN_BEFORE,
        "--end",
        TRAIN_BEFORE + timedelta(days=2),
        "--retrain",
        "none",
        "--json",
        out,
        "--out",
        rows_file,
    )
    assert result.exit_code == 0, result.output + result.stderr
    for word in (
        "Brier blend",
        "LogL blend",
        "blend-mkt [95% CI]",
        "MAE median",
        "hit [95% CI]",
        "ROI/unit [95% CI]",
        "combiner fitted before",
        "gate",
        "points",
        "pra",
        "all",
    ):
        assert word in result.output, word
    summary = json.loads(out.read_text())["summary"]
    assert summary["points"]["n"] > 100 and summary["points"]["mae_line"] is not None
    assert set(summary["all"]["thresholds"]) == {"0.00", "0.02", "0.04", "0.06", "0.08", "0.10"}

    frame = read_rows(rows_file)
    assert len(frame) >= summary["all"]["n"] and {
        "model_version",
        "fair_over",
        "blend_p_over",
        "pick",
        "stake",
        "actual",
        "pick_result",
        "gate_reason",
    } <= set(frame.columns)
    again = plain(summarise(frame, PredictConfig().edge_thresholds))
    assert _close(again, summary)  # every printed figure comes from the per-line file
    printed = next(line for line in result.output.splitlines() if line.startswith("all ") and "[" in line)
    for key in ("brier_model", "brier_market", "logloss_model", "logloss_market"):
        assert f"{again['all'][key]:.4f}" in printed, (key, printed)
    csv = write_rows(frame, tmp_path / "rows.csv")
    assert _close(plain(summarise(read_rows(csv), PredictConfig().edge_thresholds)), summary)

    page = write_report(load_settings(), TRAIN_BEFORE, out_dir=tmp_path).read_text()
    assert "Evidence gate" in page and f"newest backtest {TRAIN_BEFORE}" in page

    # the backtest's own page, drawn from the rows it wrote: its overall line is the printed summary's
    ((run_id,),) = query(
        env, "select run_id from predictions.runs where kind = 'backtest' order by started_at desc limit 1"
    )
    assert f"nbaprops report --backtest {run_id}" in page
    drawn = run_cli("report", "--backtest", run_id)
    assert drawn.exit_code == 0, drawn.output + drawn.stderr
    bt_page = Path(drawn.output.strip()).read_text()
    assert "Evidence gate per retrain" in bt_page and 'class="chart"' in bt_page
    overall = re.search(r"<tr><td>all markets</td><td>(\d+)</td><td>(\d+)</td>", bt_page)
    assert overall and int(overall.group(2)) == summary["all"]["brier_n"], overall

    no_rows = run_cli("backtest", "--start", TRAIN_BEFORE, "--end", TRAIN_BEFORE, "--retrain", "none")
    assert no_rows.exit_code == 0, no_rows.output + no_rows.stderr
    ((bare,),) = query(
        env, "select run_id from predictions.runs where kind = 'backtest' order by started_at desc limit 1"
    )
    refused = run_cli("report", "--backtest", bare)
    assert refused.exit_code == 1 and "run without --out" in refused.stderr and "--out" in refused.stderr
    unknown = run_cli("report", "--backtest", "no-such-run")
    assert unknown.exit_code == 1 and bare in unknown.stderr  # names the recent backtests


def test_score_history_writes_a_graded_run_per_date_that_the_report_draws(env, tmp_path):
    """A backfill's track record in one pass: each date scored by a model trained before it and graded, every
    result joined to its current prediction; the report's track record has each date."""
    from nbacore.settings import load_settings
    from nbacore.warehouse import open_warehouse
    from nbaprops.runs.report import gather, write_report
    from predict import commands
    from predict.config import PredictConfig

    start, end = TRAIN_BEFORE - timedelta(days=3), TRAIN_BEFORE - timedelta(days=1)
    (line,) = commands.score_history(load_settings(), PredictConfig(), start, end, retrain="none")
    assert line.startswith(f"scored and graded 3 dates {start} .. {end}") and "log loss blend - market" in line
    runs = query(
        env,
        "select game_date, count(*) from predictions.runs where kind in ('score', 'grade') and game_date between ? "
        "and ? group by 1 order by 1",
        [start, end],
    )
    assert [(d, n) for d, n in runs] == [(start + timedelta(days=i), 2) for i in range(3)]  # a score and a grade each
    joined = query(
        env,
        """select count(*), count(p.run_id) from predictions.results r left join predictions.predictions p
           using (game_id, player_id, market, prediction_version, model_version)
           where r.game_date between ? and ? and p.is_current""",
        [start, end],
    )[0]
    assert joined[0] > 100 and joined[0] == joined[1]
    with open_warehouse(load_settings()) as wh:
        rec = gather(wh, end)["record"]
    assert rec["days"][-3:] == [start + timedelta(days=i) for i in range(3)] and rec["lines"] > 100
    page = write_report(load_settings(), end, out_dir=tmp_path).read_text()
    assert "Log loss against the market" in page and page.count('<figure class="chart">') >= 2


def _close(a, b, rel: float = 1e-9) -> bool:
    """Nested dicts / lists equal, floats to ``rel``."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), set(a) ^ set(b)
        return all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=rel, abs=1e-12), (a, b)
        return True
    assert a == b, (a, b)
    return True


def test_score_grade_backtest_picks_and_results_in_every_format(env, tmp_path):
    """Each step's --format json is one document of its documented shape (docs/cli.md), --format csv reads back;
    picks and results read back what score and grade wrote, on the real predictions' columns."""
    import io

    import pandas as pd
    from support.cli_shapes import check_document

    def out(*args) -> str:
        result = run_cli(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    day = TRAIN_BEFORE + timedelta(days=3)
    scored = check_document(out("score", "--date", day, "--gate", "off", "--format", "json"), "score")
    sides = scored["picks_by_side"]
    assert scored["written"]["predictions"] == len(scored["picks"]) == sum(sides.values()) > 0
    listed = pd.read_csv(io.StringIO(out("picks", "--date", day, "--all", "--format", "csv")))
    assert len(listed) == scored["written"]["predictions"]
    assert (listed["side"] == "OVER").sum() == sides["over"] and (listed["side"] == "PASS").sum() == sides["pass"]
    assert listed.loc[listed["side"] == "PASS", "pass_reason"].notna().all()
    assert "P(blend)" in out("picks", "--date", day)
    rescored = pd.read_csv(io.StringIO(out("score", "--date", day, "--gate", "off", "--format", "csv")))
    assert len(rescored) == len(listed) and "edge" in rescored

    graded = check_document(out("grade", "--date", day, "--format", "json"), "grade")
    assert graded["graded"] > 0 and {p["system"] for p in graded["performance"]} >= {"model", "line"}
    perf = pd.read_csv(io.StringIO(out("grade", "--date", day, "--format", "csv")))
    assert len(perf) == len(graded["performance"])
    record = check_document(out("results", "--since", day, "--until", day, "--format", "json"), "results")
    assert record["record"][-1]["market"] == "all"
    assert record["record"][-1]["n"] == sum(p["result"] in ("win", "loss", "push") for p in graded["picks"])

    args = ("backtest", "--start", day, "--end", day, "--retrain", "none", "--json", tmp_path / "bt.json")
    bt = check_document(out(*args, "--format", "json"), "backtest")
    assert bt["markets"][-1]["market"] == "all" and set(bt["summary"]) == {m["market"] for m in bt["markets"]}
    back = pd.read_csv(io.StringIO(out(*args, "--format", "csv")))
    assert list(back["market"]) == [m["market"] for m in bt["markets"]]
