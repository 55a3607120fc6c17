"""The engine's limit: the feature mart as ONE hand-written DuckDB query, to time the dbt phase-4 build against.

`make bench` reports the dbt build of the phase-4 chain (team_defense_daily_cache, player_daily_cache,
player_composite_factors, feature_mart) as a ratio of this query's time: what the layered, portable models
cost over what DuckDB itself needs on this machine (target: dbt <= 2x, issue 18).

The query reads the models' inputs (analytics.player_game_summary, team_offense/defense_game_summary, the two
upcoming_*_context tables, intermediate.int_prop_pregame_lines, int_player_lookups, int_players), applies the
same rules (macros/rolling_window.sql, composite_factors.sql, feature_mart.sql) and returns the same rows and
values as precompute.feature_mart; compare_with_mart checks that, so the ratio is like for like. It is what one
would write by hand for speed: windows sharing a PARTITION/ORDER, the last-5/10-game aggregates as one GROUP BY,
the usage-spike range join as an equality join, and only the cache columns the mart reads.

    python bench/engine_limit.py WAREHOUSE.duckdb [--runs 3] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

from nbacore.markets import MARKETS

# var('feature_version') in dbt_project.yml
FEATURE_VERSION = "v1"
# the mart's grain
KEY = ("player_id", "game_id", "market")

_FEATURES_TEMPLATE = (
    """
with

box_scores as (
    select
        player_id, game_id, game_date, season, season_type, team, opponent, is_home,
        cast(minutes as double) as minutes,
        cast(points as double) as points,
        cast(rebounds as double) as rebounds,
        cast(assists as double) as assists,
        cast(threes as double) as threes,
        cast(pra as double) as pra,
        cast(usage_rate as double) as usage_rate,
        cast(case when fga is not null and fta is not null then points end as double) as shooting_points,
        cast(fga + 0.44 * fta as double) as shooting_attempts
    from analytics.player_game_summary
),

game_sides as (
    select game_id, game_date, season, season_type, team, opponent, is_home
    from analytics.team_offense_game_summary
),

-- DNPs: prop name keys on final games whose candidate players all sat out (none of them has a box score)
dnp_lines as (
    select candidates.*
    from (
        select distinct
            lines.game_id, lines.player_lookup, lookups.player_id, games.game_date, games.season, games.season_type
        from intermediate.int_prop_pregame_lines as lines
        inner join game_sides as games on games.game_id = lines.game_id and games.is_home
        inner join intermediate.int_player_lookups as lookups on lookups.player_lookup = lines.player_lookup
    ) as candidates
    left join box_scores as played
        on played.game_id = candidates.game_id and played.player_id = candidates.player_id
    qualify count(played.player_id) over (partition by candidates.game_id, candidates.player_lookup) = 0
),

-- his team is the team of his previous game when it plays in this one; one candidate per name key
dnp_rows as (
    select
        dnp.player_id, dnp.game_id, dnp.game_date, dnp.season, dnp.season_type,
        sides.team, sides.opponent, sides.is_home
    from (
        select dnp_lines.*, previous.team as previous_team, previous.game_date as previous_game_date
        from dnp_lines
        left join box_scores as previous
            on previous.player_id = dnp_lines.player_id and previous.game_date < dnp_lines.game_date
        qualify row_number() over (
            partition by dnp_lines.game_id, dnp_lines.player_id order by previous.game_date desc
        ) = 1
    ) as dnp
    left join game_sides as sides on sides.game_id = dnp.game_id and sides.team = dnp.previous_team
    qualify row_number() over (
        partition by dnp.game_id, dnp.player_lookup
        order by case when sides.team is not null then 0 else 1 end, dnp.previous_game_date desc, dnp.player_id
    ) = 1
),

-- player x date: a box score beats a scheduled game beats a DNP
player_timeline as materialized (
    select
        *,
        row_source = 'box_score' as is_played,
        case when row_source = 'box_score' then game_id end as played_game_id,
        case when row_source = 'box_score' then game_date end as played_game_date
    from (
        select *, 'box_score' as row_source, 1 as source_priority from box_scores
        union all by name
        select player_id, game_id, game_date, season, season_type, team, opponent, is_home,
            'scheduled' as row_source, 2 as source_priority
        from analytics.upcoming_player_game_context
        where player_id is not null
        union all by name
        select *, 'dnp_with_line' as row_source, 3 as source_priority from dnp_rows
    )
    qualify row_number() over (partition by player_id, game_date order by source_priority, game_id) = 1
),

