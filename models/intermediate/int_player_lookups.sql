-- One row per (player_lookup, player_id): every name key a player has had in the box scores (after
-- aliases). A prop name resolves to a player through this table; a key shared by two players
-- (namesakes) is disambiguated where it is used, by the game's teams.
with

player_games as (

    select * from {{ ref('int_player_games') }}

)

select
    player_lookup,
    player_id,
    min(game_date) as first_game_date,
    max(game_date) as last_game_date,
    count(*) as games_played
from player_games
group by player_lookup, player_id
