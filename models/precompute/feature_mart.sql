-- The feature mart: one row per (player_id, game_id, market), training and scoring rows from the same SQL so
-- they can never skew. Rows: the player-games of feature_mart_player_games x the markets (seeds/markets.csv):
--   training  every competitive player-game he played x every market (line NULL when none); plus every final
--             game he had a pregame line for but did not play (did_play = false), in the markets with a line
--   scoring   every (player, game, market) with a pregame line for a game that is not final yet
-- Prop names that match no player are left out here and listed by monitoring.prop_player_names_unmatched.
-- Features (f_*, doubles, booleans as 0/1) come in the order of seeds/feature_definitions.csv, which defines
-- each one (tests/dbt/assert_feature_definitions_match_mart.sql keeps the two equal; append new features at
-- the end and bump var('feature_version')); every one is computed from data dated strictly before the game
-- (the caches use macros/rolling_window.sql). f_<name>_missing is true when the value is NULL or fell back (a
-- window with fewer games than its size); NULL is never replaced. quality_score = share of features not
-- missing.
-- Incremental by game_date, like player_daily_cache (the newest training date sets the lookback).
{{ config(**incremental_config(grain=['player_id', 'game_id', 'market'])) }}

-- depends_on: {{ ref('markets') }}
{%- set markets = prop_markets() %}

with

markets as (

    select market from {{ ref('markets') }}

),

player_games as (

    select * from {{ ref('feature_mart_player_games') }}

),

-- pregame consensus lines, attached to the player the prop name means in that game (the one with a row)
player_lines as (

    select
        player_games.player_id,
        lines.game_id,
        lines.market,
        lines.latest_line,
        lines.opening_line,
        lines.line_movement,
        lines.latest_books_offering,
        row_number() over (
            partition by lines.game_id, lines.player_lookup, lines.market
            order by case when player_games.is_played then 0 else 1 end, player_games.player_id
        ) as name_rank
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = lines.player_lookup
    inner join player_games
        on player_games.player_id = lookups.player_id
        and player_games.game_id = lines.game_id
    {% if is_incremental() %}
    -- only the games this run writes (whole games, so the ranking above sees every candidate)
    where lines.game_id in (
        select game_id
        from player_games
        where game_date >= {{ incremental_since(filter="row_kind = 'training'") }}
    )
    {% endif %}

),

lines as (

    select *
    from (
        select
            *,
            -- a player listed under two name keys in one game keeps the line most books offered
            row_number() over (
                partition by player_id, game_id, market
                order by latest_books_offering desc, latest_line
            ) as player_rank
        from player_lines
        where name_rank = 1
    ) as ranked
    where player_rank = 1

),

-- player x date: every input of his mart rows, joined once before the fan-out to markets: his windows and
-- box score in each market, his team's and his opponent's windows, the composite factors
player_dates as (

    select
        player_games.player_id,
        players.player_lookup,
        players.player_name,
        player_games.game_id,
        player_games.game_date,
        player_games.season,
        player_games.season_type,
        player_games.team,
        player_games.opponent,
        player_games.is_home,
        player_games.row_source,
        case when player_games.row_source = 'scheduled' then 'scoring' else 'training' end as row_kind,
        case
            when player_games.row_source = 'box_score' then true
            when player_games.row_source = 'dnp_with_line' then false
        end as did_play,
        {%- for market in markets %}
        box_scores.{{ market }} as box_score_{{ market }},
        cache.{{ market }}_avg_l5,
        cache.{{ market }}_games_l5,
        cache.{{ market }}_avg_l10,
        cache.{{ market }}_games_l10,
        cache.{{ market }}_avg_season,
        cache.{{ market }}_std_l10,
        cache.{{ market }}_per_minute_l10,
        opponent_team.{{ market }}_allowed_vs_league as opponent_{{ market }}_allowed_vs_league,
        opponent_team.{{ market }}_allowed_games_l15 as opponent_{{ market }}_allowed_games_l15,
        {%- endfor %}
        cache.minutes_avg_l5,
        cache.minutes_games_l5,
        cache.minutes_avg_l10,
        cache.minutes_games_l10,
        cache.minutes_avg_season,
        cache.usage_avg_l10,
        cache.usage_games_l10,
        cache.ts_pct_l10,
        cache.ts_games_l10,
        cache.games_played_season,
        cache.games_last_7d,
        cache.games_last_14d,
        cache.minutes_last_7d,
        cache.days_rest,
        cache.played_yesterday,
        cache.is_home as cache_is_home,
        cache.is_early_season,
        own_team.pace_l15 as team_pace_l15,
        own_team.pace_games_l15 as team_pace_games_l15,
        opponent_team.def_rating_l15 as opponent_def_rating_l15,
        opponent_team.def_rating_games_l15 as opponent_def_rating_games_l15,
        opponent_team.pace_l15 as opponent_pace_l15,
        opponent_team.pace_games_l15 as opponent_pace_games_l15,
        opponent_team.days_rest as opponent_days_rest,
        factors.pace_differential,
        factors.fatigue,
        factors.usage_spike,
        factors.rest_advantage
    from player_games
    inner join {{ ref('player_daily_cache') }} as cache
        on cache.player_id = player_games.player_id
        and cache.game_date = player_games.game_date
    inner join {{ ref('int_players') }} as players
        on players.player_id = player_games.player_id
    left join {{ ref('player_game_summary') }} as box_scores
        on box_scores.player_id = player_games.player_id
        and box_scores.game_id = player_games.game_id
    left join {{ ref('player_composite_factors') }} as factors
        on factors.player_id = player_games.player_id
        and factors.game_date = player_games.game_date
    left join {{ ref('team_defense_daily_cache') }} as own_team
        on own_team.team = player_games.team
        and own_team.game_date = player_games.game_date
    left join {{ ref('team_defense_daily_cache') }} as opponent_team
        on opponent_team.team = player_games.opponent
        and opponent_team.game_date = player_games.game_date
    {% if is_incremental() %}
    where player_games.game_date >= {{ incremental_since(filter="row_kind = 'training'") }}
    {% endif %}

),

