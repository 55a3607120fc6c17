"""The whole product on BigQuery, proven on the emulator: the same day on DuckDB and on BigQuery gives the same picks.

One simulated league is served on 127.0.0.1. The same CLI sequence runs twice, once with ``--target local``
(DuckDB) and once with ``--target bigquery_emulator`` (bqemulator on loopback): import a file, backfill through
the scrapers (scrape -> load -> dbt build), replay a date from the archive, scrape it again, build, train, then the morning job
for three dates (scrape -> load -> daily dbt build -> grade -> score -> report), a rescore and a regrade, and the
read-only commands (status, monitor, report). The rescore runs with the evidence gate off, so there are picks
and stakes to compare. The predictions and results of both warehouses must be equal:
the same lines, the same picks and stakes, probabilities within 1e-9.

This is the slow proof (several minutes, most of it dbt on the emulator), so it carries the ``bigquery_e2e``
marker: ``make check-bigquery`` runs it, and ``.ci/run`` runs that after ``make test``.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import missing_tool
from typer.testing import CliRunner

from devtools.bigquery_emulator import EmulatorUnavailable, running_emulator
from nbaprops.cli import app
from simulator import SimConfig, simulate, simulate_season
from simulator.serve import SimApi, start_server

pytestmark = pytest.mark.bigquery_e2e

API_KEY = "e2e-odds-key"
SIM = SimConfig(seed=11, days=14)
FAST = {
    "NBAPROPS_HTTP_PACING": "0",
    "NBAPROPS_SCRAPE_PASS_COOLDOWN": "0",
    "NBAPROPS_HTTP_BACKOFF": "0.05",
}
KEY_COLUMNS = ["game_date", "game_id", "player_id", "market"]
EXACT_COLUMNS = ["line", "pick", "pick_book", "pick_line", "pick_odds", "lean", "gate_open", "pass_reason", "stake"]
PROBABILITY_COLUMNS = ["p_over", "p_under", "p_push", "model_p_over", "blend_p_over", "pred_mean", "pick_edge"]


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, f"nbaprops {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    return result.output


def day_after_day(env: dict[str, str], files: Path) -> dict:
    """The CLI sequence on one target; returns what the comparisons read."""
    tonight = SIM.tonight
    first = SIM.start_date
    timings: dict[str, float] = {}

    def step(name: str, *args: str) -> str:
        started = time.perf_counter()
        out = run(env, *args)
        timings[name] = round(time.perf_counter() - started, 1)
        return out

    step("import", "import", "game-lines", str(files / "game_lines.csv"), "--root", str(files))
    step("backfill", "backfill", "--start", str(first), "--end", str(tonight - timedelta(days=4)))
    step("replay", "replay", "--date", str(tonight - timedelta(days=4)))
    step("scrape", "scrape", "--date", str(tonight - timedelta(days=4)), "--source", "cdn_boxscore")
    step("build", "build", "--daily")
    step("train", "train")
    runs = {}
    for offset in (2, 1, 0):
        day = tonight - timedelta(days=offset)
        runs[str(day)] = step(f"run {day}", "run", "--date", str(day))
    # The simulated market's evidence gate stays shut on so little history (no picks), so the rescore opens it
    # (research mode): the comparison then covers real picks and stakes, not only PASS lines.
    step("score", "score", "--date", str(tonight), "--gate", "off")
    step("grade", "grade", "--date", str(tonight - timedelta(days=1)))
    out = {
        "doctor": step("doctor", "doctor"),
        "runs": runs,
        "status": step("status", "status", "--date", str(tonight)),
        "monitor": step("monitor", "monitor", "--date", str(tonight)),
        "report": step("report", "report", "--date", str(tonight)),
        "timings": timings,
    }
    from dataclasses import replace

    from nbacore.settings import load_settings
    from nbacore.warehouse import open_warehouse

    settings = replace(load_settings(env["NBAPROPS_TARGET"], environ=env), access="read")
    with open_warehouse(settings) as wh:
        out["predictions"] = wh.query(
            "select * from predictions.predictions where is_current order by game_date, game_id, player_id, market"
        )
        out["results"] = wh.query("select * from predictions.results order by game_date, game_id, player_id, market")
        out["phases"] = wh.query(
            "select game_date, phase, status, warehouse_jobs from ops.pipeline_runs "
            "where phase in ('scrape_results', 'scrape_slate', 'build', 'grade', 'score', 'report') "
            "order by game_date, phase, started_at"
        )
    return out


SENT_SQL: list[str] = []


def record_sql(monkeypatch) -> None:
    """Keep every statement Python sends through the DuckDB engine (reads, DML, transaction bodies), to lint as
    BigQuery: the engine's own introspection and staging SQL does not pass through ``_run``."""
    from nbacore.warehouse.duckdb_engine import DuckDBWarehouse

    original = DuckDBWarehouse._run

    def recording(self, sql, params):
        SENT_SQL.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(DuckDBWarehouse, "_run", recording)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same league, the same commands, on DuckDB and on the emulator."""
    monkeypatch = pytest.MonkeyPatch()
    record_sql(monkeypatch)
    root = tmp_path_factory.mktemp("e2e")
    files = root / "files"
    simulate(SIM, files)
    server = start_server(SimApi(simulate_season(SIM), api_key=API_KEY, quota=1_000_000))
    common = {
        **FAST,
        "NBAPROPS_CDN_BASE_URL": server.url,
        "NBAPROPS_STATS_BASE_URL": server.url,
        "NBAPROPS_ODDS_BASE_URL": server.url,
        "NBAPROPS_INJURY_BASE_URL": server.url,
        "ODDS_API_KEY": API_KEY,
        "NBAPROPS_ALERT_WEBHOOK_URL": "",
    }

    def env_for(target: str, extra: dict[str, str]) -> dict[str, str]:
        home = root / target
        return {
            **common,
            **extra,
            "NBAPROPS_TARGET": target,
            "NBAPROPS_DUCKDB_PATH": str(home / "warehouse" / "nbaprops.duckdb"),
            "NBAPROPS_LANDING_DIR": str(home / "landing"),
            "NBAPROPS_MODEL_REGISTRY": str(home / "registry"),
            "DBT_TARGET_PATH": str(home / "target"),
            "DBT_LOG_PATH": str(home / "logs"),
        }

    try:
        local = day_after_day(env_for("local", {}), files)
        try:
            with running_emulator(log_path=root / "bqemulator.log") as emu:
                bq_env = env_for(
                    "bigquery_emulator",
                    {"NBAPROPS_BQ_EMULATOR_ENDPOINT": emu.endpoint, "NBAPROPS_BQ_EMULATOR_PROJECT": emu.project},
                )
                bigquery = day_after_day(bq_env, files)
        except EmulatorUnavailable as exc:
            missing_tool(f"bqemulator could not start, so the BigQuery end-to-end run cannot: {exc}")
    finally:
        server.shutdown()
        monkeypatch.undo()
    (root / "timings.json").write_text(
        json.dumps({"local": local["timings"], "bigquery_emulator": bigquery["timings"]}, indent=2)
    )
    print(json.dumps({"local": local["timings"], "bigquery_emulator": bigquery["timings"]}, indent=2))
    return local, bigquery


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["game_date"] = pd.to_datetime(out["game_date"]).dt.date
    out["player_id"] = out["player_id"].astype("int64")
    return out.sort_values(KEY_COLUMNS).reset_index(drop=True)


def test_every_morning_phase_succeeds_on_both_targets(both):
    for outcome in both:
        for day, printed in outcome["runs"].items():
            assert "failed" not in printed and "blocked" not in printed, f"run --date {day}:\n{printed}"


def test_bigquery_predictions_equal_duckdb_predictions(both):
    local, bigquery = (_comparable(o["predictions"]) for o in both)
    assert len(local) > 0 and local["game_date"].nunique() == 3
    assert local[KEY_COLUMNS].equals(bigquery[KEY_COLUMNS]), "the two warehouses scored different lines"
    for column in EXACT_COLUMNS:
        assert (
            local[column].astype("object").where(local[column].notna(), None).tolist()
            == bigquery[column].astype("object").where(bigquery[column].notna(), None).tolist()
        ), column
    for column in PROBABILITY_COLUMNS:
        diff = (local[column].astype("float64") - bigquery[column].astype("float64")).abs().max()
        assert pd.isna(diff) or diff <= 1e-9, f"{column} differs by {diff}"
    picks = local["pick"].isin(["OVER", "UNDER"]).sum()
    assert picks > 0 and local["stake"].fillna(0).gt(0).any(), "no picks to compare"
    print(f"{len(local)} current predictions on 3 dates, {picks} picks, equal on DuckDB and the emulator")


def test_bigquery_results_equal_duckdb_results(both):
    local, bigquery = (_comparable(o["results"]) for o in both)
    assert len(local) > 0
    assert local[KEY_COLUMNS].equals(bigquery[KEY_COLUMNS])
    for column in ("lean_result", "pick_result"):
        assert local[column].tolist() == bigquery[column].tolist(), column
    for column in ("actual", "pick_profit", "stake_profit", "brier_model", "brier_market"):
        diff = (local[column].astype("float64") - bigquery[column].astype("float64")).abs().max()
        assert pd.isna(diff) or diff <= 1e-9, f"{column} differs by {diff}"


def test_read_only_commands_answer_from_bigquery(both):
    _, bigquery = both
    assert "BigQuery project" in bigquery["doctor"] and "model vs mart" in bigquery["doctor"]
    assert "score" in bigquery["status"] and "success" in bigquery["status"]
    assert "prediction coverage" in bigquery["monitor"]
    assert bigquery["report"].strip().endswith(".html") and Path(bigquery["report"].strip()).is_file()


def test_daily_jobs_do_not_grow_with_history(both):
    """Each morning phase's Python jobs on BigQuery are recorded, and a later date (one more day of history)
    does not cost more for the phases whose work is the same every day."""
    _, bigquery = both
    phases = bigquery["phases"]
    assert phases["warehouse_jobs"].notna().all()
    per_day = phases.pivot_table(index="phase", columns="game_date", values="warehouse_jobs", aggfunc="last")
    print(per_day.to_string())
    for phase in ("build", "score", "report"):
        counts = per_day.loc[phase].dropna().tolist()
        assert max(counts) <= min(counts) + 2, f"{phase} jobs grew with history: {counts}"


def test_the_sql_python_sends_is_googlesql(both):
    """Every statement the product sent through the seam (on the DuckDB run) parses as BigQuery and passes the
    dialect rules the models are held to (devtools/bigquery_lint.py); the emulator run executed the same text."""
    from devtools.bigquery_lint import lint_sql

    statements = sorted(set(SENT_SQL))
    assert len(statements) > 30, f"only {len(statements)} statements recorded"
    problems = [f"{p}\n  in: {sql.strip()[:300]}" for sql in statements for p in lint_sql(sql, path="<python>")]
    assert not problems, "\n".join(problems)
