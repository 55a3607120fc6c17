-- Completeness, per date: every game the schedule marks final has a team box score and player box scores for
-- both of its teams, on every date up to the latest date that kind of box score has landed for. So a slate
-- that landed in part, or a hole behind the latest landed date, fails here; the newest slate not having
-- landed at all is the freshness check's call (macros/freshness.sql), which knows how late it may be.
-- One row per (game_date, game_id, team) with what is missing.
-- Exceptions: seeds/data_test_exceptions.csv, test_name 'final_game_has_box_scores', record_key = game_id || '|' || team.
{{ config(tags=['daily']) }}  -- also run by the daily build (selectors.yml)

with

final_game_sides as (

    select
        game_teams.game_date,
        game_teams.game_id,
        game_teams.team
    from {{ ref('int_game_teams') }} as game_teams
    inner join {{ ref('int_games') }} as games
        on games.game_id = game_teams.game_id
    where games.schedule_is_final
        and {{ daily_test_scope('game_teams.game_date') }}

),

team_box_scores as (

    select distinct game_id, team from {{ ref('int_team_games') }}
    where {{ daily_test_scope('game_date') }}

),

player_box_scores as (

    select game_id, team, count(*) as player_rows
    from {{ ref('player_game_summary') }}
    where {{ daily_test_scope('game_date') }}
    group by game_id, team

),

landed_through as (

    select
        (select max(game_date) from {{ ref('int_team_games') }}) as team_box_scores_through,
        (select max(game_date) from {{ ref('player_game_summary') }}) as player_box_scores_through

),

checked as (

    select
        {{ dbt.concat(['final_game_sides.game_id', "'|'", 'final_game_sides.team']) }} as record_key,
        final_game_sides.game_date,
        final_game_sides.game_id,
        final_game_sides.team,
        final_game_sides.game_date <= landed_through.team_box_scores_through
            and team_box_scores.game_id is null as is_missing_team_box_score,
        final_game_sides.game_date <= landed_through.player_box_scores_through
            and player_box_scores.game_id is null as is_missing_player_box_scores
    from final_game_sides
    cross join landed_through
    left join team_box_scores
        on team_box_scores.game_id = final_game_sides.game_id
        and team_box_scores.team = final_game_sides.team
    left join player_box_scores
        on player_box_scores.game_id = final_game_sides.game_id
        and player_box_scores.team = final_game_sides.team

)

select *
from checked
where (is_missing_team_box_score or is_missing_player_box_scores)
    and record_key not in ({{ data_test_exception_keys('final_game_has_box_scores') }})
