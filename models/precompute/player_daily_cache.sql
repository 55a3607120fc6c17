-- Player x date: what was known about the player before that date's game, from his own box scores.
-- One row per date the player has a game to predict: every game he played (player_game_summary), every
-- scheduled game he is expected in (upcoming_player_game_context) and every final game he had a prop line
-- for but did not play (a DNP). Every rolling column comes from macros/rolling_window.sql and so sees only
-- his games on EARLIER dates: last 5 / last 10 games (across seasons), the season so far, the last 7 / 14
-- calendar days; plus the league-wide early-season flag. A window with fewer games than its size is averaged
-- over what it has and counted in *_games_* columns (the feature mart flags it); NULL when it has none.
-- Incremental by game_date (macros/incremental_config.sql): a run recomputes the windows over the whole
-- history and writes the dates from incremental_lookback_days before the newest box score onwards.
{{ config(**incremental_config(grain=['player_id', 'game_date'])) }}

{%- set stats = ['points', 'rebounds', 'assists', 'threes', 'pra', 'minutes'] %}

with

player_games as (

    select * from {{ ref('player_game_summary') }}

),

final_games as (

    -- one row per final game (the home side), for the game's date, season and teams
    select game_id, game_date, season, season_type, team as home_team, opponent as away_team
    from {{ ref('team_offense_game_summary') }}
    where is_home

),

final_game_sides as (

    select game_id, team, opponent, is_home
    from {{ ref('team_offense_game_summary') }}

),

-- prop lines on final games, per (game, prop name key): the players the name key can mean
final_game_line_candidates as (

    select distinct
        lines.game_id,
        lines.player_lookup,
        lookups.player_id
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join final_games
        on final_games.game_id = lines.game_id
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = lines.player_lookup

),

-- name keys that already belong to a player who played in that game: those lines are his
lines_of_players_who_played as (

    select distinct candidates.game_id, candidates.player_lookup
    from final_game_line_candidates as candidates
    inner join player_games
        on player_games.game_id = candidates.game_id
        and player_games.player_id = candidates.player_id

),

-- the rest are DNPs
dnp_lines as (

    select candidates.*
    from final_game_line_candidates as candidates
    left join lines_of_players_who_played as taken
        on taken.game_id = candidates.game_id
        and taken.player_lookup = candidates.player_lookup
    where taken.game_id is null

),

-- a DNP's team is the team of his previous game, when it plays in this one
dnp_candidates as (

    select
        dnp_lines.game_id,
        dnp_lines.player_lookup,
        dnp_lines.player_id,
        final_games.game_date,
        previous_games.team as previous_team,
        previous_games.game_date as previous_game_date,
        row_number() over (
            partition by dnp_lines.game_id, dnp_lines.player_id
            order by previous_games.game_date desc
        ) as previous_rank
    from dnp_lines
    inner join final_games
        on final_games.game_id = dnp_lines.game_id
    left join player_games as previous_games
        on previous_games.player_id = dnp_lines.player_id
        and previous_games.game_date < final_games.game_date

),

dnp_ranked as (

    select
        dnp_candidates.game_id,
        dnp_candidates.player_id,
        sides.team,
        sides.opponent,
        sides.is_home,
        row_number() over (
            partition by dnp_candidates.game_id, dnp_candidates.player_lookup
            order by
                case when sides.team is not null then 0 else 1 end,
                dnp_candidates.previous_game_date desc,
                dnp_candidates.player_id
        ) as candidate_rank
    from dnp_candidates
    left join final_game_sides as sides
        on sides.game_id = dnp_candidates.game_id
        and sides.team = dnp_candidates.previous_team
    where dnp_candidates.previous_rank = 1

),

timeline_rows as (

    select
        player_id,
        game_id,
        game_date,
        season,
        season_type,
        team,
        opponent,
        is_home,
        true as is_played,
        'box_score' as row_source,
        1 as source_priority,
        cast(minutes as {{ type_double() }}) as minutes,
        cast(points as {{ type_double() }}) as points,
        cast(rebounds as {{ type_double() }}) as rebounds,
        cast(assists as {{ type_double() }}) as assists,
        cast(threes as {{ type_double() }}) as threes,
        cast(pra as {{ type_double() }}) as pra,
        cast(usage_rate as {{ type_double() }}) as usage_rate,
        -- true shooting over a window is pooled: its points over 2 x its (FGA + 0.44 FTA), games with shot counts only
        cast(case when fga is not null and fta is not null then points end as {{ type_double() }}) as shooting_points,
        cast(fga + 0.44 * fta as {{ type_double() }}) as shooting_attempts
    from player_games

    union all

    select
        upcoming.player_id,
        upcoming.game_id,
        upcoming.game_date,
        upcoming.season,
        upcoming.season_type,
        upcoming.team,
        upcoming.opponent,
        upcoming.is_home,
        false as is_played,
        'scheduled' as row_source,
        2 as source_priority,
        {% for column in ['minutes', 'points', 'rebounds', 'assists', 'threes', 'pra', 'usage_rate', 'shooting_points', 'shooting_attempts'] -%}
        cast(null as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ ref('upcoming_player_game_context') }} as upcoming
    where upcoming.player_id is not null

    union all

    select
        dnp_ranked.player_id,
        dnp_ranked.game_id,
        final_games.game_date,
        final_games.season,
        final_games.season_type,
        dnp_ranked.team,
        dnp_ranked.opponent,
        dnp_ranked.is_home,
        false as is_played,
        'dnp_with_line' as row_source,
        3 as source_priority,
        {% for column in ['minutes', 'points', 'rebounds', 'assists', 'threes', 'pra', 'usage_rate', 'shooting_points', 'shooting_attempts'] -%}
        cast(null as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from dnp_ranked
    inner join final_games
        on final_games.game_id = dnp_ranked.game_id
    where dnp_ranked.candidate_rank = 1

),

