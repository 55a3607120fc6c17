-- Team x game, the team's defence: what the opponent scored, shot and rebounded against it, the
-- opponent's possessions and the team's defensive rating (points allowed per 100 opponent possessions).
-- Competitive games only; a team-game whose opponent box score is missing keeps NULLs with a reason.
with

team_games as (

    select * from {{ ref('int_team_games') }}
    where game_id is not null

),

against as (

    select
        team_games.game_id,
        team_games.team,
        team_games.team_id,
        team_games.opponent,
        team_games.is_home,
        team_games.season,
        team_games.season_type,
        team_games.game_date,
        team_games.dreb,
        team_games.steals,
        team_games.blocks,
        opponents.game_id is not null as has_opponent_box_score,
        opponents.team_minutes as opponent_minutes,
        opponents.points as opponent_points,
        opponents.fgm as opponent_fgm,
        opponents.fga as opponent_fga,
        opponents.fg3m as opponent_fg3m,
        opponents.fg3a as opponent_fg3a,
        opponents.ftm as opponent_ftm,
        opponents.fta as opponent_fta,
        opponents.oreb as opponent_oreb,
        opponents.dreb as opponent_dreb,
        opponents.rebounds as opponent_rebounds,
        opponents.assists as opponent_assists,
        opponents.turnovers as opponent_turnovers,
        {{ possessions('opponents.fga', 'opponents.fta', 'opponents.turnovers', 'opponents.oreb') }} as opponent_possessions
    from team_games
    left join team_games as opponents
        on opponents.game_id = team_games.game_id
        and opponents.team = team_games.opponent

)

select
    game_id,
    team,
    team_id,
    opponent,
    is_home,
    season,
    season_type,
    game_date,
    has_opponent_box_score,
    opponent_points as points_allowed,
    opponent_fgm,
    opponent_fga,
    opponent_fg3m,
    opponent_fg3a,
    opponent_ftm,
    opponent_fta,
    opponent_oreb,
    opponent_dreb,
    opponent_rebounds,
    opponent_assists,
    opponent_turnovers as turnovers_forced,
    dreb,
    steals,
    blocks,
    {{ safe_divide('dreb', 'dreb + opponent_oreb') }} as defensive_rebound_pct,
    case
        when not has_opponent_box_score then 'opponent_box_score_missing'
        when dreb is null or opponent_oreb is null then 'rebound_counts_missing'
        when dreb + opponent_oreb = 0 then 'no_rebound_chances'
    end as defensive_rebound_pct_missing_reason,
    {{ effective_fg_pct('opponent_fgm', 'opponent_fg3m', 'opponent_fga') }} as opponent_efg_pct,
    case
        when not has_opponent_box_score then 'opponent_box_score_missing'
        else {{ effective_fg_pct_missing_reason('opponent_fgm', 'opponent_fg3m', 'opponent_fga') }}
    end as opponent_efg_pct_missing_reason,
    {{ true_shooting_pct('opponent_points', 'opponent_fga', 'opponent_fta') }} as opponent_ts_pct,
    case
        when not has_opponent_box_score then 'opponent_box_score_missing'
        else {{ true_shooting_pct_missing_reason('opponent_points', 'opponent_fga', 'opponent_fta') }}
    end as opponent_ts_pct_missing_reason,
    opponent_possessions,
    case
        when not has_opponent_box_score then 'opponent_box_score_missing'
        else {{ possessions_missing_reason('opponent_fga', 'opponent_fta', 'opponent_turnovers', 'opponent_oreb') }}
    end as opponent_possessions_missing_reason,
    {{ defensive_rating('opponent_points', 'opponent_possessions') }} as defensive_rating,
    case
        when not has_opponent_box_score then 'opponent_box_score_missing'
        else {{ rating_missing_reason('opponent_points', 'opponent_possessions') }}
    end as defensive_rating_missing_reason
from against
