-- Each player's status in the league's injury report, as intervals: a listing holds from report_at until
-- valid_until (the next report covering that game date; NULL while it is the latest). A player's status as of
-- a time T is the row with report_at <= T < coalesce(valid_until, T + 1): the latest report at or before T,
-- never a later one. A player not in that report is not listed (see injury_report_teams for whether his
-- team had submitted). The scorer and monitor read this (public, contract).
select
    report_at,
    valid_until,
    game_date,
    game_id,
    team,
    player_id,
    player_lookup,
    player_name,
    status,
    reason,
    reason_category,
    parse_confidence,
    is_resolved
from {{ ref('int_injury_report_players') }}