-- one row per player per date (a player has at most one game a day; a box score beats a schedule row)
timeline as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by player_id, game_date
                order by source_priority, game_id
            ) as date_rank
        from timeline_rows
    ) as ranked
    where date_rank = 1

),

keyed as (

    select
        timeline.*,
        case when is_played then game_id end as played_game_id,
        case when is_played then game_date end as played_game_date,
        {{ day_number('game_date') }} as day_number
    from timeline

),

with_games_before as (

    select
        keyed.*,
        -- games played on earlier dates: the key of every "last N games" window
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'game_date', 'unbounded') }} as games_before
    from keyed

),

-- the league calendar: how many game dates of the season have been played before each date
league_dates as (

    select
        game_date,
        max(season) as season,
        max(case when is_played then 1 else 0 end) = 1 as has_games_played
    from timeline
    group by game_date

),

league_calendar as (

    select
        game_date,
        {{ rolling_window('count', 'case when has_games_played then game_date end', ['season'], 'game_date', 'unbounded') }} as season_game_dates_before
    from league_dates

),

rolling_windows as (

    select
        with_games_before.*,
        {%- for stat in stats %}
        {%- for n in [5, 10] %}
        {{ rolling_window('avg', stat, ['player_id'], 'games_before', n, 'range') }} as {{ stat }}_avg_l{{ n }},
        {{ rolling_window('count', stat, ['player_id'], 'games_before', n, 'range') }} as {{ stat }}_games_l{{ n }},
        {%- endfor %}
        {{ rolling_window('stddev_samp', stat, ['player_id'], 'games_before', 10, 'range') }} as {{ stat }}_std_l10,
        {{ rolling_window('avg', stat, ['player_id', 'season'], 'game_date', 'unbounded') }} as {{ stat }}_avg_season,
        {{ rolling_window('count', stat, ['player_id', 'season'], 'game_date', 'unbounded') }} as {{ stat }}_games_season,
        {%- if stat != 'minutes' %}
        {{ safe_divide(
            rolling_window('sum', stat, ['player_id'], 'games_before', 10, 'range'),
            rolling_window('sum', 'case when ' ~ stat ~ ' is not null then minutes end', ['player_id'], 'games_before', 10, 'range')
        ) }} as {{ stat }}_per_minute_l10,
        {%- endif %}
        {%- endfor %}
        {{ rolling_window('avg', 'usage_rate', ['player_id'], 'games_before', 10, 'range') }} as usage_avg_l10,
        {{ rolling_window('count', 'usage_rate', ['player_id'], 'games_before', 10, 'range') }} as usage_games_l10,
        {{ safe_divide(
            rolling_window('sum', 'shooting_points', ['player_id'], 'games_before', 10, 'range'),
            '2 * ' ~ rolling_window('sum', 'shooting_attempts', ['player_id'], 'games_before', 10, 'range')
        ) }} as ts_pct_l10,
        {{ rolling_window('count', 'shooting_attempts', ['player_id'], 'games_before', 10, 'range') }} as ts_games_l10,
        {{ rolling_window('count', 'played_game_id', ['player_id', 'season'], 'game_date', 'unbounded') }} as games_played_season,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 7, 'range') }} as games_last_7d,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 14, 'range') }} as games_last_14d,
        {{ rolling_window('sum', 'minutes', ['player_id'], 'day_number', 7, 'range') }} as minutes_sum_last_7d,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 1, 'range') }} as games_yesterday,
        {{ rolling_window('max', 'played_game_date', ['player_id', 'season'], 'game_date', 'unbounded') }} as previous_played_date
    from with_games_before

),

with_calendar as (

    select
        rolling_windows.*,
        league_calendar.season_game_dates_before
    from rolling_windows
    inner join league_calendar
        on league_calendar.game_date = rolling_windows.game_date

)

select
    player_id,
    game_date,
    game_id,
    season,
    season_type,
    team,
    opponent,
    is_home,
    is_played,
    row_source,
    games_before,
    {%- for stat in stats %}
    {{ stat }}_avg_l5,
    {{ stat }}_games_l5,
    {{ stat }}_avg_l10,
    {{ stat }}_games_l10,
    {{ stat }}_std_l10,
    {{ stat }}_avg_season,
    {{ stat }}_games_season,
    {%- if stat != 'minutes' %}
    {{ stat }}_per_minute_l10,
    {%- endif %}
    {%- endfor %}
    usage_avg_l10,
    usage_games_l10,
    ts_pct_l10,
    ts_games_l10,
    games_played_season,
    games_last_7d,
    games_last_14d,
    -- no game in the last 7 days is 0 minutes (a fact), not a missing value
    coalesce(minutes_sum_last_7d, 0) as minutes_last_7d,
    games_yesterday > 0 as played_yesterday,
    previous_played_date,
    {{ days_since_previous_game('previous_played_date', 'game_date') }} as days_rest,
    season_game_dates_before,
    season_game_dates_before < {{ var('early_season_game_dates', 14) }} as is_early_season
from with_calendar
{% if is_incremental() %}
where game_date >= coalesce({{ incremental_lower_bound('game_date', filter='is_played') }}, cast('1900-01-01' as date))
{% endif %}
