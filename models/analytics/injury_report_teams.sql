-- One row per (report, game date, team) the league's injury report printed: how many players it listed, or
-- that the team had NOT YET SUBMITTED. A team a report covers (its game date is in it) but does not print was
-- submitted with nobody listed. With player_injury_status this tells "not listed" from "not known yet".
with

report_rows as (

    select * from {{ ref('stg_injury_report__injury_reports') }}

)

select
    report_rows.report_at,
    report_rows.game_date,
    games.game_id,
    report_rows.matchup,
    report_rows.team,
    max(case when report_rows.is_not_yet_submitted then 1 else 0 end) = 1 as is_not_yet_submitted,
    cast(sum(case when report_rows.is_not_yet_submitted then 0 else 1 end) as {{ dbt.type_bigint() }}) as players_listed
from report_rows
left join {{ ref('int_games') }} as games
    on games.game_date = report_rows.game_date
    and games.home_team = report_rows.home_team
    and games.away_team = report_rows.away_team
group by report_rows.report_at, report_rows.game_date, games.game_id, report_rows.matchup, report_rows.team
