"""Phase 4 on the real data (../shared/data: ten seasons plus 2025-26 to 2025-11-10; skipped when absent):
every feature recomputed in Python for sampled rows from player_game_summary rows dated strictly earlier, the
mart covering every player-game and every line, and the row counts and quality-score distribution printed
(run with -s to see them). The data is imported and `nbaprops build --layer precompute` run once for the module.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.phase4_support import (
    MARKETS,
    Warehouse,
    activate,
    assert_matches,
    build_phase4,
    import_files,
    mart_sample,
    real_imports,
    warehouse_env,
)

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def real_warehouse(tmp_path_factory, shared_data) -> Warehouse:
    root = tmp_path_factory.mktemp("p4real")
    env = warehouse_env(root)
    mp = activate(env)
    try:
        import_files(real_imports(shared_data))
        build_phase4()
    finally:
        mp.undo()
    return Warehouse(root, root / "nbaprops.duckdb", env)


def test_real_every_feature_matches_a_python_recomputation_for_sampled_rows(real_warehouse):
    con = real_warehouse.connect()
    try:
        sample = pd.concat(
            [
                mart_sample(con, "did_play and season < '2025-26'", 300),
                mart_sample(con, "did_play and season = '2025-26' and has_line", 120),
                mart_sample(con, "did_play = false", 60),
                mart_sample(con, "did_play and f_early_season = 1", 60),
                mart_sample(con, "did_play and f_usage_spike > 0.2", 40),
            ]
        )
    finally:
        con.close()
    assert len(sample) >= 500 and set(sample["market"]) == set(MARKETS)
    assert_matches(real_warehouse, sample)


def test_real_mart_covers_every_player_game_and_every_line_and_reports_quality(real_warehouse):
    con = real_warehouse.connect()
    try:
        player_games = con.execute("select count(*) from analytics.player_game_summary").fetchone()[0]
        known_lines = con.execute(
            "select count(*) from intermediate.int_prop_pregame_lines "
            "where player_lookup in (select player_lookup from intermediate.int_player_lookups)"
        ).fetchone()[0]
        by_kind = con.execute(
            "select row_kind, market, count(*), count(line), count(*) filter (where did_play = false) "
            "from precompute.feature_mart group by all order by all"
        ).df()
        quality = con.execute(
            """
            select row_kind, has_line, count(*) as rows, round(avg(quality_score), 3) as mean,
                   round(min(quality_score), 3) as min, round(quantile_cont(quality_score, 0.1), 3) as p10,
                   round(median(quality_score), 3) as p50, round(quantile_cont(quality_score, 0.9), 3) as p90,
                   round(max(quality_score), 3) as max
            from precompute.feature_mart group by all order by all
            """
        ).df()
        buckets = con.execute(
            """
            select case when quality_score < 0.5 then 'a <0.50' when quality_score < 0.7 then 'b 0.50-0.70'
                        when quality_score < 0.8 then 'c 0.70-0.80' when quality_score < 0.9 then 'd 0.80-0.90'
                        when quality_score < 1 then 'e 0.90-<1' else 'f 1.00' end as quality_bucket,
                   count(*) as rows, count(*) filter (where has_line) as rows_with_line
            from precompute.feature_mart group by 1 order by 1
            """
        ).df()
        by_season = con.execute(
            "select season, round(avg(quality_score), 3) as mean_quality from precompute.feature_mart group by 1 order by 1"
        ).df()
        with_line = con.execute("select count(*) from precompute.feature_mart where has_line").fetchone()[0]
    finally:
        con.close()
    print("\nfeature_mart rows by row_kind and market (rows, with line, DNP):\n" + by_kind.to_string(index=False))
    print("\nquality_score by row_kind and has_line:\n" + quality.to_string(index=False))
    print("\nquality_score distribution:\n" + buckets.to_string(index=False))
    print("\nmean quality_score by season:\n" + by_season.to_string(index=False))
    dnp = int(by_kind.iloc[:, 4].sum())
    assert int(by_kind.iloc[:, 2].sum()) == player_games * 5 + dnp
    assert with_line == known_lines
