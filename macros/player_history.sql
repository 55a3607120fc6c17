{#-
  The history an incremental run of a per-player window model reads (player_daily_cache), as four CTEs:

    history_bounds        lower_bound: the first date the run writes (incremental_lookback_days before the
                          newest played date in {{ this }}); history_start: the first date every row of is read
                          from: the first date of each season it writes (season windows, previous played date,
                          the league calendar) and at least longest_day_window days before lower_bound
    written_players       the players with a row (in rows_model) on or after lower_bound; every window is per
                          player, so only they go through the windows
    carried_dates         per written player, his played dates before history_start that his last-N-games
                          windows (N = longest_game_window) can still reach from lower_bound on (they run across
                          seasons and absences): read again however long ago they were
    games_before_offsets  per written player, his played dates before history_start that are not read, to add
                          back to a games-played-before count

  A full refresh reads everything: lower_bound and history_start are 1900-01-01, every player is written,
  nothing is carried and every offset is 0. Both give the same rows
  (tests/python/test_phase4_incremental_history.py).
  rows_model: the rows the model writes (player_id, game_date, is_played); emit after `with`, with a comma after.
-#}
{% macro player_history_ctes(rows_model, longest_day_window, longest_game_window) -%}
{%- if is_incremental() %}
-- the first date this run writes
written_dates as (

    select
        {{ incremental_since(filter='is_played') }} as lower_bound

),

-- the dates of each season, over every source of a row
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

written_players as (

    select distinct player_id
    from {{ rows_model }}
    where game_date >= (select lower_bound from history_bounds)

),

-- per written player, his played dates before history_start, and how many of them his last-N-games windows
-- can still reach from lower_bound on: N less the dates he played between history_start and lower_bound
carry_needs as (

    select
        played_dates.player_id,
        count(case when played_dates.game_date < history_bounds.history_start then 1 end) as dates_before,
        {{ longest_game_window }} - count(case when played_dates.game_date >= history_bounds.history_start then 1 end) as dates_needed
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

carried_dates as (

    select earlier_played_dates.player_id, earlier_played_dates.game_date
    from earlier_played_dates
    inner join carry_needs
        on carry_needs.player_id = earlier_played_dates.player_id
    where earlier_played_dates.dates_back <= carry_needs.dates_needed

),

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
{%- else %}
-- a full refresh reads everything
history_bounds as (

    select
        cast('1900-01-01' as date) as lower_bound,
        cast('1900-01-01' as date) as history_start

),

written_players as (

    select distinct player_id from {{ rows_model }}

),

carried_dates as (

    select player_id, game_date from {{ rows_model }} where 1 = 0

),

games_before_offsets as (

    select player_id, 0 as games_before_offset from {{ rows_model }} where 1 = 0

),
{%- endif %}
{%- endmacro %}
