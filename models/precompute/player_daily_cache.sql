-- Player x date: what was known about the player before that date's game, from his own box scores.
-- One row per player-game the feature mart has rows for (feature_mart_player_games: every game he played,
-- every scheduled game he is expected in, every final game he had a prop line for but did not play). Every
-- rolling column comes from macros/rolling_window.sql and so sees only his games on EARLIER dates: last 5 /
-- last 10 games (across seasons), the season so far, the last 7 / 14 calendar days; plus the league-wide
-- early-season flag. A window with fewer games than its size is averaged over what it has and counted in
-- *_games_* columns (the feature mart flags it); NULL when it has none. One set of stat columns per market
-- (seeds/markets.csv) and for minutes.
-- Incremental by game_date (macros/incremental_config.sql): a run writes the dates from
-- incremental_lookback_days before the newest box score onwards and reads only the history those rows can see
-- (macros/player_history.sql), so a daily run costs the same however many seasons the warehouse holds. A full
-- refresh reads everything; both give the same rows (tests/python/test_phase4_incremental_history.py).
{{ config(**incremental_config(grain=['player_id', 'game_date'])) }}

-- depends_on: {{ ref('markets') }}
-- the incremental history (macros/player_history.sql) also reads these:
-- depends_on: {{ ref('player_game_summary') }}
-- depends_on: {{ ref('team_offense_game_summary') }}
-- depends_on: {{ ref('upcoming_player_game_context') }}
{%- set markets = prop_markets() %}
{%- set stats = markets + ['minutes'] %}
{%- set last_n_games = [5, 10] %}
{%- set longest_day_window = 14 %}

with

{{ player_history_ctes(ref('feature_mart_player_games'), longest_day_window, last_n_games | max) }}

-- the rows the windows run over: every row from history_start (the league calendar needs all players) and
-- the carried dates before it, with the box score's stats on the played ones
timeline as (

    select
        player_games.player_id,
        player_games.game_id,
        player_games.game_date,
        player_games.season,
        player_games.season_type,
        player_games.team,
        player_games.opponent,
        player_games.is_home,
        player_games.is_played,
        player_games.row_source,
        cast(box_scores.minutes as {{ type_double() }}) as minutes,
        {%- for market in markets %}
        cast(box_scores.{{ market }} as {{ type_double() }}) as {{ market }},
        {%- endfor %}
        cast(box_scores.usage_rate as {{ type_double() }}) as usage_rate,
        -- true shooting over a window is pooled: its points over 2 x its (FGA + 0.44 FTA), games with shot counts only
        cast(case when box_scores.fga is not null and box_scores.fta is not null then box_scores.points end as {{ type_double() }}) as shooting_points,
        cast(box_scores.fga + 0.44 * box_scores.fta as {{ type_double() }}) as shooting_attempts
    from {{ ref('feature_mart_player_games') }} as player_games
    left join {{ ref('player_game_summary') }} as box_scores
        on player_games.is_played
        and box_scores.player_id = player_games.player_id
        and box_scores.game_id = player_games.game_id
    left join carried_dates
        on carried_dates.player_id = player_games.player_id
        and carried_dates.game_date = player_games.game_date
    where player_games.game_date >= (select history_start from history_bounds)
        or carried_dates.player_id is not null

),

keyed as (

    select
        timeline.*,
        case when is_played then game_id end as played_game_id,
        case when is_played then game_date end as played_game_date,
        {{ day_number('game_date') }} as day_number
    from timeline
    -- only the written players go through the windows
    inner join written_players
        on written_players.player_id = timeline.player_id

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
    -- every row of these dates is read (the carried dates before history_start are not complete)
    where game_date >= (select history_start from history_bounds)
    group by game_date

),

league_calendar as (

    select
        game_date,
        {{ rolling_window('count', 'case when has_games_played then game_date end', ['season'], 'game_date', 'unbounded') }} as season_game_dates_before
    from league_dates

),

-- the last 5 / 10 games played on earlier dates. The averages, counts and sums of whole numbers (the market
-- stats, shot points) in one grouped pass over his played rows (macros/rolling_window.sql, last_games): exact
-- sums, so the same values as the window functions, in any order of aggregation. Fractional inputs (minutes,
-- usage, shot attempts) and the standard deviations stay window functions (rolling_windows below): summed in a
-- different order they would move in the last bit from one build to the next.
game_steps as (
{{ last_games_steps(last_n_games | max) }}

),

played_steps as (

    select
        with_games_before.*,
        game_steps.step,
        with_games_before.games_before + game_steps.step as window_games_before
    from with_games_before
    cross join game_steps
    where with_games_before.is_played

),