-- windows in calendar order: games played before the date (the key of the last-N windows), 7/14/1 days
player_by_date as materialized (
    select
        *,
        count(played_game_id) over (by_date rows between unbounded preceding and 1 preceding) as games_before,
        count(played_game_id) over last_7_days as games_last_7d,
        count(played_game_id) over (
            by_date range between interval 14 days preceding and interval 1 day preceding
        ) as games_last_14d,
        coalesce(sum(minutes) over last_7_days, 0) as minutes_last_7d,
        count(played_game_id) over (
            by_date range between interval 1 day preceding and interval 1 day preceding
        ) > 0 as played_yesterday
    from player_timeline
    window
        by_date as (partition by player_id order by game_date),
        last_7_days as (by_date range between interval 7 days preceding and interval 1 day preceding)
),

-- last 5 / 10 games played on earlier dates: a row with games_before = k sees the box scores with
-- games_before k-10 .. k-1, so each box score is counted towards the next 10 values of k. One GROUP BY
-- computes all ~45 of these aggregates in a pass; as framed window aggregates DuckDB evaluates them one
-- by one (about 6x slower here)
last_games as (
    select
        player_id,
        games_before + step as games_before,
        avg(points) filter (step <= 5) as points_avg_l5, count(points) filter (step <= 5) as points_games_l5,
        avg(points) as points_avg_l10, count(points) as points_games_l10, stddev_samp(points) as points_std_l10,
        sum(points) / nullif(sum(case when points is not null then minutes end), 0) as points_per_minute_l10,
        avg(rebounds) filter (step <= 5) as rebounds_avg_l5, count(rebounds) filter (step <= 5) as rebounds_games_l5,
        avg(rebounds) as rebounds_avg_l10, count(rebounds) as rebounds_games_l10, stddev_samp(rebounds) as rebounds_std_l10,
        sum(rebounds) / nullif(sum(case when rebounds is not null then minutes end), 0) as rebounds_per_minute_l10,
        avg(assists) filter (step <= 5) as assists_avg_l5, count(assists) filter (step <= 5) as assists_games_l5,
        avg(assists) as assists_avg_l10, count(assists) as assists_games_l10, stddev_samp(assists) as assists_std_l10,
        sum(assists) / nullif(sum(case when assists is not null then minutes end), 0) as assists_per_minute_l10,
        avg(threes) filter (step <= 5) as threes_avg_l5, count(threes) filter (step <= 5) as threes_games_l5,
        avg(threes) as threes_avg_l10, count(threes) as threes_games_l10, stddev_samp(threes) as threes_std_l10,
        sum(threes) / nullif(sum(case when threes is not null then minutes end), 0) as threes_per_minute_l10,
        avg(pra) filter (step <= 5) as pra_avg_l5, count(pra) filter (step <= 5) as pra_games_l5,
        avg(pra) as pra_avg_l10, count(pra) as pra_games_l10, stddev_samp(pra) as pra_std_l10,
        sum(pra) / nullif(sum(case when pra is not null then minutes end), 0) as pra_per_minute_l10,
        avg(minutes) filter (step <= 5) as minutes_avg_l5, count(minutes) filter (step <= 5) as minutes_games_l5,
        avg(minutes) as minutes_avg_l10, count(minutes) as minutes_games_l10,
        avg(usage_rate) as usage_avg_l10, count(usage_rate) as usage_games_l10,
        sum(shooting_points) / nullif(2 * sum(shooting_attempts), 0) as ts_pct_l10,
        count(shooting_attempts) as ts_games_l10
    from player_by_date, range(1, 11) as steps(step)
    where is_played
    group by all
),

-- plus the season so far
player_windows as materialized (
    select
        player_by_date.player_id, game_id, game_date, season, season_type, team, opponent, is_home, row_source,
        is_played, points, rebounds, assists, threes, pra,
        games_last_7d, games_last_14d, minutes_last_7d, played_yesterday,
        last_games.* exclude (player_id, games_before),
        avg(points) over season as points_avg_season,
        avg(rebounds) over season as rebounds_avg_season,
        avg(assists) over season as assists_avg_season,
        avg(threes) over season as threes_avg_season,
        avg(pra) over season as pra_avg_season,
        avg(minutes) over season as minutes_avg_season,
        count(played_game_id) over season as games_played_season,
        game_date - max(played_game_date) over season as days_rest
    from player_by_date
    left join last_games
        on last_games.player_id = player_by_date.player_id and last_games.games_before = player_by_date.games_before
    window season as (
        partition by player_by_date.player_id, season order by game_date rows between unbounded preceding and 1 preceding
    )
),

