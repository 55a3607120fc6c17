"""Scoring throughput: how many mart rows per second the newest model turns into a mean and calibrated
over/under/push probabilities (the per-row work of `nbaprops score`, without the one-date overheads).

Run by bench/bench.py as its own process:  python bench/scoring_throughput.py
Reads the last season of precompute.feature_mart (every market), prices each row at a half-point line next
to its moving average, and prints one JSON object: rows, seconds, rows_per_s (best of 3).
"""

from __future__ import annotations

import json
import time

import numpy as np


def main() -> dict:
    from nbacore.settings import load_settings, prepare_process

    prepare_process()  # passive OpenMP waiting, before xgboost loads
    from nbacore.warehouse import open_warehouse
    from predict.mart import feature_matrix, mart_seasons, read_mart
    from predict.registry import load_model

    model = load_model(load_settings().registry_dir)
    con = open_warehouse(load_settings())
    try:
        mart = read_mart(con, seasons=mart_seasons(con)[-1:])
    finally:
        con.close()
    frame = mart.frame[mart.frame["market"].isin(list(model.markets))]
    groups = {str(m): idx for m, idx in frame.groupby("market").indices.items()}
    matrices = {m: feature_matrix(frame.iloc[idx], model.features) for m, idx in groups.items()}
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for market, x in matrices.items():
            mu = model.markets[market].predict_mean(x)
            line = np.floor(mu) + 0.5
            model.markets[market].probabilities(mu, line)
        best = min(best, time.perf_counter() - started)
    rows = int(sum(len(x) for x in matrices.values()))
    return {"rows": rows, "seconds": round(best, 3), "rows_per_s": round(rows / best)}


if __name__ == "__main__":
    print(json.dumps(main()))