last_games as (

    select
        player_id,
        window_games_before,
        {%- for stat in markets %}
        {%- for n in last_n_games %}
        {{ last_games('avg', stat, n, 'step') }} as {{ stat }}_avg_l{{ n }},
        {{ last_games('count', stat, n, 'step') }} as {{ stat }}_games_l{{ n }},
        {%- endfor %}
        {{ last_games('sum', stat, 10, 'step') }} as {{ stat }}_sum_l10,
        {%- endfor %}
        {%- for n in last_n_games %}
        {{ last_games('count', 'minutes', n, 'step') }} as minutes_games_l{{ n }},
        {%- endfor %}
        {{ last_games('count', 'usage_rate', 10, 'step') }} as usage_games_l10,
        {{ last_games('sum', 'shooting_points', 10, 'step') }} as shooting_points_l10,
        {{ last_games('count', 'shooting_attempts', 10, 'step') }} as ts_games_l10
    from played_steps
    group by player_id, window_games_before

),

rolling_windows as (

    select
        with_games_before.*,
        {%- for stat in stats %}
        {{ rolling_window('stddev_samp', stat, ['player_id'], 'games_before', 10, 'range') }} as {{ stat }}_std_l10,
        {{ rolling_window('avg', stat, ['player_id', 'season'], 'game_date', 'unbounded') }} as {{ stat }}_avg_season,
        {{ rolling_window('count', stat, ['player_id', 'season'], 'game_date', 'unbounded') }} as {{ stat }}_games_season,
        {%- if stat != 'minutes' %}
        {{ rolling_window('sum', 'case when ' ~ stat ~ ' is not null then minutes end', ['player_id'], 'games_before', 10, 'range') }} as {{ stat }}_minutes_l10,
        {%- endif %}
        {%- endfor %}
        {%- for n in last_n_games %}
        {{ rolling_window('avg', 'minutes', ['player_id'], 'games_before', n, 'range') }} as minutes_avg_l{{ n }},
        {%- endfor %}
        {{ rolling_window('avg', 'usage_rate', ['player_id'], 'games_before', 10, 'range') }} as usage_avg_l10,
        {{ rolling_window('sum', 'shooting_attempts', ['player_id'], 'games_before', 10, 'range') }} as shooting_attempts_l10,
        {{ rolling_window('count', 'played_game_id', ['player_id', 'season'], 'game_date', 'unbounded') }} as games_played_season,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 7, 'range') }} as games_last_7d,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', longest_day_window, 'range') }} as games_last_14d,
        {{ rolling_window('sum', 'minutes', ['player_id'], 'day_number', 7, 'range') }} as minutes_sum_last_7d,
        {{ rolling_window('count', 'played_game_id', ['player_id'], 'day_number', 1, 'range') }} as games_yesterday,
        {{ rolling_window('max', 'played_game_date', ['player_id', 'season'], 'game_date', 'unbounded') }} as previous_played_date
    from with_games_before

),

with_last_games as (

    select
        rolling_windows.*,
        {%- for stat in markets %}
        {%- for n in last_n_games %}
        last_games.{{ stat }}_avg_l{{ n }},
        coalesce(last_games.{{ stat }}_games_l{{ n }}, 0) as {{ stat }}_games_l{{ n }},
        {%- endfor %}
        {{ safe_divide('last_games.' ~ stat ~ '_sum_l10', 'rolling_windows.' ~ stat ~ '_minutes_l10') }} as {{ stat }}_per_minute_l10,
        {%- endfor %}
        {%- for n in last_n_games %}
        coalesce(last_games.minutes_games_l{{ n }}, 0) as minutes_games_l{{ n }},
        {%- endfor %}
        coalesce(last_games.usage_games_l10, 0) as usage_games_l10,
        {{ safe_divide('last_games.shooting_points_l10', '2 * rolling_windows.shooting_attempts_l10') }} as ts_pct_l10,
        coalesce(last_games.ts_games_l10, 0) as ts_games_l10
    from rolling_windows
    left join last_games
        on last_games.player_id = rolling_windows.player_id
        and last_games.window_games_before = rolling_windows.games_before

),

with_calendar as (

    select
        with_last_games.*,
        league_calendar.season_game_dates_before,
        coalesce(games_before_offsets.games_before_offset, 0) as games_before_offset
    from with_last_games
    inner join league_calendar
        on league_calendar.game_date = with_last_games.game_date
    left join games_before_offsets
        on games_before_offsets.player_id = with_last_games.player_id

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
    -- counted from his first read date: add the played dates before it that were not read
    games_before + games_before_offset as games_before,
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
where game_date >= (select lower_bound from history_bounds)
