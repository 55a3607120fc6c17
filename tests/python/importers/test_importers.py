"""Importers: every shape lands, reruns replace rather than duplicate, and bad files change nothing."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest
from support.helpers import raw_fingerprint, run_cli

from nbacore.importers import ImportFileError, parse_files

PLAYER_HEADER = (
    "SEASON_ID,PLAYER_ID,PLAYER_NAME,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS,"
    "FGM,FGA,FG_PCT,FG3M,FG3A,FG3_PCT,FTM,FTA,FT_PCT,OREB,DREB,REB,AST,STL,BLK,TOV,PF,PLUS_MINUS,SEASON_LABEL"
)
PLAYER_ROWS = [
    "22025,1,Nikola Jokić,1610612743,DEN,Denver Nuggets,0022500001,2025-10-21,DEN vs. GSW,W,35,30,12,20,0.6,2,4,0.5,4,5,0.8,3,9,12,10,1,1,3,2,8,2025-26",
    "22025,2,Stephen Curry,1610612744,GSW,Golden State Warriors,0022500001,2025-10-21,GSW @ DEN,L,34,28,10,21,0.476,6,12,0.5,2,2,1.0,0,4,4,5,2,0,2,1,-8,2025-26",
    "22025,1,Nikola Jokić,1610612743,DEN,Denver Nuggets,0022500009,2025-10-23,DEN @ LAL,L,36,25,10,18,0.556,1,3,0.333,4,4,1.0,2,10,12,11,1,0,4,3,-3,2025-26",
]
SLIM_HEADER = "PLAYER_ID,PLAYER_NAME,TEAM_ABBREVIATION,GAME_DATE,MATCHUP,WL,MIN,PTS,REB,AST,STL,BLK,TOV,FG_PCT,FG3_PCT,FT_PCT,PLUS_MINUS,SEASON_TYPE"
SLIM_ROWS = [
    "3,Jaren Jackson Jr.,MEM,2025-10-22,MEM vs. NOP,W,30,20,6,1,1,2,2,0.5,0.4,0.8,5,Regular Season",
    "4,Zion Williamson,NOP,2025-10-22,NOP @ MEM,L,32,25,7,4,1,0,3,0.6,,0.7,-5,Regular Season",
]
PROPS_HEADER = (
    "snapshot_file,snapshot_local_time,event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds"
)
PROPS_ROWS = [
    "raw_20251021_170000.csv,2025-10-21T17:00:00,ev1,Nikola Jokic,player_points,28.5,draftkings,Golden State Warriors @ Denver Nuggets,2025-10-22T02:30:00Z,-115.0,-105.0",
    "raw_20251021_170000.csv,2025-10-21T17:00:00,ev1,Nikola Jokic,player_double_double,,draftkings,Golden State Warriors @ Denver Nuggets,2025-10-22T02:30:00Z,-400.0,",
]


def write(path: Path, header: str, rows: list[str], gz: bool = False) -> Path:
    text = "\n".join([header, *rows]) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loaded(tmp_path, warehouse_path):
    """A warehouse holding a little of everything, plus the files that made it."""
    files = {
        "players": write(tmp_path / "players.csv.gz", PLAYER_HEADER, PLAYER_ROWS, gz=True),
        "slim": write(tmp_path / "slim.csv", SLIM_HEADER, SLIM_ROWS),
        "props": write(tmp_path / "props.csv", PROPS_HEADER, PROPS_ROWS),
    }
    assert run_cli("import", "game-logs", files["players"], files["slim"]).exit_code == 0
    assert run_cli("import", "props", files["props"]).exit_code == 0
    return files


def query(path: Path, sql: str):
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_full_and_slim_player_shapes_land_with_optional_columns_null(loaded, warehouse_path):
    rows = query(
        warehouse_path,
        "select player_name, game_id, game_id_derived, season_type, fga from raw.player_game_logs order by game_date, player_id",
    )
    assert rows[0] == ("Nikola Jokić", "0022500001", False, "regular", 20)
    slim = [r for r in rows if r[0] == "Jaren Jackson Jr."][0]
    assert slim[1] == "D20251022NOPMEM" and slim[2] is True  # derived from date + away + home
    assert slim[3] == "regular" and slim[4] is None  # FGA absent from the file -> NULL, not 0


def test_prop_game_date_is_tipoff_in_us_eastern(loaded, warehouse_path):
    rows = query(warehouse_path, "select distinct game_date, commence_time, snapshot_at from raw.prop_snapshots")
    ((game_date, commence, snapshot),) = rows
    assert str(game_date) == "2025-10-21"  # 02:30 UTC on the 22nd is 22:30 ET on the 21st
    assert str(commence) == "2025-10-22 02:30:00"
    assert str(snapshot) == "2025-10-21 21:00:00"  # 17:00 EDT collector time, stored as UTC


def test_rerunning_imports_leaves_every_row_count_unchanged(loaded, warehouse_path):
    before = raw_fingerprint(warehouse_path)
    assert run_cli("import", "game-logs", loaded["players"], loaded["slim"]).exit_code == 0
    assert run_cli("import", "props", loaded["props"]).exit_code == 0
    assert raw_fingerprint(warehouse_path) == before


def test_a_corrected_file_replaces_its_dates_only(loaded, warehouse_path, tmp_path):
    corrected = write(
        tmp_path / "players.csv.gz", PLAYER_HEADER, [PLAYER_ROWS[0].replace(",30,12,20,", ",31,12,20,")], gz=True
    )
    assert run_cli("import", "game-logs", corrected).exit_code == 0
    rows = query(
        warehouse_path, "select game_date, pts from raw.player_game_logs where player_id = 1 order by game_date"
    )
    assert [(str(d), p) for d, p in rows] == [("2025-10-21", 31), ("2025-10-23", 25)]


def truncated_gzip(tmp_path: Path) -> Path:
    whole = gzip.compress(("\n".join([PLAYER_HEADER, *PLAYER_ROWS * 50]) + "\n").encode())
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    return path


BAD_FILES = {
    "truncated gzip": (truncated_gzip, "truncated or corrupt gzip", None),
    "missing required column": (
        lambda d: write(d / "bad.csv", PLAYER_HEADER.replace(",PTS,", ",POINTS,"), PLAYER_ROWS),
        "missing required column(s) PTS",
        None,
    ),
    "unparseable date": (
        lambda d: write(
            d / "bad.csv", PLAYER_HEADER, [PLAYER_ROWS[0], PLAYER_ROWS[1].replace("2025-10-21", "21/10/2025")]
        ),
        "column GAME_DATE has '21/10/2025'",
        "line 3",
    ),
    "wrong type": (
        lambda d: write(
            d / "bad.csv", PLAYER_HEADER, [*PLAYER_ROWS[:2], PLAYER_ROWS[2].replace(",25,10,18,", ",twenty,10,18,")]
        ),
        "column PTS has 'twenty', expected a number",
        "line 4",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_exits_nonzero_with_one_line_and_changes_nothing(case, loaded, warehouse_path, tmp_path):
    make, problem, row = BAD_FILES[case]
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = make(bad_dir)
    # The good file comes first and is new (a game the warehouse does not hold): it must not land either,
    # because every file is parsed before anything is written and the batch fails as a whole.
    good = write(
        bad_dir / "good.csv", PLAYER_HEADER, [PLAYER_ROWS[2].replace("0022500009,2025-10-23", "0022500020,2025-10-27")]
    )
    assert parse_files("game-logs", [good])[0].frame["game_id"].tolist() == ["0022500020"]
    before = raw_fingerprint(warehouse_path)
    result = run_cli("import", "game-logs", good, bad)
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0] and problem in lines[0]
    if row:
        assert f": {row}: " in lines[0]
    assert raw_fingerprint(warehouse_path) == before
    assert query(warehouse_path, "select count(*) from raw.player_game_logs where game_id = '0022500020'") == [(0,)]


def test_a_failure_mid_load_rolls_back_everything(loaded, warehouse_path, tmp_path, monkeypatch):
    from nbacore.settings import load_settings
    from nbacore.warehouse import duckdb_engine as wh

    before = raw_fingerprint(warehouse_path)
    # The first batch really changes the warehouse: a correction of the loaded file (same source key, so it
    # replaces that file's 2025-10-21 rows: 30 points become 31) ...
    write(loaded["players"], PLAYER_HEADER, [PLAYER_ROWS[0].replace(",30,12,20,", ",31,12,20,")], gz=True)
    new_game = write(tmp_path / "new.csv", PLAYER_HEADER, [PLAYER_ROWS[0].replace("2025-10-21", "2025-10-25")])
    corrected, added = parse_files("game-logs", [loaded["players"], new_game])
    stored = query(warehouse_path, "select distinct _source from raw.player_game_logs where player_id = 1")
    assert stored == [(corrected.source,)] and corrected.frame["pts"].tolist() == [31]
    # ... and the second batch fails in its insert, after the first batch's delete and insert ran.
    broken = added.frame.copy()
    broken["player_id"] = "not-a-number"
    con = wh.connect(load_settings())
    try:
        with pytest.raises(duckdb.Error):
            wh.replace_partitions(
                con, [(corrected.table, corrected.frame, corrected.source), (added.table, broken, added.source)]
            )
    finally:
        con.close()
    assert raw_fingerprint(warehouse_path) == before
    rows = query(
        warehouse_path, "select game_date, pts from raw.player_game_logs where player_id = 1 order by game_date"
    )
    assert [(str(d), p) for d, p in rows] == [("2025-10-21", 30), ("2025-10-23", 25)]


def test_minutes_accept_clock_and_iso_duration(tmp_path):
    rows = [PLAYER_ROWS[0].replace(",35,30,", ",34:30,30,"), PLAYER_ROWS[1].replace(",34,28,", ",PT20M15.00S,28,")]
    (parsed,) = parse_files("game-logs", [write(tmp_path / "m.csv", PLAYER_HEADER, rows)])
    assert parsed.frame["min"].tolist() == [34.5, 20.25]


def test_conflicting_duplicate_is_rejected_and_verbatim_repeat_dropped(tmp_path):
    (repeated,) = parse_files(
        "game-logs", [write(tmp_path / "rep.csv", PLAYER_HEADER, [PLAYER_ROWS[0], PLAYER_ROWS[0]])]
    )
    assert len(repeated.frame) == 1 and repeated.skipped == "1 verbatim repeated rows"
    path = write(
        tmp_path / "dup.csv", PLAYER_HEADER, [PLAYER_ROWS[0], PLAYER_ROWS[0].replace(",30,12,20,", ",31,12,20,")]
    )
    with pytest.raises(
        ImportFileError,
        match=r"line 3: duplicate row for game_id=0022500001 \+ player_id=1 with different values \(first at line 2\)",
    ):
        parse_files("game-logs", [path])


# ---- real data (skipped on a fresh clone) -------------------------------------------------------


@pytest.mark.shared_data
def test_both_real_player_log_shapes_and_team_logs_import(shared_data):
    full = shared_data / "nba-player-game-logs" / "player_logs_2024-25.csv.gz"
    slim_dir = shared_data / "nba-game-logs-2017-2026-with-playoffs"
    parsed = parse_files(
        "game-logs",
        [
            full,
            slim_dir / "player_game_logs_2025-26.csv.gz",
            slim_dir / "team_game_logs_2025-26.csv.gz",
            shared_data / "nba-team-game-logs" / "nba_games_2024_25.csv.gz",
            shared_data / "nba-player-game-logs-2025-26-partial" / "combined_2025_26.csv.gz",
        ],
    )
    assert [len(p.frame) for p in parsed][:2] == [26306, 3486]
    assert parsed[0].frame["fga"].notna().all() and parsed[1].frame["fga"].isna().all()
    assert parsed[1].frame["game_id_derived"].all()
    assert parsed[2].table.name == "team_game_logs" and parsed[3].table.name == "team_game_logs"


@pytest.mark.shared_data
def test_real_json_responses_import(shared_data):
    samples = shared_data / "api-samples"
    (team_log,) = parse_files(
        "game-logs", [samples / "stats-nba-com" / "leaguegamelog_T_2025-26_regular_season_as_of_2026-02-22.json"]
    )
    assert len(team_log.frame) == 1688 and team_log.table.name == "team_game_logs"
    (schedule,) = parse_files(
        "schedule", [samples / "cdn-nba-com" / "scheduleLeagueV2_2023-24_as_of_2023-09-16.json.gz"]
    )
    opener = schedule.frame.set_index("game_id").loc["0012300001"]
    assert str(opener["game_date"]) == "2023-10-05" and opener["home_team_abbreviation"] == "MIN"
    assert str(opener["tipoff_at"]) == "2023-10-05 16:00:00"


@pytest.mark.shared_data
def test_real_prop_shapes_and_game_lines_import(shared_data):
    daily, closing, threes = parse_files(
        "props",
        [
            next((shared_data / "odds-api-player-props-2025-26").glob("*.csv.gz")),
            shared_data / "odds-api-player-props-pra-2023-2025" / "pra_odds_2024-25.csv.gz",
            next((shared_data / "odds-api-player-threes-2024-2026").glob("*.csv.gz")),
        ],
    )
    # Row counts of the files as shipped (2025-26 rows stop at 2025-11-10; see ../shared/data/README.md).
    assert len(daily.frame) == 109472 and len(closing.frame) == 24474 and len(threes.frame) == 77181
    assert set(closing.frame["snapshot_kind"]) == {"historical_closing"}
    assert threes.frame["snapshot_at"].notna().all()
    (lines,) = parse_files("game-lines", [shared_data / "nba-game-lines-2007-2025" / "nba_2008-2025.csv.gz"])
    assert len(lines.frame) == 23118
    assert lines.frame["season_type"].value_counts().to_dict() == {"regular": 21578, "playoffs": 1507, "play_in": 33}


# ---- source keys (issue 14) ------------------------------------------------------------------------


def test_source_key_is_the_path_under_the_root_and_two_spellings_of_one_file_share_it(
    tmp_path, warehouse_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "x").mkdir(parents=True)
    write(tmp_path / "data" / "x" / "logs.csv", PLAYER_HEADER, PLAYER_ROWS)
    assert run_cli("import", "game-logs", "data/x/logs.csv").exit_code == 0
    before = raw_fingerprint(warehouse_path)
    assert run_cli("import", "game-logs", "data/x/../x/./logs.csv").exit_code == 0  # the same file: replaces
    assert raw_fingerprint(warehouse_path) == before
    assert query(warehouse_path, "select distinct _source from raw.player_game_logs") == [("./data/x/logs.csv",)]
    other = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    write(other, PLAYER_HEADER, [PLAYER_ROWS[1].replace(",2,Stephen Curry,", ",7,Someone Else,")])
    result = run_cli("import", "game-logs", "--root", tmp_path / "data", other)
    assert result.exit_code == 0 and str(other.resolve()) in result.output, result.output


def test_the_same_file_given_twice_in_one_import_is_refused_naming_both(tmp_path, warehouse_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "logs.csv", PLAYER_HEADER, PLAYER_ROWS)
    result = run_cli("import", "game-logs", "logs.csv", "./logs.csv")
    assert result.exit_code != 0
    assert "is the same file as logs.csv (key ./logs.csv)" in result.stderr, result.stderr
