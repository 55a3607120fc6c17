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
    where game_date >= {{ incremental_since(filter='is_played') }}
    {% endif %}

),

appearances as (

    select player_id, team, game_date, minutes_avg_l10
    from {{ ref('player_daily_cache') }}
    where is_played
    {% if is_incremental() %}
        -- only those in the rotation windows of the dates this run writes
        and game_date >= (
            select min(rotation_window_start)
            from team_dates
            where game_date >= {{ incremental_since(filter='is_played') }}
        )
    {% endif %}

),

-- day offsets 0, 1, ... up to the longest rotation window (a window lies within one season: far below the
-- 10,000 days these digits can count)
digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9

),

day_offsets as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as day_offset
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones
    where thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit < (
        select max({{ dbt.datediff('rotation_window_start', 'last_played_date', 'day') }}) from team_dates
    )

),

-- each team-date's rotation window [rotation_window_start, last_played_date) as calendar days, so that
-- appearances join it on equality (a range join over the team's whole history otherwise)
rotation_days as (

    select
        team_dates.team,
        team_dates.game_date,
        team_dates.last_played_date,
        {{ add_days('team_dates.rotation_window_start', 'day_offsets.day_offset') }} as appearance_date
    from team_dates
    inner join day_offsets
        on day_offsets.day_offset < {{ dbt.datediff('team_dates.rotation_window_start', 'team_dates.last_played_date', 'day') }}
    {% if is_incremental() %}
    -- only the dates this run writes
    where team_dates.game_date >= {{ incremental_since(filter='is_played') }}
    {% endif %}

),

-- per team-date, the latest window appearance of each player who did not play in its last game
latest_absent_appearances as (

    select
        rotation_days.team,
        rotation_days.game_date,
        recent.player_id,
        max(recent.game_date) as appearance_date
    from rotation_days
    inner join appearances as recent
        on recent.team = rotation_days.team
        and recent.game_date = rotation_days.appearance_date
    left join appearances as in_last_game
        on in_last_game.player_id = recent.player_id
        and in_last_game.team = rotation_days.team
        and in_last_game.game_date = rotation_days.last_played_date
    where in_last_game.player_id is null
    group by rotation_days.team, rotation_days.game_date, recent.player_id

),

-- the rotation players among them, by their minutes average as of that appearance
absent_teammates as (

    select
        latest.team,
        latest.game_date,
        latest.player_id,
        appearances.minutes_avg_l10
    from latest_absent_appearances as latest
    inner join appearances
        on appearances.player_id = latest.player_id
        and appearances.team = latest.team
        and appearances.game_date = latest.appearance_date
    where appearances.minutes_avg_l10 >= {{ var('rotation_minutes', 15) }}

),

-- per team-date with an earlier game this season (else nobody can be known to be out): its absent rotation
-- players and the minutes they vacate
team_absences as (

    select
        team_dates.team,
        team_dates.game_date,
        count(absent_teammates.player_id) as absent_teammates,
        coalesce(sum(absent_teammates.minutes_avg_l10), 0) as vacated_minutes
    from team_dates
    left join absent_teammates
        on absent_teammates.team = team_dates.team
        and absent_teammates.game_date = team_dates.game_date
    where team_dates.last_played_date is not null
    {% if is_incremental() %}
        and team_dates.game_date >= {{ incremental_since(filter='is_played') }}
    {% endif %}
    group by team_dates.team, team_dates.game_date

),

-- a player who is one of them himself never counts in his own usage spike: his teammates' minutes, summed
-- again without him (not subtracted, so the sum is the same as for his teammates)
absent_players as (

    select
        himself.team,
        himself.game_date,
        himself.player_id,
        count(others.player_id) as absent_teammates,
        coalesce(sum(others.minutes_avg_l10), 0) as vacated_minutes
    from absent_teammates as himself
    left join absent_teammates as others
        on others.team = himself.team
        and others.game_date = himself.game_date
        and others.player_id <> himself.player_id
    group by himself.team, himself.game_date, himself.player_id

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
        coalesce(absent_players.absent_teammates, team_absences.absent_teammates) as absent_teammates,
        coalesce(absent_players.vacated_minutes, team_absences.vacated_minutes) as vacated_minutes
    from targets
    left join team_dates as own_team
        on own_team.team = targets.team
        and own_team.game_date = targets.game_date
    left join team_dates as opponent_team
        on opponent_team.team = targets.opponent
        and opponent_team.game_date = targets.game_date
    left join team_absences
        on team_absences.team = targets.team
        and team_absences.game_date = targets.game_date
    left join absent_players
        on absent_players.team = targets.team
        and absent_players.game_date = targets.game_date
        and absent_players.player_id = targets.player_id

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
