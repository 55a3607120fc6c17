{{ config(materialized="view") }}
-- The public face of int_player_lookups for Python: which NBA player_id each name key (player_lookup) means,
-- used to explain prop lines that found no feature-mart row.
select
    player_lookup,
    player_id
from {{ ref('int_player_lookups') }}