-- the league calendar: game dates of the season with a box score, before each date
league_calendar as (
    select
        game_date,
        count(case when has_games_played then game_date end) over (
            partition by season order by game_date rows between unbounded preceding and 1 preceding
        ) < 14 as is_early_season  -- var('early_season_game_dates', 14)
    from (
        select game_date, max(season) as season, bool_or(is_played) as has_games_played
        from player_timeline
        group by game_date
    )
),

-- team x date: box scores (offense + defense) beat scheduled games
team_timeline as materialized (
    select *, case when is_played then game_date end as played_game_date
    from (
        select
            offense.team, offense.game_id, offense.game_date, offense.season, offense.opponent,
            true as is_played, 1 as source_priority,
            cast(offense.pace as double) as pace,
            cast(defense.defensive_rating as double) as defensive_rating,
            cast(defense.points_allowed as double) as points_allowed,
            cast(defense.opponent_rebounds as double) as rebounds_allowed,
            cast(defense.opponent_assists as double) as assists_allowed,
            cast(defense.opponent_fg3m as double) as threes_allowed,
            cast(defense.points_allowed + defense.opponent_rebounds + defense.opponent_assists as double) as pra_allowed
        from analytics.team_offense_game_summary as offense
        inner join analytics.team_defense_game_summary as defense
            on defense.game_id = offense.game_id and defense.team = offense.team
        union all by name
        select team, game_id, game_date, season, opponent, false as is_played, 2 as source_priority
        from analytics.upcoming_team_game_context
    )
    qualify row_number() over (partition by team, game_date order by source_priority, game_id) = 1
),

team_by_date as (
    select
        *,
        count(played_game_date) over (
            partition by team order by game_date rows between unbounded preceding and 1 preceding
        ) as games_before,
        game_date - max(game_date) over team_season as days_rest,
        max(played_game_date) over team_season as last_played_date
    from team_timeline
    window team_season as (partition by team, season order by game_date rows between unbounded preceding and 1 preceding)
),

team_windows as (
    select
        team, game_date, days_rest, last_played_date,
        avg(defensive_rating) over l15 as def_rating_l15,
        count(defensive_rating) over l15 as def_rating_games_l15,
        avg(pace) over l15 as pace_l15,
        count(pace) over l15 as pace_games_l15,
        avg(points_allowed) over l15 as points_allowed_l15,
        count(points_allowed) over l15 as points_allowed_games_l15,
        avg(rebounds_allowed) over l15 as rebounds_allowed_l15,
        count(rebounds_allowed) over l15 as rebounds_allowed_games_l15,
        avg(assists_allowed) over l15 as assists_allowed_l15,
        count(assists_allowed) over l15 as assists_allowed_games_l15,
        avg(threes_allowed) over l15 as threes_allowed_l15,
        count(threes_allowed) over l15 as threes_allowed_games_l15,
        avg(pra_allowed) over l15 as pra_allowed_l15,
        count(pra_allowed) over l15 as pra_allowed_games_l15,
        min(played_game_date) over (
            partition by team, season order by games_before range between 5 preceding and 1 preceding
        ) as rotation_window_start
    from team_by_date
    window l15 as (partition by team order by games_before range between 15 preceding and 1 preceding)
),

-- the league per team-game over its last 30 game dates with box scores
league_windows as (
    select
        game_date,
        sum(points_total) over last_30 / nullif(sum(points_team_games) over last_30, 0) as league_points,
        sum(rebounds_total) over last_30 / nullif(sum(rebounds_team_games) over last_30, 0) as league_rebounds,
        sum(assists_total) over last_30 / nullif(sum(assists_team_games) over last_30, 0) as league_assists,
        sum(threes_total) over last_30 / nullif(sum(threes_team_games) over last_30, 0) as league_threes,
        sum(pra_total) over last_30 / nullif(sum(pra_team_games) over last_30, 0) as league_pra
    from (
        select
            *,
            count(case when has_played_games then game_date end) over (
                order by game_date rows between unbounded preceding and 1 preceding
            ) as dates_before
        from (
            select
                game_date,
                bool_or(is_played) as has_played_games,
                sum(points_allowed) as points_total, count(points_allowed) as points_team_games,
                sum(rebounds_allowed) as rebounds_total, count(rebounds_allowed) as rebounds_team_games,
                sum(assists_allowed) as assists_total, count(assists_allowed) as assists_team_games,
                sum(threes_allowed) as threes_total, count(threes_allowed) as threes_team_games,
                sum(pra_allowed) as pra_total, count(pra_allowed) as pra_team_games
            from team_timeline
            group by game_date
        )
    )
    window last_30 as (order by dates_before range between 30 preceding and 1 preceding)
),

