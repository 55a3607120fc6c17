-- Team x scheduled game (in the schedule, no box score yet): rest and workload before the game for the
-- team and its opponent (one rest definition: macros/rest.sql), the closing spread/total when known,
-- and how many players already have a pregame prop line for the game.
with

upcoming_team_games as (

    select * from {{ ref('int_game_teams') }}
    where is_upcoming

),

rest as (

    select * from {{ ref('int_team_game_rest') }}
    where is_upcoming

),

game_lines as (

    select * from {{ ref('int_game_lines') }}

),

prop_coverage as (

    select
        game_id,
        count(distinct player_lookup) as players_with_prop_line
    from {{ ref('int_prop_pregame_lines') }}
    group by game_id

)

select
    upcoming_team_games.game_id,
    upcoming_team_games.team,
    upcoming_team_games.team_id,
    upcoming_team_games.opponent,
    upcoming_team_games.is_home,
    upcoming_team_games.season,
    upcoming_team_games.season_type,
    upcoming_team_games.game_date,
    upcoming_team_games.tipoff_at,
    team_rest.previous_game_date,
    team_rest.days_since_previous_game,
    team_rest.is_back_to_back,
    team_rest.is_first_game_of_season,
    team_rest.games_in_last_7_days,
    team_rest.games_in_last_14_days,
    opponent_rest.days_since_previous_game as opponent_days_since_previous_game,
    opponent_rest.is_back_to_back as opponent_is_back_to_back,
    opponent_rest.is_first_game_of_season as opponent_is_first_game_of_season,
    case
        when upcoming_team_games.is_home then game_lines.home_spread
        else -1 * game_lines.home_spread
    end as spread,
    game_lines.total,
    game_lines.game_id is not null as has_game_line,
    coalesce(prop_coverage.players_with_prop_line, 0) as players_with_prop_line,
    prop_coverage.game_id is not null as has_prop_line
from upcoming_team_games
inner join rest as team_rest
    on team_rest.game_id = upcoming_team_games.game_id
    and team_rest.team = upcoming_team_games.team
inner join rest as opponent_rest
    on opponent_rest.game_id = upcoming_team_games.game_id
    and opponent_rest.team = upcoming_team_games.opponent
left join game_lines
    on game_lines.game_id = upcoming_team_games.game_id
left join prop_coverage
    on prop_coverage.game_id = upcoming_team_games.game_id
