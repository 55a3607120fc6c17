"""The bodies of ``nbaprops train | score | grade | backtest``: open the warehouse, run one step, report.

``train`` returns the lines to print; ``score``, ``grade`` and ``backtest`` one structured result
(``nbacore.output.Output``: its text lines, JSON document and CSV table come from the same object).
``nbaprops/cli/predictions.py`` only parses options and turns ``PredictError`` into a one-line failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from nbacore.output import Output
from nbacore.settings import Settings
from nbacore.warehouse import Warehouse, as_date, open_warehouse
from predict.availability import read_statuses
from predict.backtest import BacktestResult, format_table, run_backtest, summary_rows, to_json, write_rows
from predict.calibration import MIN_EVENTS
from predict.config import PredictConfig
from predict.grade import PENDING, daily_performance, grade_predictions
from predict.mart import MartContractError, read_history, read_mart
from predict.model import TrainedModel
from predict.offers import attach_players, read_lookups, read_offers, snapshot_offers
from predict.picks import pick_rows
from predict.registry import ModelMismatch, RegistryError, load_model, save_model, warehouse_mismatch
from predict.score import ScoringRefused, score_rows
from predict.tables import PERFORMANCE, current_predictions, log_run, replace_day, write_scores
from predict.track_record import graded_picks
from predict.train import TrainingError, train_model

PredictError = (MartContractError, ModelMismatch, RegistryError, ScoringRefused, TrainingError)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _run_id(kind: str) -> str:
    return f"{kind}-{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def _seasons(wh: Warehouse, before: date, keep: int | None, extra_back: int = 0) -> list[str] | None:
    """The last ``keep`` (+ ``extra_back``) seasons with games before ``before``; None = all."""
    found = [
        s
        for (s,) in wh.rows(
            "select distinct season from precompute.feature_mart where game_date < @before order by season",
            {"before": before},
        )
    ]
    if not found:
        raise MartContractError(f"precompute.feature_mart has no rows before {before}; build the mart first")
    return None if keep is None else [str(s) for s in found[-(keep + extra_back) :]]


def _latest_model(settings: Settings) -> tuple[TrainedModel | None, str]:
    """The registry's newest model (its objective search may be reused), or None and why not."""
    try:
        return load_model(settings.registry_dir), ""
    except (RegistryError, OSError, ValueError, KeyError) as exc:
        return None, f"no earlier model to reuse ({str(exc).split(';')[0]})"


def objective_line(model: TrainedModel, why_not: str = "") -> str:
    """Where the objectives came from: this run's search, or an earlier model's search in the same season."""
    if model.objectives_chosen_by == model.version:
        return f"objectives searched ({why_not or 'new season, new candidates or feature_version'}); season {model.objective_season}"
    return (
        f"objectives reused from model {model.objectives_chosen_by} (season {model.objective_season}: searched "
        "once per season; ModelParams.objective_search='always' searches every time)"
    )


def _latest_final_date(wh: Warehouse) -> date:
    day = as_date(wh.scalar("select max(game_date) from precompute.feature_mart where actual is not null"))
    if day is None:
        raise MartContractError("precompute.feature_mart has no played rows; import box scores and build first")
    return day


