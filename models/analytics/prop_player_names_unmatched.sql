-- One row per distinct prop-feed player name whose lookup (after normalisation and the alias seed)
-- matches no player in the box scores. Must be empty: add a row to seeds/player_name_aliases.csv for
-- each name listed here (or wait for the player's first box score if he has never played).
with

prop_names as (

    select
        player_name,
        player_lookup,
        count(*) as prop_rows,
        count(distinct event_id) as events,
        min(game_date) as first_game_date,
        max(game_date) as last_game_date
    from {{ ref('int_prop_offers') }}
    group by player_name, player_lookup

),

known_lookups as (

    select distinct player_lookup from {{ ref('int_player_lookups') }}

)

select
    prop_names.player_name,
    prop_names.player_lookup,
    prop_names.prop_rows,
    prop_names.events,
    prop_names.first_game_date,
    prop_names.last_game_date
from prop_names
left join known_lookups
    on known_lookups.player_lookup = prop_names.player_lookup
where known_lookups.player_lookup is null
