-- One row per NBA player id seen in any box score: the latest name and its lookup (after aliases),
-- every distinct name seen, and where/when he last played.
with

player_games as (

    select * from {{ ref('int_player_games') }}

),

latest_games as (

    select
        player_id,
        player_name,
        player_lookup,
        team,
        game_date,
        row_number() over (partition by player_id order by game_date desc) as recency_rank
    from player_games

),

distinct_names as (

    select distinct player_id, player_name
    from player_games

),

names_seen as (

    select
        player_id,
        count(*) as name_count,
        {{ dbt.listagg('player_name', "' | '", 'order by player_name') }} as names_seen
    from distinct_names
    group by player_id

),

game_span as (

    select
        player_id,
        min(game_date) as first_game_date,
        max(game_date) as last_game_date,
        count(*) as games_played
    from player_games
    group by player_id

)

select
    latest_games.player_id,
    latest_games.player_name,
    latest_games.player_lookup,
    names_seen.names_seen,
    names_seen.name_count,
    latest_games.team as last_team,
    game_span.first_game_date,
    game_span.last_game_date,
    game_span.games_played
from latest_games
inner join names_seen
    on names_seen.player_id = latest_games.player_id
inner join game_span
    on game_span.player_id = latest_games.player_id
where latest_games.recency_rank = 1