team_dates as materialized (
    select
        team_windows.*,
        points_allowed_l15 / nullif(league_points, 0) as points_allowed_vs_league,
        rebounds_allowed_l15 / nullif(league_rebounds, 0) as rebounds_allowed_vs_league,
        assists_allowed_l15 / nullif(league_assists, 0) as assists_allowed_vs_league,
        threes_allowed_l15 / nullif(league_threes, 0) as threes_allowed_vs_league,
        pra_allowed_l15 / nullif(league_pra, 0) as pra_allowed_vs_league
    from team_windows
    inner join league_windows using (game_date)
),

-- usage spike: rotation players (>= 15 min over their last 10) who played for the team in its rotation window
-- [rotation_window_start, last_played_date) but not in its last game; each team-date's window is expanded to
-- its calendar days so the join with appearances is on equality
appearances as (
    select player_id, team, game_date, minutes_avg_l10
    from player_windows
    where is_played
),

rotation_days as (
    select
        team, game_date, last_played_date,
        unnest(range(rotation_window_start, last_played_date, interval 1 day))::date as appearance_date
    from team_dates
),

absent_teammates as materialized (
    select rotation_days.team, rotation_days.game_date, appearances.player_id, appearances.minutes_avg_l10
    from rotation_days
    inner join appearances
        on appearances.team = rotation_days.team and appearances.game_date = rotation_days.appearance_date
    anti join appearances as in_last_game
        on in_last_game.team = rotation_days.team
        and in_last_game.game_date = rotation_days.last_played_date
        and in_last_game.player_id = appearances.player_id
    qualify row_number() over (
        partition by rotation_days.team, rotation_days.game_date, appearances.player_id
        order by appearances.game_date desc
    ) = 1 and appearances.minutes_avg_l10 >= 15  -- var('rotation_minutes', 15)
),

vacated as (
    select team, game_date, sum(minutes_avg_l10) as absent_minutes
    from absent_teammates
    group by team, game_date
),

-- player x date: everything the mart reads, known before the date
player_dates as (
    select
        player_windows.*,
        players.player_lookup,
        players.player_name,
        league_calendar.is_early_season,
        own_team.pace_l15 as team_pace_l15,
        own_team.pace_games_l15 as team_pace_games_l15,
        opponent_team.def_rating_l15 as opp_def_rating_l15,
        opponent_team.def_rating_games_l15 as opp_def_rating_games_l15,
        opponent_team.pace_l15 as opp_pace_l15,
        opponent_team.pace_games_l15 as opp_pace_games_l15,
        opponent_team.days_rest as opp_days_rest,
        opponent_team.points_allowed_vs_league as opp_points_vs_league,
        opponent_team.points_allowed_games_l15 as opp_points_games_l15,
        opponent_team.rebounds_allowed_vs_league as opp_rebounds_vs_league,
        opponent_team.rebounds_allowed_games_l15 as opp_rebounds_games_l15,
        opponent_team.assists_allowed_vs_league as opp_assists_vs_league,
        opponent_team.assists_allowed_games_l15 as opp_assists_games_l15,
        opponent_team.threes_allowed_vs_league as opp_threes_vs_league,
        opponent_team.threes_allowed_games_l15 as opp_threes_games_l15,
        opponent_team.pra_allowed_vs_league as opp_pra_vs_league,
        opponent_team.pra_allowed_games_l15 as opp_pra_games_l15,
        minutes_last_7d / 144.0 + case when played_yesterday then 0.5 else 0.0 end as fatigue,
        opponent_team.pace_l15 - own_team.pace_l15 as pace_differential,
        -- least() skips NULLs, so a missing rest stays missing explicitly
        case when own_team.days_rest is not null and opponent_team.days_rest is not null then
            cast(least(own_team.days_rest, 4) - least(opponent_team.days_rest, 4) as double)
        end as rest_advantage,
        -- the player himself never counts in his own usage spike
        case when own_team.last_played_date is not null then
            (coalesce(vacated.absent_minutes, 0) - coalesce(himself.minutes_avg_l10, 0)) / 240.0
        end as usage_spike
    from player_windows
    inner join intermediate.int_players as players on players.player_id = player_windows.player_id
    inner join league_calendar on league_calendar.game_date = player_windows.game_date
    left join team_dates as own_team
        on own_team.team = player_windows.team and own_team.game_date = player_windows.game_date
    left join team_dates as opponent_team
        on opponent_team.team = player_windows.opponent and opponent_team.game_date = player_windows.game_date
    left join vacated
        on vacated.team = player_windows.team and vacated.game_date = player_windows.game_date
    left join absent_teammates as himself
        on himself.team = player_windows.team
        and himself.game_date = player_windows.game_date
        and himself.player_id = player_windows.player_id
),

