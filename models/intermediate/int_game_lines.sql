-- One closing line per canonical game: ESPN codes mapped to tricodes through teams.espn_code, matched to
-- int_games on (game_date, the two teams); the latest load wins when several sources carry the game.
-- Spreads are restated from each side: home_spread < 0 when the home team is favoured (pick'em = 0).
-- A view: cheap to recompute where it is read, so the daily build has one node fewer to run.
{{ config(materialized='view') }}

with

lines as (

    select * from {{ ref('stg_closing_lines__game_lines') }}

),

teams as (

    select team_abbreviation, espn_code from {{ ref('teams') }}

),

mapped as (

    select
        home_teams.team_abbreviation as home_team,
        away_teams.team_abbreviation as away_team,
        lines.game_date,
        lines.favored_side,
        lines.spread,
        lines.total,
        lines.moneyline_home,
        lines.moneyline_away,
        lines._loaded_at,
        lines._source
    from lines
    inner join teams as home_teams
        on home_teams.espn_code = lines.home_team_code
    inner join teams as away_teams
        on away_teams.espn_code = lines.away_team_code

),

matched as (

    select
        games.game_id,
        games.game_date,
        games.home_team,
        games.away_team,
        case
            when mapped.spread is null or mapped.favored_side is null then null
            when (mapped.favored_side = 'home') = (mapped.home_team = games.home_team) then -1 * mapped.spread
            else mapped.spread
        end as home_spread,
        mapped.spread as favourite_spread,
        case
            when mapped.favored_side is null then null
            when (mapped.favored_side = 'home') = (mapped.home_team = games.home_team) then games.home_team
            else games.away_team
        end as favourite_team,
        mapped.total,
        case when mapped.home_team = games.home_team then mapped.moneyline_home else mapped.moneyline_away end as home_moneyline,
        case when mapped.home_team = games.home_team then mapped.moneyline_away else mapped.moneyline_home end as away_moneyline,
        row_number() over (
            partition by games.game_id
            order by mapped._loaded_at desc, mapped._source desc
        ) as source_rank
    from mapped
    inner join {{ ref('int_games') }} as games
        on games.game_date = mapped.game_date
        and least(games.home_team, games.away_team) = least(mapped.home_team, mapped.away_team)
        and greatest(games.home_team, games.away_team) = greatest(mapped.home_team, mapped.away_team)

)

select
    game_id,
    game_date,
    home_team,
    away_team,
    favourite_team,
    favourite_spread,
    home_spread,
    total,
    home_moneyline,
    away_moneyline
from matched
where source_rank = 1
