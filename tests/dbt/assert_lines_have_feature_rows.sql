-- Every (player, game, market) with a pregame line has a feature-mart row carrying that line: training rows
-- for final games (played or DNP), scoring rows for the rest. Lines whose name matches no player are left out
-- (monitoring.prop_player_names_unmatched). One row per line without a mart row, with its date.
{{ config(tags=['daily']) }}  -- also run by the daily build (selectors.yml)

with

known_lines as (

    select
        lines.game_date,
        lines.game_id,
        lines.player_lookup,
        lines.market,
        lines.latest_line
    from {{ ref('int_prop_pregame_lines') }} as lines
    where lines.player_lookup in (select player_lookup from {{ ref('int_player_lookups') }})
        and {{ daily_test_scope('lines.game_date') }}

),

mart_lines as (

    select distinct
        mart.game_id,
        lookups.player_lookup,
        mart.market
    from {{ ref('feature_mart') }} as mart
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_id = mart.player_id
    where mart.has_line
        and {{ daily_test_scope('mart.game_date') }}

)

select known_lines.*
from known_lines
left join mart_lines
    on mart_lines.game_id = known_lines.game_id
    and mart_lines.player_lookup = known_lines.player_lookup
    and mart_lines.market = known_lines.market
where mart_lines.game_id is null