-- pregame lines: a name key goes to the player who played (then the lowest id); a player under two name
-- keys keeps the line most books offered
lines as (
    select
        player_dates.player_id, lines.game_id, lines.market, lines.latest_line, lines.opening_line,
        lines.line_movement, lines.latest_books_offering
    from intermediate.int_prop_pregame_lines as lines
    inner join intermediate.int_player_lookups as lookups on lookups.player_lookup = lines.player_lookup
    inner join player_timeline as player_dates
        on player_dates.player_id = lookups.player_id and player_dates.game_id = lines.game_id
    qualify row_number() over (
        partition by lines.game_id, lines.player_lookup, lines.market
        order by case when player_dates.is_played then 0 else 1 end, player_dates.player_id
    ) = 1
),

best_lines as (
    select *
    from lines
    qualify row_number() over (
        partition by player_id, game_id, market order by latest_books_offering desc, latest_line
    ) = 1
),

-- every player-game x every market, and DNP / scheduled games only where a line exists
targets as (
    select player_dates.*, markets.market, best_lines.* exclude (player_id, game_id, market)
    from player_dates
    cross join (select market from reference.markets) as markets
    left join best_lines
        on best_lines.player_id = player_dates.player_id
        and best_lines.game_id = player_dates.game_id
        and best_lines.market = markets.market
    where player_dates.is_played or best_lines.player_id is not null
),

by_market as (
    select
        *,
{MARKET_COLUMNS}
    from targets
),

