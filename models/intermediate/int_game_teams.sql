-- One row per team per game (two per int_games row): the map from (game_date, team) to the canonical
-- game, with the opponent and home/away. A team plays at most once per date.
-- A view: cheap to recompute where it is read, so the daily build has one node fewer to run.
{{ config(materialized='view') }}

with

games as (

    select * from {{ ref('int_games') }}

),

home_sides as (

    select
        game_id,
        game_date,
        season,
        season_start_year,
        season_type,
        home_team as team,
        away_team as opponent,
        true as is_home,
        tipoff_at,
        is_upcoming
    from games

),

away_sides as (

    select
        game_id,
        game_date,
        season,
        season_start_year,
        season_type,
        away_team as team,
        home_team as opponent,
        false as is_home,
        tipoff_at,
        is_upcoming
    from games

),

both_sides as (

    select * from home_sides
    union all
    select * from away_sides

)

select
    both_sides.game_id,
    both_sides.team,
    teams.team_id,
    both_sides.opponent,
    both_sides.is_home,
    both_sides.game_date,
    both_sides.season,
    both_sides.season_start_year,
    both_sides.season_type,
    both_sides.tipoff_at,
    both_sides.is_upcoming
from both_sides
left join {{ ref('teams') }} as teams
    on teams.team_abbreviation = both_sides.team
