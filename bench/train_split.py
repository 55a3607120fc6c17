"""Where a training run's time goes: reading the mart and the offers, then per step of every market's training
(matrices, boosting, dispersion, calibration, market anchor, refit), summed over markets.

Run by bench/bench.py after `nbaprops train` has saved a model (so this run reuses that season's objective
search, as a routine retrain does):  python bench/train_split.py YYYY-MM-DD
Prints one JSON object. Markets train side by side, so the steps' sum exceeds the wall time of training.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta


def main(before: date) -> dict:
    started = time.perf_counter()
    from nbacore.settings import load_settings
    from nbacore.warehouse import open_warehouse
    from predict.commands import _latest_model, _seasons
    from predict.config import ModelParams
    from predict.mart import read_mart
    from predict.offers import read_offers
    from predict.train import train_model

    imported = time.perf_counter()
    settings, params = load_settings(), ModelParams()
    with open_warehouse(settings) as wh:
        seasons = _seasons(wh, before, params.history_seasons)
        mart = read_mart(wh, end=before - timedelta(days=1), seasons=seasons)
        read = time.perf_counter()
        offers = read_offers(wh, mart.frame["game_date"].min().date(), before - timedelta(days=1))
    offered = time.perf_counter()
    previous, _ = _latest_model(settings)
    model = train_model(mart.frame, mart.features, before, params, offers=offers, previous=previous)
    trained = time.perf_counter()
    steps: dict[str, float] = {}
    for m in model.markets.values():
        for step, seconds in m.metrics.get("seconds", {}).items():
            steps[step] = round(steps.get(step, 0.0) + seconds, 2)
    return {
        "ok": True,
        "imports_s": round(imported - started, 2),
        "read_mart_s": round(read - imported, 2),
        "read_offers_s": round(offered - read, 2),
        "train_s": round(trained - offered, 2),
        "objectives_reused": model.objectives_chosen_by != model.version,
        "rounds": sum(m.rounds for m in model.markets.values()),
        "steps_s": steps,
    }


if __name__ == "__main__":
    print(json.dumps(main(date.fromisoformat(sys.argv[1]))))
