-- Player x date: the composite factors, each formula written once in macros/composite_factors.sql and
-- unit-tested in _precompute__models.yml: fatigue, pace differential, usage spike (minutes vacated by absent
-- rotation teammates) and rest advantage. Inputs come from the two caches, so everything is known before
-- the game's date.
-- Absent teammates of team T before date D: players who played for T in one of T's last 5 games of the
-- season before D, averaged at least var('rotation_minutes', 15) minutes over their last 10 games (as of
-- their latest such game), and did NOT play in T's most recent game. Each contributes that minutes average;
-- the player himself is never counted in his own usage spike. Long absences drop out after 5 team games
-- (his teammates' recent averages already reflect them). NULL on the team's first game of a season.
-- Incremental by game_date, like player_daily_cache.
{{ config(**incremental_config(grain=['player_id', 'game_date'])) }}

with

player_dates as (

    select * from {{ ref('player_daily_cache') }}

),

team_dates as (

    select * from {{ ref('team_defense_daily_cache') }}

),

targets as (

    select
        player_id,
        game_date,
        game_id,
        season,
        team,
        opponent,
        is_played,
        minutes_last_7d,
        played_yesterday
    from player_dates
    {% if is_incremental() %}
    where game_date >= coalesce({{ incremental_lower_bound('game_date', filter='is_played') }}, cast('1900-01-01' as date))
    {% endif %}

),

appearances as (

    select player_id, team, game_date, minutes_avg_l10
    from player_dates
    where is_played

),

-- every rotation-window appearance, latest first per player
recent_appearances as (

    select
        team_dates.team,
        team_dates.game_date,
        team_dates.last_played_date,
        appearances.player_id,
        appearances.minutes_avg_l10,
        row_number() over (
            partition by team_dates.team, team_dates.game_date, appearances.player_id
            order by appearances.game_date desc
        ) as appearance_rank
    from team_dates
    inner join appearances
        on appearances.team = team_dates.team
        and appearances.game_date >= team_dates.rotation_window_start
        and appearances.game_date < team_dates.last_played_date
    {% if is_incremental() %}
    -- only the dates this run writes (the join is a range join over the whole history otherwise)
    where team_dates.game_date >= coalesce({{ incremental_lower_bound('game_date', filter='is_played') }}, cast('1900-01-01' as date))
    {% endif %}

),

absent_teammates as (

    select
        recent.team,
        recent.game_date,
        recent.player_id,
        recent.minutes_avg_l10
    from recent_appearances as recent
    left join appearances as in_last_game
        on in_last_game.player_id = recent.player_id
        and in_last_game.team = recent.team
        and in_last_game.game_date = recent.last_played_date
    where recent.appearance_rank = 1
        and in_last_game.player_id is null
        and recent.minutes_avg_l10 >= {{ var('rotation_minutes', 15) }}

),

vacated as (

    select
        targets.player_id,
        targets.game_date,
        count(absent_teammates.player_id) as absent_teammates,
        coalesce(sum(absent_teammates.minutes_avg_l10), 0) as vacated_minutes
    from targets
    inner join team_dates
        on team_dates.team = targets.team
        and team_dates.game_date = targets.game_date
    left join absent_teammates
        on absent_teammates.team = targets.team
        and absent_teammates.game_date = targets.game_date
        and absent_teammates.player_id <> targets.player_id
    -- no earlier game this season: nobody can be known to be out
    where team_dates.last_played_date is not null
    group by targets.player_id, targets.game_date

),

with_inputs as (

    select
        targets.*,
        own_team.pace_l15 as team_pace_l15,
        own_team.pace_games_l15 as team_pace_games_l15,
        opponent_team.pace_l15 as opponent_pace_l15,
        opponent_team.pace_games_l15 as opponent_pace_games_l15,
        own_team.days_rest as team_days_rest,
        opponent_team.days_rest as opponent_days_rest,
        vacated.absent_teammates,
        vacated.vacated_minutes
    from targets
    left join team_dates as own_team
        on own_team.team = targets.team
        and own_team.game_date = targets.game_date
    left join team_dates as opponent_team
        on opponent_team.team = targets.opponent
        and opponent_team.game_date = targets.game_date
    left join vacated
        on vacated.player_id = targets.player_id
        and vacated.game_date = targets.game_date

)

select
    player_id,
    game_date,
    game_id,
    season,
    team,
    opponent,
    is_played,
    minutes_last_7d,
    played_yesterday,
    team_pace_l15,
    team_pace_games_l15,
    opponent_pace_l15,
    opponent_pace_games_l15,
    team_days_rest,
    opponent_days_rest,
    absent_teammates,
    vacated_minutes,
    {{ fatigue('minutes_last_7d', 'played_yesterday') }} as fatigue,
    {{ pace_differential('team_pace_l15', 'opponent_pace_l15') }} as pace_differential,
    {{ usage_spike('vacated_minutes') }} as usage_spike,
    {{ rest_advantage('team_days_rest', 'opponent_days_rest') }} as rest_advantage
from with_inputs
