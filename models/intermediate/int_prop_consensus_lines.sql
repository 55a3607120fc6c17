-- One row per game x player_lookup x market x snapshot_at: the consensus main line of that snapshot,
-- i.e. the median across books of each book's main line (the line priced closest to even).
-- Offers that matched no game are left out (they cannot be attached to a game).
-- The median is computed with window functions so the same SQL runs on DuckDB and BigQuery.
-- Incremental by game_date, like int_prop_offers (every window here is within one game).
{{ config(**incremental_config(grain=['game_id', 'player_lookup', 'market', 'snapshot_at'])) }}

with

book_main_lines as (

    select
        game_id,
        game_date,
        player_lookup,
        market,
        snapshot_at,
        snapshot_kind,
        bookmaker,
        line,
        tipoff_at,
        is_pregame
    from {{ ref('int_prop_offers') }}
    where main_line_rank = 1
        and game_id is not null
    {% if is_incremental() %}
        and game_date >= {{ incremental_since() }}
    {% endif %}

),

ordered_books as (

    select
        *,
        row_number() over (
            partition by game_id, player_lookup, market, snapshot_at
            order by line, bookmaker
        ) as line_position,
        count(*) over (partition by game_id, player_lookup, market, snapshot_at) as books_offering
    from book_main_lines

),

medians as (

    select
        game_id,
        player_lookup,
        market,
        snapshot_at,
        avg(line) as consensus_line
    from ordered_books
    where line_position in (floor((books_offering + 1) / 2.0), floor((books_offering + 2) / 2.0))
    group by game_id, player_lookup, market, snapshot_at

),

snapshot_summary as (

    select
        game_id,
        player_lookup,
        market,
        snapshot_at,
        max(game_date) as game_date,
        max(snapshot_kind) as snapshot_kind,
        max(tipoff_at) as tipoff_at,
        min(case when is_pregame then 1 else 0 end) = 1 as is_pregame,
        count(*) as books_offering,
        min(line) as lowest_book_line,
        max(line) as highest_book_line
    from book_main_lines
    group by game_id, player_lookup, market, snapshot_at

)

select
    snapshot_summary.game_id,
    snapshot_summary.player_lookup,
    snapshot_summary.market,
    snapshot_summary.snapshot_at,
    snapshot_summary.game_date,
    snapshot_summary.snapshot_kind,
    snapshot_summary.tipoff_at,
    snapshot_summary.is_pregame,
    medians.consensus_line,
    snapshot_summary.books_offering,
    snapshot_summary.lowest_book_line,
    snapshot_summary.highest_book_line
from snapshot_summary
inner join medians
    on medians.game_id = snapshot_summary.game_id
    and medians.player_lookup = snapshot_summary.player_lookup
    and medians.market = snapshot_summary.market
    and medians.snapshot_at = snapshot_summary.snapshot_at
