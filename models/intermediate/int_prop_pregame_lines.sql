-- One row per game x player_lookup x market with pregame lines: the opening line (earliest pregame
-- snapshot) and the latest line (latest snapshot strictly before tip-off), each the consensus
-- (median across books) main line of that snapshot.
-- Incremental by game_date, like int_prop_offers (every window here is within one game).
{{ config(**incremental_config(grain=['game_id', 'player_lookup', 'market'])) }}

with

pregame_snapshots as (

    select
        *,
        row_number() over (partition by game_id, player_lookup, market order by snapshot_at) as earliest_rank,
        row_number() over (partition by game_id, player_lookup, market order by snapshot_at desc) as latest_rank,
        count(*) over (partition by game_id, player_lookup, market) as pregame_snapshots
    from {{ ref('int_prop_consensus_lines') }}
    where is_pregame
    {% if is_incremental() %}
        and game_date >= {{ incremental_since() }}
    {% endif %}

),

opening as (

    select * from pregame_snapshots
    where earliest_rank = 1

),

latest as (

    select * from pregame_snapshots
    where latest_rank = 1

)

select
    latest.game_id,
    latest.player_lookup,
    latest.market,
    latest.game_date,
    opening.consensus_line as opening_line,
    opening.snapshot_at as opening_snapshot_at,
    opening.books_offering as opening_books_offering,
    latest.consensus_line as latest_line,
    latest.snapshot_at as latest_snapshot_at,
    latest.snapshot_kind as latest_snapshot_kind,
    latest.books_offering as latest_books_offering,
    latest.consensus_line - opening.consensus_line as line_movement,
    latest.pregame_snapshots
from latest
inner join opening
    on opening.game_id = latest.game_id
    and opening.player_lookup = latest.player_lookup
    and opening.market = latest.market
