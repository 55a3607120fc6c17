-- One row per game, keyed by (game_date, the two teams): THE place the canonical game id is resolved.
-- Candidates come from the schedule, team logs and player logs; the canonical id is a real NBA id from
-- any of them (schedule first, then team logs, then player logs), else the importer's derived id.
-- Home/away and season type come from the highest-priority source that knows them.
-- Scope: franchise games only (both teams in the teams seed); preseason and All-Star games are left out,
-- games whose season type is unknown everywhere are kept (season_type NULL).
-- is_upcoming: in the schedule with no box score yet (no team or player log rows).
with

schedule_candidates as (

    select
        game_date,
        home_team,
        away_team,
        game_id,
        false as game_id_derived,
        season_type,
        1 as source_priority,
        _loaded_at,
        _source
    from {{ ref('stg_nba__scheduled_games') }}

),

team_log_candidates as (

    select
        game_date,
        matchup_home_team as home_team,
        matchup_away_team as away_team,
        game_id,
        game_id_derived,
        season_type,
        2 as source_priority,
        _loaded_at,
        _source
    from {{ ref('stg_nba__team_game_logs') }}

),

player_log_candidates as (

    select
        game_date,
        matchup_home_team as home_team,
        matchup_away_team as away_team,
        game_id,
        game_id_derived,
        season_type,
        3 as source_priority,
        max(_loaded_at) as _loaded_at,
        _source
    from {{ ref('stg_nba__player_game_logs') }}
    group by game_date, matchup_home_team, matchup_away_team, game_id, game_id_derived, season_type, _source

),

candidates as (

    select
        *,
        least(home_team, away_team) as team_a,
        greatest(home_team, away_team) as team_b
    from (
        select * from schedule_candidates
        union all
        select * from team_log_candidates
        union all
        select * from player_log_candidates
    ) as all_candidates

),

ranked_ids as (

    select
        game_date,
        team_a,
        team_b,
        game_id,
        game_id_derived,
        row_number() over (
            partition by game_date, team_a, team_b
            order by case when game_id_derived then 1 else 0 end, source_priority, _loaded_at desc, game_id
        ) as id_rank
    from candidates

),

ranked_sides as (

    select
        game_date,
        team_a,
        team_b,
        home_team,
        away_team,
        -- neutral-site games: the slim logs write both teams as the away side, so ties are broken
        -- deterministically (schedule first, then the team logs with NBA ids, then by name)
        row_number() over (
            partition by game_date, team_a, team_b
            order by source_priority, case when game_id_derived then 1 else 0 end, _loaded_at desc, _source, home_team
        ) as side_rank
    from candidates

),

ranked_season_types as (

    select
        game_date,
        team_a,
        team_b,
        season_type,
        row_number() over (
            partition by game_date, team_a, team_b
            order by source_priority, case when game_id_derived then 1 else 0 end, _loaded_at desc, _source, season_type
        ) as season_type_rank
    from candidates
    where season_type is not null

),

schedule_rows as (

    select
        game_date,
        least(home_team, away_team) as team_a,
        greatest(home_team, away_team) as team_b,
        tipoff_at,
        game_status,
        is_final,
        home_team as scheduled_home_team,
        home_points,
        away_points,
        row_number() over (
            partition by game_date, least(home_team, away_team), greatest(home_team, away_team)
            order by _loaded_at desc, _source desc
        ) as schedule_rank
    from {{ ref('stg_nba__scheduled_games') }}

),

box_score_presence as (

    select
        game_date,
        team_a,
        team_b,
        max(case when source_priority = 1 then 1 else 0 end) as in_schedule,
        max(case when source_priority = 2 then 1 else 0 end) as in_team_logs,
        max(case when source_priority = 3 then 1 else 0 end) as in_player_logs
    from candidates
    group by game_date, team_a, team_b

),

franchises as (

    select team_abbreviation from {{ ref('teams') }}

),

resolved as (

    select
        ids.game_id,
        ids.game_id_derived,
        presence.game_date,
        sides.home_team,
        sides.away_team,
        season_types.season_type,
        schedule_rows.tipoff_at,
        schedule_rows.game_status as schedule_game_status,
        coalesce(schedule_rows.is_final, false) as schedule_is_final,
        case
            when schedule_rows.scheduled_home_team = sides.home_team then schedule_rows.home_points
            else schedule_rows.away_points
        end as schedule_home_points,
        case
            when schedule_rows.scheduled_home_team = sides.home_team then schedule_rows.away_points
            else schedule_rows.home_points
        end as schedule_away_points,
        presence.in_schedule = 1 as has_schedule_row,
        presence.in_team_logs = 1 as has_team_box_score,
        presence.in_player_logs = 1 as has_player_box_score
    from box_score_presence as presence
    inner join ranked_ids as ids
        on ids.game_date = presence.game_date
        and ids.team_a = presence.team_a
        and ids.team_b = presence.team_b
        and ids.id_rank = 1
    inner join ranked_sides as sides
        on sides.game_date = presence.game_date
        and sides.team_a = presence.team_a
        and sides.team_b = presence.team_b
        and sides.side_rank = 1
    left join ranked_season_types as season_types
        on season_types.game_date = presence.game_date
        and season_types.team_a = presence.team_a
        and season_types.team_b = presence.team_b
        and season_types.season_type_rank = 1
    left join schedule_rows
        on schedule_rows.game_date = presence.game_date
        and schedule_rows.team_a = presence.team_a
        and schedule_rows.team_b = presence.team_b
        and schedule_rows.schedule_rank = 1

),

with_season as (

    select
        resolved.*,
        calendar.season,
        calendar.season_start_year
    from resolved
    left join {{ ref('season_calendar') }} as calendar
        on resolved.game_date >= calendar.starts_on
        and resolved.game_date <= calendar.ends_on

)

select
    game_id,
    game_id_derived,
    game_date,
    season,
    season_start_year,
    season_type,
    home_team,
    away_team,
    tipoff_at,
    schedule_game_status,
    schedule_is_final,
    schedule_home_points,
    schedule_away_points,
    has_schedule_row,
    has_team_box_score,
    has_player_box_score,
    has_schedule_row and not (has_team_box_score or has_player_box_score) as is_upcoming
from with_season
where home_team in (select team_abbreviation from franchises)
    and away_team in (select team_abbreviation from franchises)
    and (season_type is null or season_type not in ('preseason', 'all_star'))
