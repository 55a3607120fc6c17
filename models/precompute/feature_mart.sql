-- The feature mart: one row per (player_id, game_id, market), training and scoring rows from the same SQL so
-- they can never skew. Rows:
--   training  every competitive player-game in player_game_summary x the 5 markets (line NULL when none);
--             plus every final game a player had a pregame line for but did not play (did_play = false)
--   scoring   every (player, game, market) with a pregame line for a game that is not final yet
-- Prop names that match no player are left out here and listed by monitoring.prop_player_names_unmatched.
-- Features (f_*, doubles, booleans as 0/1) come in the canonical order of macros/feature_mart.sql, each
-- defined in seeds/feature_definitions.csv and _precompute__models.yml; every one is computed from data
-- dated strictly before the game (the caches use macros/rolling_window.sql). f_<name>_missing is true when
-- the value is NULL or fell back (a window with fewer games than its size); NULL is never replaced.
-- quality_score = share of features not missing.
-- Incremental by game_date, like player_daily_cache (the newest training date sets the lookback).
{{ config(**incremental_config(grain=['player_id', 'game_id', 'market'])) }}

{%- set markets = prop_markets() %}

{#- value and missing expression per feature. Features of the row's market are computed after the fan-out to
    markets, over the columns of player_dates (per_market); the others once per player-date, over its joined
    inputs (cache, own_team, opponent_team, factors). -#}
{%- set features = {
    'f_stat_avg_l5': {
        'per_market': true,
        'value': by_market('', '_avg_l5'),
        'missing': '(' ~ by_market('', '_games_l5') ~ ') < 5'},
    'f_stat_avg_l10': {
        'per_market': true,
        'value': by_market('', '_avg_l10'),
        'missing': '(' ~ by_market('', '_games_l10') ~ ') < 10'},
    'f_stat_avg_season': {
        'per_market': true,
        'value': by_market('', '_avg_season'),
        'missing': none},
    'f_stat_std_l10': {
        'per_market': true,
        'value': by_market('', '_std_l10'),
        'missing': '(' ~ by_market('', '_games_l10') ~ ') < 10'},
    'f_stat_per_minute_l10': {
        'per_market': true,
        'value': by_market('', '_per_minute_l10'),
        'missing': '(' ~ by_market('', '_games_l10') ~ ') < 10'},
    'f_minutes_avg_l5': {'value': 'cache.minutes_avg_l5', 'missing': 'cache.minutes_games_l5 < 5'},
    'f_minutes_avg_l10': {'value': 'cache.minutes_avg_l10', 'missing': 'cache.minutes_games_l10 < 10'},
    'f_minutes_avg_season': {'value': 'cache.minutes_avg_season', 'missing': none},
    'f_usage_avg_l10': {'value': 'cache.usage_avg_l10', 'missing': 'cache.usage_games_l10 < 10'},
    'f_ts_avg_l10': {'value': 'cache.ts_pct_l10', 'missing': 'cache.ts_games_l10 < 10'},
    'f_games_played_season': {'value': 'cache.games_played_season', 'missing': none},
    'f_games_last_7d': {'value': 'cache.games_last_7d', 'missing': none},
    'f_games_last_14d': {'value': 'cache.games_last_14d', 'missing': none},
    'f_minutes_last_7d': {'value': 'cache.minutes_last_7d', 'missing': none},
    'f_days_rest': {'value': 'cache.days_rest', 'missing': none},
    'f_is_back_to_back': {'value': bool_to_double('cache.played_yesterday'), 'missing': none},
    'f_is_home': {'value': bool_to_double('cache.is_home'), 'missing': none},
    'f_early_season': {'value': bool_to_double('cache.is_early_season'), 'missing': none},
    'f_team_pace_l15': {'value': 'own_team.pace_l15', 'missing': 'own_team.pace_games_l15 < 15'},
    'f_opp_def_rating_l15': {'value': 'opponent_team.def_rating_l15', 'missing': 'opponent_team.def_rating_games_l15 < 15'},
    'f_opp_pace_l15': {'value': 'opponent_team.pace_l15', 'missing': 'opponent_team.pace_games_l15 < 15'},
    'f_opp_allowed_stat_vs_league': {
        'per_market': true,
        'value': by_market('opponent_', '_allowed_vs_league'),
        'missing': '(' ~ by_market('opponent_', '_allowed_games_l15') ~ ') < 15'},
    'f_opp_days_rest': {'value': 'opponent_team.days_rest', 'missing': none},
    'f_pace_differential': {
        'value': 'factors.pace_differential',
        'missing': 'own_team.pace_games_l15 < 15 or opponent_team.pace_games_l15 < 15'},
    'f_fatigue': {'value': 'factors.fatigue', 'missing': none},
    'f_usage_spike': {'value': 'factors.usage_spike', 'missing': none},
    'f_rest_advantage': {'value': 'factors.rest_advantage', 'missing': none},
    'f_line_minus_avg_l10': {
        'per_market': true,
        'value': 'line - (' ~ by_market('', '_avg_l10') ~ ')',
        'missing': '(' ~ by_market('', '_games_l10') ~ ') < 10'},
} %}

{%- set names = feature_names() %}
{%- if names | sort != features.keys() | list | sort %}
    {{ exceptions.raise_compiler_error("feature_mart: the features defined here and macros/feature_mart.sql feature_names() differ; keep them identical") }}
{%- endif %}
{#- the features computed once per player-date, and those of the row's market -#}
{%- set player_date_names = [] %}
{%- set market_names = [] %}
{%- for name in names %}
    {%- do (market_names if features[name].get('per_market') else player_date_names).append(name) %}
{%- endfor %}

with

markets as (

    {% for market in markets -%}
    select '{{ market }}' as market
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

),

cache as (

    select * from {{ ref('player_daily_cache') }}

),

-- which player has a cache row for which game (the narrow slice the line matching needs)
player_games as (

    select player_id, game_id, game_date, is_played from {{ ref('player_daily_cache') }}

),

-- pregame consensus lines, attached to the player the prop name means in that game (the one with a cache row)
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

-- player x date: every input of his mart rows, joined once before the fan-out to markets, and the features
-- that do not depend on the market
player_dates as (

    select
        cache.player_id,
        players.player_lookup,
        players.player_name,
        cache.game_id,
        cache.game_date,
        cache.season,
        cache.season_type,
        cache.team,
        cache.opponent,
        cache.is_home,
        cache.row_source,
        case when cache.row_source = 'scheduled' then 'scoring' else 'training' end as row_kind,
        case
            when cache.row_source = 'box_score' then true
            when cache.row_source = 'dnp_with_line' then false
        end as did_play,
        {%- for market in markets %}
        box_scores.{{ market }} as box_score_{{ market }},
        {%- for suffix in ['_avg_l5', '_games_l5', '_avg_l10', '_games_l10', '_avg_season', '_std_l10', '_per_minute_l10'] %}
        cache.{{ market }}{{ suffix }},
        {%- endfor %}
        opponent_team.{{ market }}_allowed_vs_league as opponent_{{ market }}_allowed_vs_league,
        opponent_team.{{ market }}_allowed_games_l15 as opponent_{{ market }}_allowed_games_l15,
        {%- endfor %}
        {%- for name in player_date_names %}
        cast({{ features[name]['value'] }} as {{ type_double() }}) as {{ name }},
        {%- endfor %}
        {%- for name in player_date_names %}
        {{ feature_is_missing(features[name]['value'], features[name]['missing']) }} as {{ name }}_missing,
        {%- endfor %}
        -- how many of these features are not missing (quality_score adds those of the market)
        (
            {%- for name in player_date_names %}
            case when {{ feature_is_missing(features[name]['value'], features[name]['missing']) }} then 0 else 1 end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) as player_date_features_present
    from cache
    inner join {{ ref('int_players') }} as players
        on players.player_id = cache.player_id
    left join {{ ref('player_game_summary') }} as box_scores
        on box_scores.player_id = cache.player_id
        and box_scores.game_id = cache.game_id
    left join {{ ref('player_composite_factors') }} as factors
        on factors.player_id = cache.player_id
        and factors.game_date = cache.game_date
    left join {{ ref('team_defense_daily_cache') }} as own_team
        on own_team.team = cache.team
        and own_team.game_date = cache.game_date
    left join {{ ref('team_defense_daily_cache') }} as opponent_team
        on opponent_team.team = cache.opponent
        and opponent_team.game_date = cache.game_date
    {% if is_incremental() %}
    where cache.game_date >= {{ incremental_since(filter="row_kind = 'training'") }}
    {% endif %}

),

-- the rows: every player-game x every market; DNPs and scheduled games only in the markets they have a line
-- for (lines only come in the five markets: staging maps the feed's keys to them and drops the rest)
with_lines as (

    select
        player_dates.*,
        markets.market,
        lines.latest_line as line,
        lines.opening_line,
        lines.line_movement,
        lines.latest_books_offering as line_books
    from player_dates
    cross join markets
    left join lines
        on lines.player_id = player_dates.player_id
        and lines.game_id = player_dates.game_id
        and lines.market = markets.market
    where player_dates.row_source = 'box_score'
        or (player_dates.row_source <> 'box_score' and lines.player_id is not null)

),

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
        case
            when row_source = 'box_score' then cast({{ by_market('box_score_', '') }} as {{ type_double() }})
        end as actual,
        did_play,
        {%- for name in names %}
        {%- if name in market_names %}
        cast({{ features[name]['value'] }} as {{ type_double() }}) as {{ name }},
        {%- else %}
        {{ name }},
        {%- endif %}
        {%- endfor %}
        {%- for name in names %}
        {%- if name in market_names %}
        {{ feature_is_missing(features[name]['value'], features[name]['missing']) }} as {{ name }}_missing,
        {%- else %}
        {{ name }}_missing,
        {%- endif %}
        {%- endfor %}
        player_date_features_present
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
    {%- for name in names %}
    {{ name }},
    {%- endfor %}
    {%- for name in names %}
    {{ name }}_missing,
    {%- endfor %}
    (
        player_date_features_present
        {%- for name in market_names %}
        + case when {{ name }}_missing then 0 else 1 end
        {%- endfor %}
    ) / {{ names | length }}.0 as quality_score,
    '{{ var("feature_version", "v1") }}' as feature_version
from with_features
