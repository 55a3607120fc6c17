-- For every team-game that has player rows, the players' points add up to the team's points.
-- Exceptions: seeds/data_test_exceptions.csv, test_name 'player_points_sum_to_team_points',
-- record_key = game_id || '|' || team.
{{ config(tags=['daily']) }}  -- also run by the daily build (selectors.yml)

with

player_totals as (

    select
        game_id,
        team,
        sum(points) as player_points,
        count(*) as player_rows
    from {{ ref('player_game_summary') }}
    where {{ daily_test_scope('game_date') }}
    group by game_id, team

),

compared as (

    select
        {{ dbt.concat(['teams.game_id', "'|'", 'teams.team']) }} as record_key,
        teams.game_id,
        teams.team,
        teams.game_date,
        teams.season_type,
        teams.points as team_points,
        player_totals.player_points,
        player_totals.player_rows
    from {{ ref('team_offense_game_summary') }} as teams
    inner join player_totals
        on player_totals.game_id = teams.game_id
        and player_totals.team = teams.team
    where {{ daily_test_scope('teams.game_date') }}

)

select *
from compared
where (player_points <> team_points or player_points is null or team_points is null)
    and record_key not in ({{ data_test_exception_keys('player_points_sum_to_team_points') }})
