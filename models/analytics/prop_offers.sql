{{ config(materialized="view") }}
-- The public face of int_prop_offers for Python (pricing, closing-line value, coverage): one row per offer
-- (snapshot x game x player x market x book x line), the columns predict/offers.py reads, under a contract.
select
    snapshot_at,
    game_id,
    game_date,
    player_lookup,
    player_name,
    market,
    bookmaker,
    line,
    over_odds,
    under_odds,
    main_line_rank,
    is_pregame
from {{ ref('int_prop_offers') }}