def train(
    settings: Settings, config: PredictConfig, before: date | None = None, progress: Callable[[], None] | None = None
) -> list[str]:
    """Train every market on games before ``before`` (default: every final game) and save the model;
    ``progress()`` after each market."""
    with open_warehouse(settings) as wh:
        _check_mart(wh)
        before = before or _latest_final_date(wh) + timedelta(days=1)
        seasons = _seasons(wh, before, config.params.history_seasons)
        mart = read_mart(wh, end=before - timedelta(days=1), seasons=seasons)
        offers = read_offers(wh, mart.frame["game_date"].min().date(), before - timedelta(days=1))
        previous, why_not = _latest_model(settings)
        model = train_model(
            mart.frame, mart.features, before, config.params, offers=offers, progress=progress, previous=previous
        )
        saved = save_model(model, settings.registry_dir, warehouse=wh.describe())
        log_run(
            wh,
            _run_id("train"),
            "train",
            _now(),
            model.version,
            {"trained_before": before, "window": [model.window_start, model.window_end], "rows": model.rows},
        )
    out = [
        f"model {model.version} saved to {saved.path}",
        f"trained on {sum(model.rows.values()):,} rows, {model.window_start} .. {model.window_end} "
        f"(games before {before}); {len(model.features)} features, feature_version {model.feature_version}",
        objective_line(model, why_not),
        f"{'market':<9}{'rows':>9}  {'objective':<17}{'rounds':>7}{'disp a':>8}{'disp b':>8}{'valid MAE':>11}"
        f"{'calib logloss':>16}",
    ]
    for m, mm in model.markets.items():
        cal = mm.calibration
        cal_text = (
            f"{cal.logloss_before:.4f}->{cal.logloss_after:.4f}"
            if cal.logloss_before is not None
            else f"none (<{MIN_EVENTS} events)"
        )
        out.append(
            f"{m:<9}{model.rows[m]:>9,}  {mm.objective:<17}{mm.rounds:>7}{mm.dispersion.a:>8.3f}"
            f"{mm.dispersion.b:>8.4f}{mm.metrics['candidates'][mm.objective]['mae']:>11.3f}{cal_text:>16}"
        )
    out += combiner_lines(model)
    return out


def combiner_lines(model) -> list[str]:
    """Per market: the de-vig method, the calibration, the combiner's coefficients with 95 % intervals and the gate."""
    out = [
        "market anchor (out-of-fold lines before the cutoff): logit p = a + b*logit p_market + "
        "c*(logit p_model - logit p_market); 95% CI clustered by game day",
        f"{'market':<9}{'devig':<16}{'calibration':<12}{'lines':>7}{'a':>22}{'b':>22}{'c':>22}",
    ]
    for m, mm in model.markets.items():
        c = mm.combiner
        coef = c.coefficients()
        out.append(f"{m:<9}{mm.devig:<16}{mm.calibration.method:<12}{c.n:>7,}{coef[0]:>22}{coef[1]:>22}{coef[2]:>22}")
    out.append("gate (picks only where the model has shown information beyond the line):")
    out += [f"  {mm.combiner.summary()}" for mm in model.markets.values()]
    return out


def score(
    settings: Settings, config: PredictConfig, day: date, version: str | None = None, as_of: datetime | None = None
) -> list[str]:
    """Score every line on ``day`` with the registry's model, write a new prediction version, list the unscored."""
    model = load_model(settings.registry_dir, version)
    with open_warehouse(settings) as wh:
        _check_mart(wh)
        other_warehouse = warehouse_mismatch(model, wh.describe())
        seasons = _seasons(wh, day + timedelta(days=1), 1, extra_back=1)
        mart = read_mart(wh, start=day, end=day)
        earlier = read_history(wh, before=day, seasons=seasons)
        offers = read_offers(wh, day, day)
        statuses = read_statuses(wh, day, as_of or _now())  # the injury report as of scoring time
        outcome = score_rows(
            model, mart, day, offers, config, as_of=as_of, lookups=read_lookups(wh), earlier=earlier, statuses=statuses
        )
        run_id, now = _run_id("score"), _now()
        details = {
            "date": day,
            "as_of": as_of,
            "coverage": outcome.coverage,
            "gate": config.rules.gate,
            "gates": outcome.gates,
            "rules": asdict(config.rules),
            "cap_notes": outcome.caps.notes,
            "max_night_stake": outcome.caps.max_night_share,
            "warehouse_warning": other_warehouse,
        }
        written = write_scores(
            wh, run_id, now, day, outcome.predictions, outcome.unscored, model.version, details, outcome.refused
        )
    return score_output(run_id, day, model.version, written, outcome, config, now, warning=other_warehouse)


