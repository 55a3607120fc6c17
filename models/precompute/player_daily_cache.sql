-- Player x date: what was known about the player before that date's game, from his own box scores.
-- One row per date the player has a game to predict: every game he played (player_game_summary), every
-- scheduled game he is expected in (upcoming_player_game_context) and every final game he had a prop line
-- for but did not play (a DNP). Every rolling column comes from macros/rolling_window.sql and so sees only
-- his games on EARLIER dates: last 5 / last 10 games (across seasons), the season so far, the last 7 / 14
-- calendar days; plus the league-wide early-season flag. A window with fewer games than its size is averaged
-- over what it has and counted in *_games_* columns (the feature mart flags it); NULL when it has none.
-- Incremental by game_date (macros/incremental_config.sql): a run writes the dates from
-- incremental_lookback_days before the newest box score onwards (lower_bound) and reads only the history
-- those rows can see, so a daily run costs the same however many seasons the warehouse holds:
--   * every row from history_start: the first date of each season it writes (season windows,
--     previous_played_date, the league calendar), and at least the longest day window before lower_bound;
--   * for each player it writes, his games on as many of his last played dates before history_start as his
--     last-N-games windows can still reach (they run across seasons and absences), with his other earlier
--     dates added back to games_before;
--   * only the players it writes go through the windows (every window is per player).
-- A full refresh reads everything; both give the same rows (tests/python/warehouse/test_phase4_incremental_history.py).
{{ config(**incremental_config(grain=['player_id', 'game_date'])) }}

{%- set stats = prop_markets() + ['minutes'] %}
{%- set last_n_games = [5, 10] %}
{%- set longest_day_window = 14 %}

with
{% if is_incremental() %}

-- the first date this run writes
written_dates as (

    select
        {{ incremental_since(filter='is_played') }} as lower_bound

),

-- the dates of each season, over every source of a timeline row
season_spans as (

    select season, min(game_date) as first_date, max(game_date) as last_date
    from (
        select season, game_date from {{ ref('player_game_summary') }}
        union all
        select season, game_date from {{ ref('team_offense_game_summary') }}
        union all
        select season, game_date from {{ ref('upcoming_player_game_context') }}
    ) as season_dates
    group by season

),

-- how far back the windows of the written rows reach, apart from the last-N-games windows
history_start_candidates as (

    select cast({{ dbt.dateadd('day', -1 * longest_day_window, 'lower_bound') }} as date) as history_start
    from written_dates

    union all

    -- season-to-date windows, previous_played_date and the league calendar start at the season's first date
    select season_spans.first_date as history_start
    from season_spans
    inner join written_dates
        on season_spans.last_date >= written_dates.lower_bound

),

history_bounds as (

    select
        max(written_dates.lower_bound) as lower_bound,
        min(history_start_candidates.history_start) as history_start
    from history_start_candidates
    cross join written_dates

),

{% endif %}

