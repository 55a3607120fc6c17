-- Team x game, the team's offence: its box score, possessions, pace, offensive rating, shooting
-- efficiency, the final margin and the result computed from the two scores (never from the W/L text),
-- rest before the game and the closing spread/total when known. Competitive games only.
with

team_games as (

    select * from {{ ref('int_team_games') }}
    where game_id is not null

),

with_opponent as (

    select
        team_games.*,
        opponents.points as opponent_points,
        opponents.fga as opponent_fga,
        opponents.fta as opponent_fta,
        opponents.turnovers as opponent_turnovers,
        opponents.oreb as opponent_oreb,
        opponents.game_id is not null as has_opponent_box_score,
        {{ possessions('team_games.fga', 'team_games.fta', 'team_games.turnovers', 'team_games.oreb') }} as possessions,
        {{ possessions('opponents.fga', 'opponents.fta', 'opponents.turnovers', 'opponents.oreb') }} as opponent_possessions
    from team_games
    left join team_games as opponents
        on opponents.game_id = team_games.game_id
        and opponents.team = team_games.opponent

),

rest as (

    select * from {{ ref('int_team_game_rest') }}

),

game_lines as (

    select * from {{ ref('int_game_lines') }}

)

select
    with_opponent.game_id,
    with_opponent.team,
    with_opponent.team_id,
    with_opponent.opponent,
    with_opponent.is_home,
    with_opponent.season,
    with_opponent.season_type,
    with_opponent.game_date,
    with_opponent.team_minutes,
    with_opponent.points,
    with_opponent.opponent_points,
    with_opponent.points - with_opponent.opponent_points as margin,
    case
        when with_opponent.points is null or with_opponent.opponent_points is null then null
        else with_opponent.points > with_opponent.opponent_points
    end as is_win,
    case
        when not with_opponent.has_opponent_box_score then 'opponent_box_score_missing'
        when with_opponent.points is null or with_opponent.opponent_points is null then 'points_missing'
    end as is_win_missing_reason,
    with_opponent.fgm,
    with_opponent.fga,
    with_opponent.fg3m,
    with_opponent.fg3a,
    with_opponent.ftm,
    with_opponent.fta,
    with_opponent.oreb,
    with_opponent.dreb,
    with_opponent.rebounds,
    with_opponent.assists,
    with_opponent.steals,
    with_opponent.blocks,
    with_opponent.turnovers,
    with_opponent.personal_fouls,
    with_opponent.possessions,
    {{ possessions_missing_reason('with_opponent.fga', 'with_opponent.fta', 'with_opponent.turnovers', 'with_opponent.oreb') }} as possessions_missing_reason,
    with_opponent.opponent_possessions,
    {{ pace('with_opponent.possessions', 'with_opponent.opponent_possessions', 'with_opponent.team_minutes') }} as pace,
    {{ pace_missing_reason('with_opponent.possessions', 'with_opponent.opponent_possessions', 'with_opponent.team_minutes') }} as pace_missing_reason,
    {{ offensive_rating('with_opponent.points', 'with_opponent.possessions') }} as offensive_rating,
    {{ rating_missing_reason('with_opponent.points', 'with_opponent.possessions') }} as offensive_rating_missing_reason,
    {{ true_shooting_pct('with_opponent.points', 'with_opponent.fga', 'with_opponent.fta') }} as ts_pct,
    {{ true_shooting_pct_missing_reason('with_opponent.points', 'with_opponent.fga', 'with_opponent.fta') }} as ts_pct_missing_reason,
    {{ effective_fg_pct('with_opponent.fgm', 'with_opponent.fg3m', 'with_opponent.fga') }} as efg_pct,
    {{ effective_fg_pct_missing_reason('with_opponent.fgm', 'with_opponent.fg3m', 'with_opponent.fga') }} as efg_pct_missing_reason,
    rest.previous_game_date,
    rest.days_since_previous_game,
    rest.is_back_to_back,
    rest.is_first_game_of_season,
    rest.games_in_last_7_days,
    rest.games_in_last_14_days,
    case
        when with_opponent.is_home then game_lines.home_spread
        else -1 * game_lines.home_spread
    end as closing_spread,
    game_lines.total as closing_total,
    game_lines.game_id is not null as has_closing_line
from with_opponent
inner join rest
    on rest.game_id = with_opponent.game_id
    and rest.team = with_opponent.team
left join game_lines
    on game_lines.game_id = with_opponent.game_id