def score_output(
    run_id: str, day: date, version: str, written, outcome, config: PredictConfig, now, warning: str | None = None
) -> Output:
    """What a scoring run did: counts, stakes, gates, coverage; tables: the lines scored (picks shape,
    ``predict.picks``) and the lines not scored with the reason."""
    c = outcome.coverage
    picks = outcome.predictions.get("pick", pd.Series(dtype="string"))  # no column when the date has no lines
    share = "n/a" if c["eligible_share"] is None else f"{100 * c['eligible_share']:.1f}%"
    counts = {side.lower(): int((picks == side).sum()) for side in ("OVER", "UNDER", "PASS")}
    rules = config.rules
    fields = {
        "run_id": run_id,
        "date": day,
        "model_version": version,
        "written": asdict(written),
        "picks_by_side": counts,
        "staked": outcome.caps.max_night_share,
        "rules": asdict(rules),
        "warning": warning,
        "gates": outcome.gates,
        "cap_notes": outcome.caps.notes,
        "coverage": c,
    }
    scored = pick_rows(outcome.predictions.assign(model_version=version, scored_at=now))
    unscored = outcome.unscored.reindex(columns=["game_id", "player_lookup", "player_name", "market", "line", "reason"])
    lines = [
        f"run {run_id}: model {version} scored {written.predictions} lines on {day} "
        f"({written.superseded} earlier predictions superseded)",
        *([f"warning: {warning}"] if warning else []),
        f"picks: {counts['over']} OVER, {counts['under']} UNDER, {counts['pass']} PASS; staked "
        f"{outcome.caps.max_night_share:.1%} of a {rules.bankroll:,.0f} bankroll (caps: {rules.kelly_cap:.0%} a bet, "
        f"{rules.player_cap:.0%} a player, {rules.nightly_cap:.0%} a night)",
        *[f"gate ({rules.gate}) {g}" for g in outcome.gates.values()],
        *outcome.caps.notes,
        f"coverage: {c['scored']}/{c['lines']} lines scored; {c['eligible_scored']}/{c['eligible_lines']} ({share}) "
        f"of lines whose player has >= {c['min_prior_games']} earlier games",
        f"not scored: {len(unscored)} line(s)",
    ]
    for r in unscored.itertuples(index=False):
        lines.append(f"  {r.game_id}  {r.player_name or r.player_lookup}  {r.market}  line {r.line}: {r.reason}")
    return Output("score", fields, {"picks": scored, "unscored": unscored}, lines)


def grade(settings: Settings, config: PredictConfig, day: date) -> list[str]:
    """Grade the current predictions of ``day`` and write results and daily performance."""
    with open_warehouse(settings) as wh:
        _check_mart(wh)
        preds = current_predictions(wh, day)
        if preds.empty:
            raise ScoringRefused(f"no current predictions for {day}; run `nbaprops score --date {day}` first")
        outcomes = read_mart(wh, start=day, end=day).frame
        closing = snapshot_offers(attach_players(read_offers(wh, day, day), outcomes), which="latest")
        results = grade_predictions(preds, outcomes, closing, config.rules.devig)
        pending = results["lean_result"] == PENDING
        graded = results[~pending]
        perf = daily_performance(graded) if len(graded) else pd.DataFrame()
        run_id, now = _run_id("grade"), _now()
        replace_day(
            wh, day, graded, perf, run_id, now, {"date": day, "graded": len(graded), "pending": int(pending.sum())}
        )
    void = int((graded["lean_result"] == "void").sum())
    fields = {"date": day, "graded": len(graded), "void": void, "pending": int(pending.sum())}
    bets = graded[graded["pick"].isin(["OVER", "UNDER"])] if len(graded) else graded
    out = [
        f"graded {len(graded)} predictions on {day} ({void} void, {int(pending.sum())} still pending); model = the "
        "product (blend and its picks), raw_model = before anchoring, line = the de-vigged market, on the same lines"
    ]
    if len(perf):
        out.append(
            f"{'market':<9}{'system':<16}{'N':>5}{'MAE':>8}{'Brier':>8}{'LogL':>8}{'bets':>6}{'hit':>8}{'ROI':>8}"
            f"{'CLV':>8}"
        )
        for r in perf.itertuples(index=False):
            out.append(
                f"{r.market:<9}{r.system:<16}{r.n:>5}{_f(r.mae, 3):>8}{_f(r.brier, 4):>8}{_f(r.logloss, 4):>8}{r.bets:>6}"
                f"{_pct(r.hit_rate):>8}{_pct(r.roi):>8}{_f(getattr(r, 'clv', None), 3):>8}"
            )
    performance = perf.reindex(columns=[c for c in PERFORMANCE if c != "computed_at"])
    counts = [c for c, t in PERFORMANCE.items() if t == "integer"]  # as the table stores them (NULL, not NaN)
    performance[counts] = performance[counts].apply(pd.to_numeric).astype("Int64")
    return Output("grade", fields, {"performance": performance, "picks": graded_picks(bets)}, out)