features as (
    select
        player_id, player_lookup, player_name, game_id, game_date, season, season_type, market, team, opponent,
        is_home,
        case when row_source = 'scheduled' then 'scoring' else 'training' end as row_kind,
        latest_line as line,
        opening_line,
        line_movement,
        latest_line is not null as has_line,
        latest_books_offering as line_books,
        case when is_played then stat end as actual,
        case row_source when 'box_score' then true when 'dnp_with_line' then false end as did_play,
        stat_avg_l5 as f_stat_avg_l5,
        stat_avg_l10 as f_stat_avg_l10,
        stat_avg_season as f_stat_avg_season,
        stat_std_l10 as f_stat_std_l10,
        stat_per_minute_l10 as f_stat_per_minute_l10,
        minutes_avg_l5 as f_minutes_avg_l5,
        minutes_avg_l10 as f_minutes_avg_l10,
        minutes_avg_season as f_minutes_avg_season,
        usage_avg_l10 as f_usage_avg_l10,
        ts_pct_l10 as f_ts_avg_l10,
        cast(games_played_season as double) as f_games_played_season,
        cast(games_last_7d as double) as f_games_last_7d,
        cast(games_last_14d as double) as f_games_last_14d,
        minutes_last_7d as f_minutes_last_7d,
        cast(days_rest as double) as f_days_rest,
        cast(played_yesterday as double) as f_is_back_to_back,
        cast(is_home as double) as f_is_home,
        cast(is_early_season as double) as f_early_season,
        team_pace_l15 as f_team_pace_l15,
        opp_def_rating_l15 as f_opp_def_rating_l15,
        opp_pace_l15 as f_opp_pace_l15,
        opp_allowed_vs_league as f_opp_allowed_stat_vs_league,
        cast(opp_days_rest as double) as f_opp_days_rest,
        pace_differential as f_pace_differential,
        fatigue as f_fatigue,
        usage_spike as f_usage_spike,
        rest_advantage as f_rest_advantage,
        latest_line - stat_avg_l10 as f_line_minus_avg_l10,
        -- missing: NULL, or a window short of its size (a NULL condition is not missing, as in the mart's CASE)
        coalesce(f_stat_avg_l5 is null or stat_games_l5 < 5, false) as f_stat_avg_l5_missing,
        coalesce(f_stat_avg_l10 is null or stat_games_l10 < 10, false) as f_stat_avg_l10_missing,
        f_stat_avg_season is null as f_stat_avg_season_missing,
        coalesce(f_stat_std_l10 is null or stat_games_l10 < 10, false) as f_stat_std_l10_missing,
        coalesce(f_stat_per_minute_l10 is null or stat_games_l10 < 10, false) as f_stat_per_minute_l10_missing,
        coalesce(f_minutes_avg_l5 is null or minutes_games_l5 < 5, false) as f_minutes_avg_l5_missing,
        coalesce(f_minutes_avg_l10 is null or minutes_games_l10 < 10, false) as f_minutes_avg_l10_missing,
        f_minutes_avg_season is null as f_minutes_avg_season_missing,
        coalesce(f_usage_avg_l10 is null or usage_games_l10 < 10, false) as f_usage_avg_l10_missing,
        coalesce(f_ts_avg_l10 is null or ts_games_l10 < 10, false) as f_ts_avg_l10_missing,
        f_games_played_season is null as f_games_played_season_missing,
        f_games_last_7d is null as f_games_last_7d_missing,
        f_games_last_14d is null as f_games_last_14d_missing,
        f_minutes_last_7d is null as f_minutes_last_7d_missing,
        f_days_rest is null as f_days_rest_missing,
        f_is_back_to_back is null as f_is_back_to_back_missing,
        f_is_home is null as f_is_home_missing,
        f_early_season is null as f_early_season_missing,
        coalesce(f_team_pace_l15 is null or team_pace_games_l15 < 15, false) as f_team_pace_l15_missing,
        coalesce(f_opp_def_rating_l15 is null or opp_def_rating_games_l15 < 15, false) as f_opp_def_rating_l15_missing,
        coalesce(f_opp_pace_l15 is null or opp_pace_games_l15 < 15, false) as f_opp_pace_l15_missing,
        coalesce(f_opp_allowed_stat_vs_league is null or opp_allowed_games_l15 < 15, false)
            as f_opp_allowed_stat_vs_league_missing,
        f_opp_days_rest is null as f_opp_days_rest_missing,
        coalesce(f_pace_differential is null or team_pace_games_l15 < 15 or opp_pace_games_l15 < 15, false)
            as f_pace_differential_missing,
        f_fatigue is null as f_fatigue_missing,
        f_usage_spike is null as f_usage_spike_missing,
        f_rest_advantage is null as f_rest_advantage_missing,
        coalesce(f_line_minus_avg_l10 is null or stat_games_l10 < 10, false) as f_line_minus_avg_l10_missing
    from by_market
)

select
    *,
    (
        28 - (f_stat_avg_l5_missing::int + f_stat_avg_l10_missing::int + f_stat_avg_season_missing::int
        + f_stat_std_l10_missing::int + f_stat_per_minute_l10_missing::int + f_minutes_avg_l5_missing::int
        + f_minutes_avg_l10_missing::int + f_minutes_avg_season_missing::int + f_usage_avg_l10_missing::int
        + f_ts_avg_l10_missing::int + f_games_played_season_missing::int + f_games_last_7d_missing::int
        + f_games_last_14d_missing::int + f_minutes_last_7d_missing::int + f_days_rest_missing::int
        + f_is_back_to_back_missing::int + f_is_home_missing::int + f_early_season_missing::int
        + f_team_pace_l15_missing::int + f_opp_def_rating_l15_missing::int + f_opp_pace_l15_missing::int
        + f_opp_allowed_stat_vs_league_missing::int + f_opp_days_rest_missing::int
        + f_pace_differential_missing::int + f_fatigue_missing::int + f_usage_spike_missing::int
        + f_rest_advantage_missing::int + f_line_minus_avg_l10_missing::int)
    ) / 28.0 as quality_score,
    '"""
    + FEATURE_VERSION
    + """' as feature_version
from features
"""
)


# The mart's per-market columns: the row's market picks its stat's column, e.g. stat_avg_l5 = points_avg_l5 on
# a points row (written out per market in the query, generated here once).
MARKET_COLUMNS = (
    ("stat", "{market}"),
    ("stat_avg_l5", "{market}_avg_l5"),
    ("stat_games_l5", "{market}_games_l5"),
    ("stat_avg_l10", "{market}_avg_l10"),
    ("stat_games_l10", "{market}_games_l10"),
    ("stat_avg_season", "{market}_avg_season"),
    ("stat_std_l10", "{market}_std_l10"),
    ("stat_per_minute_l10", "{market}_per_minute_l10"),
    ("opp_allowed_vs_league", "opp_{market}_vs_league"),
    ("opp_allowed_games_l15", "opp_{market}_games_l15"),
)


def _market_columns() -> str:
    cases = []
    for alias, pattern in MARKET_COLUMNS:
        whens = " ".join(f"when '{m}' then {pattern.format(market=m)}" for m in MARKETS)
        cases.append(f"        case market {whens} end as {alias}")
    return ",\n".join(cases)


