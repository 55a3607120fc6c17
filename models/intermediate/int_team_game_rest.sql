-- One row per team per game (played or scheduled): rest before the game and recent workload.
-- previous game = the team's previous game in the same season (played or scheduled: the schedule is
-- the team's calendar); NULL with is_first_game_of_season for its first game of a season.
-- games_in_last_7_days / 14 days = the team's games in the 7 / 14 calendar days before this game's date.
-- A view: cheap to recompute where it is read, so the daily build has one node fewer to run.
{{ config(materialized='view') }}

with

team_games as (

    select * from {{ ref('int_game_teams') }}

),

with_previous as (

    select
        *,
        {{ previous_game_date('game_date', ['team', 'season']) }} as previous_game_date
    from team_games

),

recent_counts as (

    select
        team_games.game_id,
        team_games.team,
        sum(case when earlier.game_date >= {{ add_days('team_games.game_date', -7) }} then 1 else 0 end) as games_in_last_7_days,
        count(earlier.game_id) as games_in_last_14_days
    from team_games
    left join team_games as earlier
        on earlier.team = team_games.team
        and earlier.game_date < team_games.game_date
        and earlier.game_date >= {{ add_days('team_games.game_date', -14) }}
    group by team_games.game_id, team_games.team

)

select
    with_previous.game_id,
    with_previous.team,
    with_previous.game_date,
    with_previous.season,
    with_previous.is_upcoming,
    with_previous.previous_game_date,
    {{ days_since_previous_game('with_previous.previous_game_date', 'with_previous.game_date') }} as days_since_previous_game,
    {{ is_back_to_back('with_previous.previous_game_date', 'with_previous.game_date') }} as is_back_to_back,
    with_previous.previous_game_date is null as is_first_game_of_season,
    recent_counts.games_in_last_7_days,
    recent_counts.games_in_last_14_days
from with_previous
inner join recent_counts
    on recent_counts.game_id = with_previous.game_id
    and recent_counts.team = with_previous.team