-- the rows: every player-game x every market; DNPs and scheduled games only in the markets they have a line
-- for (lines only come in the markets of the seed: staging maps the feed's keys to them and drops the rest).
-- by_market(prefix, suffix) picks the row's market's column: case market when 'points' then points_avg_l5 ...
with_lines as (

    select
        player_dates.*,
        markets.market,
        lines.latest_line as line,
        lines.opening_line,
        lines.line_movement,
        lines.latest_books_offering as line_books,
        {{ by_market('player_dates.box_score_', '', 'markets.market') }} as box_score_stat,
        {{ by_market('player_dates.', '_avg_l5', 'markets.market') }} as stat_avg_l5,
        {{ by_market('player_dates.', '_games_l5', 'markets.market') }} as stat_games_l5,
        {{ by_market('player_dates.', '_avg_l10', 'markets.market') }} as stat_avg_l10,
        {{ by_market('player_dates.', '_games_l10', 'markets.market') }} as stat_games_l10,
        {{ by_market('player_dates.', '_avg_season', 'markets.market') }} as stat_avg_season,
        {{ by_market('player_dates.', '_std_l10', 'markets.market') }} as stat_std_l10,
        {{ by_market('player_dates.', '_per_minute_l10', 'markets.market') }} as stat_per_minute_l10,
        {{ by_market('player_dates.opponent_', '_allowed_vs_league', 'markets.market') }} as opponent_allowed_vs_league,
        {{ by_market('player_dates.opponent_', '_allowed_games_l15', 'markets.market') }} as opponent_allowed_games_l15
    from player_dates
    cross join markets
    left join lines
        on lines.player_id = player_dates.player_id
        and lines.game_id = player_dates.game_id
        and lines.market = markets.market
    where player_dates.row_source = 'box_score'
        or (player_dates.row_source <> 'box_score' and lines.player_id is not null)

),

-- each feature's value, and whether it is missing: NULL, or a window shorter than its size
with_features as (

    select
        player_id,
        player_lookup,
        player_name,
        game_id,
        game_date,
        season,
        season_type,
        market,
        team,
        opponent,
        is_home,
        row_kind,
        line,
        opening_line,
        line_movement,
        line is not null as has_line,
        line_books,
        case when row_source = 'box_score' then cast(box_score_stat as {{ type_double() }}) end as actual,
        did_play,

        cast(stat_avg_l5 as {{ type_double() }}) as f_stat_avg_l5,
        cast(stat_avg_l10 as {{ type_double() }}) as f_stat_avg_l10,
        cast(stat_avg_season as {{ type_double() }}) as f_stat_avg_season,
        cast(stat_std_l10 as {{ type_double() }}) as f_stat_std_l10,
        cast(stat_per_minute_l10 as {{ type_double() }}) as f_stat_per_minute_l10,
        cast(minutes_avg_l5 as {{ type_double() }}) as f_minutes_avg_l5,
        cast(minutes_avg_l10 as {{ type_double() }}) as f_minutes_avg_l10,
        cast(minutes_avg_season as {{ type_double() }}) as f_minutes_avg_season,
        cast(usage_avg_l10 as {{ type_double() }}) as f_usage_avg_l10,
        cast(ts_pct_l10 as {{ type_double() }}) as f_ts_avg_l10,
        cast(games_played_season as {{ type_double() }}) as f_games_played_season,
        cast(games_last_7d as {{ type_double() }}) as f_games_last_7d,
        cast(games_last_14d as {{ type_double() }}) as f_games_last_14d,
        cast(minutes_last_7d as {{ type_double() }}) as f_minutes_last_7d,
        cast(days_rest as {{ type_double() }}) as f_days_rest,
        cast(case when played_yesterday is null then null when played_yesterday then 1.0 else 0.0 end as {{ type_double() }}) as f_is_back_to_back,
        cast(case when cache_is_home is null then null when cache_is_home then 1.0 else 0.0 end as {{ type_double() }}) as f_is_home,
        cast(case when is_early_season is null then null when is_early_season then 1.0 else 0.0 end as {{ type_double() }}) as f_early_season,
        cast(team_pace_l15 as {{ type_double() }}) as f_team_pace_l15,
        cast(opponent_def_rating_l15 as {{ type_double() }}) as f_opp_def_rating_l15,
        cast(opponent_pace_l15 as {{ type_double() }}) as f_opp_pace_l15,
        cast(opponent_allowed_vs_league as {{ type_double() }}) as f_opp_allowed_stat_vs_league,
        cast(opponent_days_rest as {{ type_double() }}) as f_opp_days_rest,
        cast(pace_differential as {{ type_double() }}) as f_pace_differential,
        cast(fatigue as {{ type_double() }}) as f_fatigue,
        cast(usage_spike as {{ type_double() }}) as f_usage_spike,
        cast(rest_advantage as {{ type_double() }}) as f_rest_advantage,
        cast(line - stat_avg_l10 as {{ type_double() }}) as f_line_minus_avg_l10,

        case when stat_avg_l5 is null or stat_games_l5 < 5 then true else false end as f_stat_avg_l5_missing,
        case when stat_avg_l10 is null or stat_games_l10 < 10 then true else false end as f_stat_avg_l10_missing,
        case when stat_avg_season is null then true else false end as f_stat_avg_season_missing,
        case when stat_std_l10 is null or stat_games_l10 < 10 then true else false end as f_stat_std_l10_missing,
        case when stat_per_minute_l10 is null or stat_games_l10 < 10 then true else false end as f_stat_per_minute_l10_missing,
        case when minutes_avg_l5 is null or minutes_games_l5 < 5 then true else false end as f_minutes_avg_l5_missing,
        case when minutes_avg_l10 is null or minutes_games_l10 < 10 then true else false end as f_minutes_avg_l10_missing,
        case when minutes_avg_season is null then true else false end as f_minutes_avg_season_missing,
        case when usage_avg_l10 is null or usage_games_l10 < 10 then true else false end as f_usage_avg_l10_missing,
        case when ts_pct_l10 is null or ts_games_l10 < 10 then true else false end as f_ts_avg_l10_missing,
        case when games_played_season is null then true else false end as f_games_played_season_missing,
        case when games_last_7d is null then true else false end as f_games_last_7d_missing,
        case when games_last_14d is null then true else false end as f_games_last_14d_missing,
        case when minutes_last_7d is null then true else false end as f_minutes_last_7d_missing,
        case when days_rest is null then true else false end as f_days_rest_missing,
        case when played_yesterday is null then true else false end as f_is_back_to_back_missing,
        case when cache_is_home is null then true else false end as f_is_home_missing,
        case when is_early_season is null then true else false end as f_early_season_missing,
        case when team_pace_l15 is null or team_pace_games_l15 < 15 then true else false end as f_team_pace_l15_missing,
        case when opponent_def_rating_l15 is null or opponent_def_rating_games_l15 < 15 then true else false end as f_opp_def_rating_l15_missing,
        case when opponent_pace_l15 is null or opponent_pace_games_l15 < 15 then true else false end as f_opp_pace_l15_missing,
        case when opponent_allowed_vs_league is null or opponent_allowed_games_l15 < 15 then true else false end as f_opp_allowed_stat_vs_league_missing,
        case when opponent_days_rest is null then true else false end as f_opp_days_rest_missing,
        case
            when pace_differential is null or team_pace_games_l15 < 15 or opponent_pace_games_l15 < 15 then true
            else false
        end as f_pace_differential_missing,
        case when fatigue is null then true else false end as f_fatigue_missing,
        case when usage_spike is null then true else false end as f_usage_spike_missing,
        case when rest_advantage is null then true else false end as f_rest_advantage_missing,
        case when line - stat_avg_l10 is null or stat_games_l10 < 10 then true else false end as f_line_minus_avg_l10_missing
    from with_lines

)

select
    player_id,
    player_lookup,
    player_name,
    game_id,
    game_date,
    season,
    season_type,
    market,
    team,
    opponent,
    is_home,
    row_kind,
    line,
    opening_line,
    line_movement,
    has_line,
    line_books,
    actual,
    did_play,
    f_stat_avg_l5,
    f_stat_avg_l10,
    f_stat_avg_season,
    f_stat_std_l10,
    f_stat_per_minute_l10,
    f_minutes_avg_l5,
    f_minutes_avg_l10,
    f_minutes_avg_season,
    f_usage_avg_l10,
    f_ts_avg_l10,
    f_games_played_season,
    f_games_last_7d,
    f_games_last_14d,
    f_minutes_last_7d,
    f_days_rest,
    f_is_back_to_back,
    f_is_home,
    f_early_season,
    f_team_pace_l15,
    f_opp_def_rating_l15,
    f_opp_pace_l15,
    f_opp_allowed_stat_vs_league,
    f_opp_days_rest,
    f_pace_differential,
    f_fatigue,
    f_usage_spike,
    f_rest_advantage,
    f_line_minus_avg_l10,
    f_stat_avg_l5_missing,
    f_stat_avg_l10_missing,
    f_stat_avg_season_missing,
    f_stat_std_l10_missing,
    f_stat_per_minute_l10_missing,
    f_minutes_avg_l5_missing,
    f_minutes_avg_l10_missing,
    f_minutes_avg_season_missing,
    f_usage_avg_l10_missing,
    f_ts_avg_l10_missing,
    f_games_played_season_missing,
    f_games_last_7d_missing,
    f_games_last_14d_missing,
    f_minutes_last_7d_missing,
    f_days_rest_missing,
    f_is_back_to_back_missing,
    f_is_home_missing,
    f_early_season_missing,
    f_team_pace_l15_missing,
    f_opp_def_rating_l15_missing,
    f_opp_pace_l15_missing,
    f_opp_allowed_stat_vs_league_missing,
    f_opp_days_rest_missing,
    f_pace_differential_missing,
    f_fatigue_missing,
    f_usage_spike_missing,
    f_rest_advantage_missing,
    f_line_minus_avg_l10_missing,
    -- the share of the 28 features above that are not missing
    (
        case when f_stat_avg_l5_missing then 0 else 1 end
        + case when f_stat_avg_l10_missing then 0 else 1 end
        + case when f_stat_avg_season_missing then 0 else 1 end
        + case when f_stat_std_l10_missing then 0 else 1 end
        + case when f_stat_per_minute_l10_missing then 0 else 1 end
        + case when f_minutes_avg_l5_missing then 0 else 1 end
        + case when f_minutes_avg_l10_missing then 0 else 1 end
        + case when f_minutes_avg_season_missing then 0 else 1 end
        + case when f_usage_avg_l10_missing then 0 else 1 end
        + case when f_ts_avg_l10_missing then 0 else 1 end
        + case when f_games_played_season_missing then 0 else 1 end
        + case when f_games_last_7d_missing then 0 else 1 end
        + case when f_games_last_14d_missing then 0 else 1 end
        + case when f_minutes_last_7d_missing then 0 else 1 end
        + case when f_days_rest_missing then 0 else 1 end
        + case when f_is_back_to_back_missing then 0 else 1 end
        + case when f_is_home_missing then 0 else 1 end
        + case when f_early_season_missing then 0 else 1 end
        + case when f_team_pace_l15_missing then 0 else 1 end
        + case when f_opp_def_rating_l15_missing then 0 else 1 end
        + case when f_opp_pace_l15_missing then 0 else 1 end
        + case when f_opp_allowed_stat_vs_league_missing then 0 else 1 end
        + case when f_opp_days_rest_missing then 0 else 1 end
        + case when f_pace_differential_missing then 0 else 1 end
        + case when f_fatigue_missing then 0 else 1 end
        + case when f_usage_spike_missing then 0 else 1 end
        + case when f_rest_advantage_missing then 0 else 1 end
        + case when f_line_minus_avg_l10_missing then 0 else 1 end
    ) / 28.0 as quality_score,
    '{{ var("feature_version", "v1") }}' as feature_version
from with_features