HANDWRITTEN_FEATURES_SQL = _FEATURES_TEMPLATE.replace("{MARKET_COLUMNS}", _market_columns())


def _connect(duckdb_path: str | Path) -> duckdb.DuckDBPyConnection:
    """Read-only, so timing can never touch the warehouse; no progress bar in the benchmark's output."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    con.execute("set enable_progress_bar = false")
    return con


def _materialise(con: duckdb.DuckDBPyConnection) -> float:
    """Build the hand-written features as a temp table (fully computed, like dbt writing a table); seconds."""
    con.execute("drop table if exists handwritten_features")
    started = time.perf_counter()
    con.execute("create temp table handwritten_features as " + HANDWRITTEN_FEATURES_SQL)
    return time.perf_counter() - started


def time_handwritten(duckdb_path: str | Path, runs: int = 3) -> float:
    """Best of `runs` builds of the hand-written query on a read-only connection: the engine's own time."""
    with _connect(duckdb_path) as con:
        return min(_materialise(con) for _ in range(runs))


MART = "precompute.feature_mart"
HAND = "handwritten_features"
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def _differs(column: str, data_type: str, tolerance: float) -> str:
    """SQL, true when the mart and hand-written values of a column differ (floats: beyond a relative tolerance)."""
    mart, hand = f"mart.{column}", f"hand.{column}"
    if data_type in FLOAT_TYPES:
        return (
            f"(({mart} is null) <> ({hand} is null) "
            f"or abs({mart} - {hand}) > {tolerance} * greatest(1.0, abs({mart}), abs({hand})))"
        )
    return f"({mart} is distinct from {hand})"


def _row_counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    return {
        f"{market}/{kind}": n
        for market, kind, n in con.execute(
            f"select market, row_kind, count(*) from {table} group by all order by all"
        ).fetchall()
    }


def _missing_keys(con: duckdb.DuckDBPyConnection, table: str, other: str, examples: int) -> dict:
    """Keys of `table` that `other` lacks: how many, and a few of them."""
    keys = ", ".join(KEY)
    missing = f"select {keys}, row_kind from {table} as a anti join {other} as b using ({keys})"
    (count,) = con.execute(f"select count(*) from ({missing})").fetchone()
    return {"count": count, "examples": con.execute(f"{missing} order by all limit {examples}").fetchall()}


def compare_with_mart(
    duckdb_path: str | Path, sample: int | None = None, tolerance: float = 1e-9, examples: int = 3
) -> dict:
    """Check the hand-written rows equal precompute.feature_mart, so the timing ratio is like for like: row
    counts per market and row kind, the same (player_id, game_id, market) keys once each, and every column
    equal (floats within `tolerance`, relative) on all rows or on `sample` random rows. `ok` is true only when
    nothing differs; mismatches come with example keys and both values."""
    with _connect(duckdb_path) as con:
        _materialise(con)
        return _compare(con, sample, tolerance, examples)


def _compare(con: duckdb.DuckDBPyConnection, sample: int | None, tolerance: float, examples: int) -> dict:
    """compare_with_mart on a connection that already holds the handwritten_features table."""
    keys = ", ".join(KEY)
    mart_types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'precompute' and table_name = 'feature_mart' order by ordinal_position"
        ).fetchall()
    )
    hand_columns = [row[0] for row in con.execute(f"describe {HAND}").fetchall()]
    duplicate_keys = {
        side: con.execute(
            f"select count(*) from (select {keys} from {table} group by all having count(*) > 1)"
        ).fetchone()[0]
        for side, table in (("mart", MART), ("handwritten", HAND))
    }
    compared = [c for c in mart_types if c in hand_columns and c not in KEY]
    floats = [c for c in compared if mart_types[c] in FLOAT_TYPES]
    hand_rows = HAND if sample is None else f"(select * from {HAND} using sample {int(sample)} rows)"
    con.execute(f"""
        create or replace temp table differences as
        select {keys}, {", ".join(f'{_differs(c, mart_types[c], tolerance)} as "{c}"' for c in compared)},
            {", ".join(f'abs(mart.{c} - hand.{c}) / greatest(1.0, abs(mart.{c})) as "{c}__relative"' for c in floats)}
        from {MART} as mart
        inner join {hand_rows} as hand using ({keys})""")
    totals = con.execute(
        "select count(*), "
        + ", ".join(f'count(*) filter ("{c}")' for c in compared)
        + ", "
        + ", ".join(f'max("{c}__relative")' for c in floats)
        + " from differences"
    ).fetchone()
    rows_compared, counts, largest = totals[0], totals[1 : len(compared) + 1], totals[len(compared) + 1 :]
    mismatches = {
        column: {
            "count": n,
            "examples": con.execute(f"""
            select {keys}, mart.{column} as mart_value, hand.{column} as handwritten_value
            from differences
            inner join {MART} as mart using ({keys})
            inner join {HAND} as hand using ({keys})
            where differences."{column}"
            order by all limit {examples}""").fetchall(),
        }
        for column, n in zip(compared, counts)
        if n
    }
    result = {
        "rows": {"mart": _row_counts(con, MART), "handwritten": _row_counts(con, HAND)},
        "duplicate_keys": duplicate_keys,
        "only_in_mart": _missing_keys(con, MART, HAND, examples),
        "only_in_handwritten": _missing_keys(con, HAND, MART, examples),
        "columns_missing_in_handwritten": [c for c in mart_types if c not in hand_columns],
        "columns_extra_in_handwritten": [c for c in hand_columns if c not in mart_types],
        "columns_compared": len(compared),
        "rows_compared": rows_compared,
        "tolerance": tolerance,
        "largest_float_difference": max((x for x in largest if x is not None), default=0.0),
        "mismatches": mismatches,
    }
    result["ok"] = (
        result["rows"]["mart"] == result["rows"]["handwritten"]
        and not any(duplicate_keys.values())
        and not result["only_in_mart"]["count"]
        and not result["only_in_handwritten"]["count"]
        and not result["columns_missing_in_handwritten"]
        and not result["columns_extra_in_handwritten"]
        and not mismatches
    )
    return result


