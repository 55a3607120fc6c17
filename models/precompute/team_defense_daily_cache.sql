-- Team x date: what was known about a team before that date's game, from box scores on EARLIER dates
-- (macros/rolling_window.sql): defensive rating and pace over its last 15 games, what it allowed per game in
-- points / rebounds / assists / threes / PRA over its last 15 games and that relative to the league average
-- (per team-game over the league's last 30 game dates), days of rest, and the calendar of its recent games
-- that player_composite_factors uses to find absent teammates. One row per game the team played
-- (team_offense_game_summary) or has scheduled (upcoming_team_game_context). Windows run across seasons;
-- a window with fewer games than its size is averaged over what it has (its *_games_* count says so).
-- Incremental by game_date, like player_daily_cache.
{{ config(**incremental_config(grain=['team', 'game_date'])) }}

{%- set allowed = prop_markets() %}

with

played_games as (

    select
        offense.team,
        offense.game_id,
        offense.game_date,
        offense.season,
        offense.season_type,
        offense.opponent,
        offense.is_home,
        true as is_played,
        1 as source_priority,
        cast(offense.pace as {{ type_double() }}) as pace,
        cast(defense.defensive_rating as {{ type_double() }}) as defensive_rating,
        cast(defense.points_allowed as {{ type_double() }}) as points_allowed,
        cast(defense.opponent_rebounds as {{ type_double() }}) as rebounds_allowed,
        cast(defense.opponent_assists as {{ type_double() }}) as assists_allowed,
        cast(defense.opponent_fg3m as {{ type_double() }}) as threes_allowed,
        cast(defense.points_allowed + defense.opponent_rebounds + defense.opponent_assists as {{ type_double() }}) as pra_allowed
    from {{ ref('team_offense_game_summary') }} as offense
    inner join {{ ref('team_defense_game_summary') }} as defense
        on defense.game_id = offense.game_id
        and defense.team = offense.team

),

scheduled_games as (

    select
        team,
        game_id,
        game_date,
        season,
        season_type,
        opponent,
        is_home,
        false as is_played,
        2 as source_priority,
        {% for column in ['pace', 'defensive_rating', 'points_allowed', 'rebounds_allowed', 'assists_allowed', 'threes_allowed', 'pra_allowed'] -%}
        cast(null as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ ref('upcoming_team_game_context') }}

),

-- one row per team per date (a box score beats a schedule row)
timeline as (

    select *
    from (
        select
            *,
            row_number() over (partition by team, game_date order by source_priority, game_id) as date_rank
        from (
            select * from played_games
            union all
            select * from scheduled_games
        ) as both_kinds
    ) as ranked
    where date_rank = 1

),

keyed as (

    select
        timeline.*,
        case when is_played then game_id end as played_game_id,
        case when is_played then game_date end as played_game_date,
        {{ rolling_window('count', "case when is_played then game_id end", ['team'], 'game_date', 'unbounded') }} as games_before
    from timeline

),

team_windows as (

    select
        keyed.*,
        {{ rolling_window('avg', 'defensive_rating', ['team'], 'games_before', 15, 'range') }} as def_rating_l15,
        {{ rolling_window('count', 'defensive_rating', ['team'], 'games_before', 15, 'range') }} as def_rating_games_l15,
        {{ rolling_window('avg', 'pace', ['team'], 'games_before', 15, 'range') }} as pace_l15,
        {{ rolling_window('count', 'pace', ['team'], 'games_before', 15, 'range') }} as pace_games_l15,
        {%- for stat in allowed %}
        {{ rolling_window('avg', stat ~ '_allowed', ['team'], 'games_before', 15, 'range') }} as {{ stat }}_allowed_l15,
        {{ rolling_window('count', stat ~ '_allowed', ['team'], 'games_before', 15, 'range') }} as {{ stat }}_allowed_games_l15,
        {%- endfor %}
        -- the team's calendar (played or scheduled) this season: rest before the game
        {{ rolling_window('max', 'game_date', ['team', 'season'], 'game_date', 'unbounded') }} as previous_game_date,
        -- its last 5 played games this season: who played in them (player_composite_factors, usage spike)
        {{ rolling_window('max', 'played_game_date', ['team', 'season'], 'game_date', 'unbounded') }} as last_played_date,
        {{ rolling_window('min', 'played_game_date', ['team', 'season'], 'games_before', 5, 'range') }} as rotation_window_start
    from keyed

),

-- the league per game date: totals and team-games for each stat, from played games only
league_dates as (

    select
        game_date,
        max(case when is_played then 1 else 0 end) = 1 as has_played_games,
        {%- for stat in allowed %}
        sum({{ stat }}_allowed) as {{ stat }}_total,
        count({{ stat }}_allowed) as {{ stat }}_team_games{{ ',' if not loop.last }}
        {%- endfor %}
    from timeline
    group by game_date

),

league_keyed as (

    select
        league_dates.*,
        {{ rolling_window('count', 'case when has_played_games then game_date end', [], 'game_date', 'unbounded') }} as dates_before
    from league_dates

),

league_windows as (

    select
        game_date,
        {%- for stat in allowed %}
        {{ safe_divide(
            rolling_window('sum', stat ~ '_total', [], 'dates_before', 30, 'range'),
            rolling_window('sum', stat ~ '_team_games', [], 'dates_before', 30, 'range')
        ) }} as league_{{ stat }}_per_team_game{{ ',' if not loop.last }}
        {%- endfor %}
    from league_keyed

)

select
    team_windows.team,
    team_windows.game_date,
    team_windows.game_id,
    team_windows.season,
    team_windows.season_type,
    team_windows.opponent,
    team_windows.is_home,
    team_windows.is_played,
    team_windows.games_before,
    team_windows.def_rating_l15,
    team_windows.def_rating_games_l15,
    team_windows.pace_l15,
    team_windows.pace_games_l15,
    {%- for stat in allowed %}
    team_windows.{{ stat }}_allowed_l15,
    team_windows.{{ stat }}_allowed_games_l15,
    league_windows.league_{{ stat }}_per_team_game,
    {{ safe_divide('team_windows.' ~ stat ~ '_allowed_l15', 'league_windows.league_' ~ stat ~ '_per_team_game') }} as {{ stat }}_allowed_vs_league,
    {%- endfor %}
    team_windows.previous_game_date,
    {{ days_since_previous_game('team_windows.previous_game_date', 'team_windows.game_date') }} as days_rest,
    team_windows.last_played_date,
    team_windows.rotation_window_start
from team_windows
inner join league_windows
    on league_windows.game_date = team_windows.game_date
{% if is_incremental() %}
where team_windows.game_date >= {{ incremental_since(filter='is_played') }}
{% endif %}