def _walk_forward(
    settings: Settings, config: PredictConfig, start: date, end: date, retrain: str, price_at: str, progress
) -> BacktestResult:
    """``run_backtest`` over ``start``..``end`` on the warehouse's mart and offers (earlier lines fit the
    combiners); refuses a backwards range or one without graded lines."""
    if end < start:
        raise ScoringRefused(f"--end {end} is before --start {start}; give an end on or after the start")
    with open_warehouse(settings) as wh:
        _check_mart(wh)
        seasons = _seasons(wh, end + timedelta(days=1), config.params.history_seasons, extra_back=1)
        mart = read_mart(wh, end=end, seasons=seasons)
        offers = read_offers(wh, mart.frame["game_date"].min().date(), end)
    result = run_backtest(mart, offers, start, end, config, retrain=retrain, price_at=price_at, progress=progress)
    if result.results.empty:
        raise ScoringRefused(f"no lines with a played or void result between {start} and {end} in the mart")
    return result


def backtest(
    settings: Settings,
    config: PredictConfig,
    start: date,
    end: date,
    retrain: str = "weekly",
    json_path: Path | None = None,
    price_at: str = "latest",
    progress: Callable[[int, int, str], None] | None = None,
    rows_path: Path | None = None,
) -> Output:
    """Walk-forward backtest of ``start``..``end``; prints the tables, writes the JSON and (``rows_path``) every
    scored line, and records the run so ``nbaprops report`` can show it. ``progress(done, retrains, message)``
    after each retrain segment."""
    result = _walk_forward(settings, config, start, end, retrain, price_at, progress)
    json_path = json_path or settings.dbt_target_dir / "backtests" / f"backtest_{start}_{end}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "start": start,
        "end": end,
        "retrain": retrain,
        "price_at": price_at,
        "rules": asdict(config.rules),
        "params": asdict(config.params),
    }
    json_path.write_text(to_json(result, meta) + "\n", encoding="utf-8")
    if rows_path is not None:
        write_rows(result.results, rows_path)
    with open_warehouse(settings) as wh:
        log_run(
            wh,
            _run_id("backtest"),
            "backtest",
            _now(),
            None,
            {
                **meta,
                "json": json_path,
                "rows": rows_path,
                "summary": result.summary,
                "retrains": result.retrains,
                "cap_notes": result.cap_notes,
            },
        )
    lines = [
        f"walk-forward backtest {start} .. {end} (retrain {retrain}; priced at the {price_at} pregame snapshot; "
        f"gate {config.rules.gate})",
        format_table(result.summary, result.retrains),
        "Brier / log loss: P(over | no push) at the reference line of blend (what the product prices with), raw "
        "model and de-vigged market on the same lines; blend-mkt: paired difference, 95% CI bootstrapped by game "
        "day (below 0 = better than the market). MAE median / mean: the blend's; model: the raw model's mean. "
        "lean hit: the side the raw model prefers against the market, before any gate. hit: Wilson 95% CI; ROI "
        "per unit at the taken price and per staked share, 95% CI by game day.",
        *(f"stake cap: {n}" for n in result.cap_notes[:10]),
        f"JSON: {json_path}" + (f"; rows: {rows_path}" if rows_path else ""),
    ]
    fields = {**meta, "json": json_path, "rows": rows_path, "retrains": result.retrains, "cap_notes": result.cap_notes}
    return Output("backtest", {**fields, "summary": result.summary}, {"markets": summary_rows(result.summary)}, lines)