def format_comparison(result: dict) -> str:
    """The comparison as a few lines a benchmark can print."""
    lines = [
        f"like for like: {'yes' if result['ok'] else 'NO'} "
        f"({result['rows_compared']} rows x {result['columns_compared']} columns compared; "
        f"largest float difference {result['largest_float_difference']:.1e}, tolerance {result['tolerance']:g})"
    ]
    for key in sorted(set(result["rows"]["mart"]) | set(result["rows"]["handwritten"])):
        mart, hand = result["rows"]["mart"].get(key, 0), result["rows"]["handwritten"].get(key, 0)
        lines.append(f"  rows {key:<20} mart {mart:>9}  handwritten {hand:>9}{'' if mart == hand else '  <-- differ'}")
    for side in ("only_in_mart", "only_in_handwritten"):
        if result[side]["count"]:
            lines.append(f"  {side}: {result[side]['count']} keys, e.g. {result[side]['examples']}")
    for side, n in result["duplicate_keys"].items():
        if n:
            lines.append(f"  {side}: {n} duplicated (player_id, game_id, market) keys")
    for what in ("columns_missing_in_handwritten", "columns_extra_in_handwritten"):
        if result[what]:
            lines.append(f"  {what.replace('_', ' ')}: {result[what]}")
    for column, info in result["mismatches"].items():
        lines.append(f"  MISMATCH {column}: {info['count']} rows, e.g. {info['examples']}")
    return "\n".join(lines)


def summary(seconds: float, runs: int, result: dict) -> dict:
    """One JSON-able object for bench/bench.py: the time, and whether (and where) the rows differ from the mart."""
    return {
        "ok": result["ok"],
        "seconds": round(seconds, 3),
        "runs": runs,
        "matches": result["ok"],
        "rows": sum(result["rows"]["handwritten"].values()),
        "rows_compared": result["rows_compared"],
        "columns_compared": result["columns_compared"],
        "largest_float_difference": result["largest_float_difference"],
        "only_in_mart": result["only_in_mart"]["count"],
        "only_in_handwritten": result["only_in_handwritten"]["count"],
        "mismatched_columns": {column: info["count"] for column, info in result["mismatches"].items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", help="a built warehouse (opened read-only)")
    parser.add_argument("--runs", type=int, default=3, help="time the best of this many builds")
    parser.add_argument(
        "--sample", type=int, default=None, help="compare values on this many random rows (default all)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (bench/bench.py reads it)")
    args = parser.parse_args(argv)
    # one connection: the last timed build is the table compared
    with _connect(args.warehouse) as con:
        seconds = min(_materialise(con) for _ in range(args.runs))
        result = _compare(con, args.sample, tolerance=1e-9, examples=3)
    if args.json:
        print(format_comparison(result), file=sys.stderr)
        print(json.dumps(summary(seconds, args.runs, result)))
        return 0
    print(f"hand-written feature query: {seconds:.3f}s (best of {args.runs})")
    print(format_comparison(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