final_games as (

    -- one row per final game (the home side), for the game's date, season and teams
    select game_id, game_date, season, season_type, team as home_team, opponent as away_team
    from {{ ref('team_offense_game_summary') }}
    where is_home
    {%- if is_incremental() %}
        and game_date >= (select history_start from history_bounds)
    {%- endif %}

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

{% if is_incremental() %}
-- the players this run writes rows for: a box score, a scheduled game or a prop line on a final game (a
-- possible DNP) on or after lower_bound. Every window is per player, so only their rows go through them.
written_players as (

    select distinct player_id
    from (
        select player_id
        from {{ ref('player_game_summary') }}
        where game_date >= (select lower_bound from history_bounds)

        union all

        select player_id
        from {{ ref('upcoming_player_game_context') }}
        where game_date >= (select lower_bound from history_bounds)
            and player_id is not null

        union all

        select candidates.player_id
        from final_game_line_candidates as candidates
        inner join final_games
            on final_games.game_id = candidates.game_id
        where final_games.game_date >= (select lower_bound from history_bounds)
    ) as written

),

-- per written player, his played dates before history_start, and how many of them his last-N-games windows
-- can still reach from lower_bound on: N less the dates he played between history_start and lower_bound
carry_needs as (

    select
        played_dates.player_id,
        count(case when played_dates.game_date < history_bounds.history_start then 1 end) as dates_before,
        {{ last_n_games | max }} - count(case when played_dates.game_date >= history_bounds.history_start then 1 end) as dates_needed
    from (
        select distinct box_scores.player_id, box_scores.game_date
        from {{ ref('player_game_summary') }} as box_scores
        inner join written_players
            on written_players.player_id = box_scores.player_id
        where box_scores.game_date < (select lower_bound from history_bounds)
    ) as played_dates
    cross join history_bounds
    group by played_dates.player_id

),

-- those dates, newest first
earlier_played_dates as (

    select
        player_id,
        game_date,
        row_number() over (partition by player_id order by game_date desc) as dates_back
    from (
        select distinct box_scores.player_id, box_scores.game_date
        from {{ ref('player_game_summary') }} as box_scores
        inner join carry_needs
            on carry_needs.player_id = box_scores.player_id
        where carry_needs.dates_needed > 0
            and carry_needs.dates_before > 0
            and box_scores.game_date < (select history_start from history_bounds)
    ) as earlier

),

-- read again, however long ago they were
carried_dates as (

    select earlier_played_dates.player_id, earlier_played_dates.game_date
    from earlier_played_dates
    inner join carry_needs
        on carry_needs.player_id = earlier_played_dates.player_id
    where earlier_played_dates.dates_back <= carry_needs.dates_needed

),

-- the played dates before history_start that are not read, added back to games_before
games_before_offsets as (

    select
        player_id,
        case
            when dates_needed <= 0 then dates_before
            when dates_needed >= dates_before then 0
            else dates_before - dates_needed
        end as games_before_offset
    from carry_needs

),

{% endif %}
player_games as (

    select box_scores.*
    from {{ ref('player_game_summary') }} as box_scores
    {%- if is_incremental() %}
    -- an incremental run reads every box score from history_start (the league calendar and the DNPs need all
    -- players) and the carried ones
    left join carried_dates
        on carried_dates.player_id = box_scores.player_id
        and carried_dates.game_date = box_scores.game_date
    where box_scores.game_date >= (select history_start from history_bounds)
        or carried_dates.player_id is not null
    {%- endif %}

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

-- a DNP's team is the team of his previous game, when it plays in this one (in an incremental run his previous
-- game is read: on or after history_start, or on his last played date before it)
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
    {%- if is_incremental() %}
        and upcoming.game_date >= (select history_start from history_bounds)
    {%- endif %}

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
    {%- if is_incremental() %}
    -- only the written players go through the windows
    inner join written_players
        on written_players.player_id = timeline.player_id
    {%- endif %}

),

with_games_before as (

    select
        keyed.*,
        -- games played on earlier dates: the key of every "last N games" window
        -- (in an incremental run, counted from his first carried date: the windows only use differences of it,
        -- and the final select adds the dates before)
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
    {%- if is_incremental() %}
    -- every row of these dates is read (the carried dates before history_start are not complete)
    where game_date >= (select history_start from history_bounds)
    {%- endif %}
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
        {%- for n in last_n_games %}
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
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', longest_day_window, 'range') }} as games_last_14d,
        {{ rolling_window('sum', 'minutes', ['player_id'], 'day_number', 7, 'range') }} as minutes_sum_last_7d,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 1, 'range') }} as games_yesterday,
        {{ rolling_window('max', 'played_game_date', ['player_id', 'season'], 'game_date', 'unbounded') }} as previous_played_date
    from with_games_before

),

with_calendar as (

    select
        rolling_windows.*,
        league_calendar.season_game_dates_before
        {%- if is_incremental() %},
        coalesce(games_before_offsets.games_before_offset, 0) as games_before_offset
        {%- endif %}
    from rolling_windows
    inner join league_calendar
        on league_calendar.game_date = rolling_windows.game_date
    {%- if is_incremental() %}
    left join games_before_offsets
        on games_before_offsets.player_id = rolling_windows.player_id
    {%- endif %}

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
    {% if is_incremental() %}games_before + games_before_offset as games_before{% else %}games_before{% endif %},
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
where game_date >= (select lower_bound from written_dates)
{% endif %}