def score_history(
    settings: Settings, config: PredictConfig, start: date, end: date, retrain: str = "weekly", echo=None
) -> list[str]:
    """Score and grade every date ``start``..``end`` walk-forward, as the morning job would have if it had run
    on each: each stretch of dates is scored by a model trained on games before it (retrained ``retrain``,
    with ``predict.backtest.run_backtest``), written as a scoring run of its date (predictions.predictions)
    and graded (predictions.results, daily_performance). A backfilled warehouse so gets a track record in one
    pass, without a dbt build or a registry model per date. The injury report is not applied to past dates."""
    from predict.combiner import Combiner
    from predict.pricing import gate_decision

    progress = (lambda done, total, message: echo(f"  {message}")) if echo else None
    result = _walk_forward(settings, config, start, end, retrain, "latest", progress)
    rows = result.results
    nothing = pd.DataFrame(columns=["game_id", "player_lookup", "player_name", "market", "line", "reason"])
    keys = {"game_id": "str", "player_id": "int64", "market": "str"}
    with open_warehouse(settings) as wh:
        for day, preds in rows.groupby(rows["game_date"].dt.date):
            fit = next(r for r in result.retrains if r["trained_before"] <= str(day) <= r["scored_until"])
            gates = {m: gate_decision(Combiner.from_dict(c), config.rules.gate) for m, c in fit["combiners"].items()}
            details = {
                "date": day,
                "history": {"trained_before": fit["trained_before"], "retrain": retrain},
                "gate": config.rules.gate,
                "gates": gates,
                "rules": asdict(config.rules),
                "max_night_stake": float(preds["stake"].fillna(0).sum()),
            }
            run_id = _run_id("score")
            write_scores(wh, run_id, _now(), day, preds, nothing, fit["model_version"], details)
            versions = wh.query(
                "select game_id, player_id, market, prediction_version from predictions.predictions "
                "where game_date = @day and run_id = @run",
                {"day": day, "run": run_id},
            ).astype(keys)
            graded = (
                preds.drop(columns=["prediction_version"], errors="ignore").astype(keys).merge(versions, on=list(keys))
            )
            graded = graded[graded["lean_result"] != PENDING].copy()  # one block per column, not a fragmented view
            perf = daily_performance(graded) if len(graded) else pd.DataFrame()
            replace_day(
                wh, day, graded, perf, _run_id("grade"), _now(), {"date": day, "graded": len(graded), "pending": 0}
            )
    bets = rows["pick_result"].isin(["win", "loss", "push"]) & rows["pick"].isin(["OVER", "UNDER"])
    same = rows["brier_model"].notna() & rows["brier_market"].notna()
    diff = (rows.loc[same, "logloss_model"] - rows.loc[same, "logloss_market"]).mean()
    days = rows["game_date"].dt.date
    return [
        f"scored and graded {days.nunique()} dates {days.min()} .. {days.max()} walk-forward (retrain {retrain}, "
        f"{len(result.retrains)} model(s)): {len(rows):,} lines, {int(bets.sum())} graded pick(s) making "
        f"{100 * rows.loc[bets, 'stake_profit'].sum():+.2f} units at the recommended stakes; log loss blend - market "
        f"{diff:+.4f} on {int(same.sum()):,} lines"
    ]


def with_options(
    config: PredictConfig, history_seasons: int | None = None, **rules: float | str | None
) -> PredictConfig:
    """``config`` with CLI overrides applied; ``rules``: PricingRules fields (None = keep the default)."""
    if history_seasons is not None:
        config = replace(config, params=replace(config.params, history_seasons=history_seasons or None))
    given = {k: v for k, v in rules.items() if v is not None}
    if given:
        try:
            config = replace(config, rules=replace(config.rules, **given))
        except ValueError as exc:
            raise ScoringRefused(str(exc)) from None
    return config


def _check_mart(wh: Warehouse) -> None:
    if not wh.table_exists("precompute.feature_mart"):
        raise MartContractError("precompute.feature_mart is not in the warehouse; run `nbaprops build` first")


def _f(v, digits: int) -> str:
    return "-" if v is None or pd.isna(v) else f"{v:.{digits}f}"


def _pct(v) -> str:
    return "-" if v is None or pd.isna(v) else f"{100 * v:.1f}%"
