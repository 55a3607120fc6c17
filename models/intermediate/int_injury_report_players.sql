-- One row per player listed in one injury report, resolved to NBA's player_id through the same name key and
-- alias seed as the props (player_lookup, seeds/player_name_aliases.csv, int_player_lookups). A key several
-- players share goes to the one whose latest box score was for the listed team; a name no box score knows
-- keeps player_id NULL (is_resolved false). Each listing holds from its report until the next report that
-- covers the same game date (a report is the full list at its time; valid_until NULL = still the latest).
with

listed as (

    select * from {{ ref('stg_injury_report__injury_reports') }}
    where not is_not_yet_submitted

),

aliases as (

    select * from {{ ref('player_name_aliases') }}

),

keyed as (

    select
        listed.*,
        coalesce(aliases.player_lookup, listed.player_lookup) as resolved_lookup
    from listed
    left join aliases
        on aliases.alias_lookup = listed.player_lookup

),

candidates as (

    select
        keyed._source,
        keyed.report_page,
        keyed.report_line,
        lookups.player_id,
        row_number() over (
            partition by keyed._source, keyed.report_page, keyed.report_line
            order by
                case when players.last_team = keyed.team then 0 else 1 end,
                players.last_game_date desc,
                lookups.player_id
        ) as candidate_rank
    from keyed
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = keyed.resolved_lookup
    inner join {{ ref('int_players') }} as players
        on players.player_id = lookups.player_id

),

report_times as (

    select distinct game_date, report_at
    from {{ ref('stg_injury_report__injury_reports') }}

),

next_reports as (

    select
        earlier.game_date,
        earlier.report_at,
        min(later.report_at) as valid_until
    from report_times as earlier
    left join report_times as later
        on later.game_date = earlier.game_date
        and later.report_at > earlier.report_at
    group by earlier.game_date, earlier.report_at

)

select
    keyed.report_at,
    next_reports.valid_until,
    keyed.game_date,
    games.game_id,
    keyed.matchup,
    keyed.team,
    keyed.team_name,
    candidates.player_id,
    keyed.resolved_lookup as player_lookup,
    keyed.player_name,
    keyed.printed_name,
    keyed.status,
    keyed.reason,
    keyed.reason_category,
    keyed.parse_confidence,
    candidates.player_id is not null as is_resolved,
    keyed.report_page,
    keyed.report_line,
    keyed._source
from keyed
left join candidates
    on candidates._source = keyed._source
    and candidates.report_page = keyed.report_page
    and candidates.report_line = keyed.report_line
    and candidates.candidate_rank = 1
left join next_reports
    on next_reports.game_date = keyed.game_date
    and next_reports.report_at = keyed.report_at
left join {{ ref('int_games') }} as games
    on games.game_date = keyed.game_date
    and games.home_team = keyed.home_team
    and games.away_team = keyed.away_team
