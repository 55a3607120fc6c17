-- Completeness, per date: every (player, game, market) with a pregame line for a game that is not final yet
-- has a scoring row in the feature mart. Lines whose name matches no player are left out (they are listed by
-- monitoring.prop_player_names_unmatched and its own test). One row per missing (game_date, game_id, name, market).
{{ config(tags=['daily']) }}  -- also run by the daily build (selectors.yml)

with

upcoming_lines as (

    select distinct
        lines.game_date,
        lines.game_id,
        lines.player_lookup,
        lines.market
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join {{ ref('upcoming_team_game_context') }} as upcoming
        on upcoming.game_id = lines.game_id
    where lines.player_lookup in (select player_lookup from {{ ref('int_player_lookups') }})

),

mart_rows as (

    select distinct
        mart.game_id,
        lookups.player_lookup,
        mart.market
    from {{ ref('feature_mart') }} as mart
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_id = mart.player_id
    where mart.row_kind = 'scoring'
        and {{ daily_test_scope('mart.game_date') }}

)

select upcoming_lines.*
from upcoming_lines
left join mart_rows
    on mart_rows.game_id = upcoming_lines.game_id
    and mart_rows.player_lookup = upcoming_lines.player_lookup
    and mart_rows.market = upcoming_lines.market
where mart_rows.game_id is null
