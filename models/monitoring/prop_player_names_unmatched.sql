-- One row per distinct prop-feed player name whose lookup (after normalisation and the alias seed)
-- matches no player in the box scores: add a row to seeds/player_name_aliases.csv for each name listed
-- with is_checkable (or wait for the player's first box score if he has never played).
--
-- is_checkable: at least one of the name's games had box scores of BOTH its teams landed before it, so the
-- player, whichever side he is on, could have a box score here. Without that the name cannot resolve yet
-- however it is spelled: the first morning run on a fresh warehouse lands only yesterday's finals, so
-- tonight's props name players of teams that did not play yesterday (and players only ever listed inactive).
-- Only checkable names fail assert_prop_player_names_all_matched.
with

offers as (

    select * from {{ ref('int_prop_offers') }}

),

team_first_games as (

    select team, min(game_date) as first_game_date
    from {{ ref('int_player_games') }}
    group by team

),

prop_names as (

    select
        offers.player_name,
        offers.player_lookup,
        count(*) as prop_rows,
        count(distinct offers.event_id) as events,
        min(offers.game_date) as first_game_date,
        max(offers.game_date) as last_game_date,
        max(
            case when home_firsts.first_game_date < offers.game_date and away_firsts.first_game_date < offers.game_date
                then 1 else 0 end
        ) = 1 as is_checkable
    from offers
    left join team_first_games as home_firsts
        on home_firsts.team = offers.home_team
    left join team_first_games as away_firsts
        on away_firsts.team = offers.away_team
    group by offers.player_name, offers.player_lookup

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
    prop_names.last_game_date,
    prop_names.is_checkable
from prop_names
left join known_lookups
    on known_lookups.player_lookup = prop_names.player_lookup
where known_lookups.player_lookup is null
