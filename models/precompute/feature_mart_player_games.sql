-- Player x date: the player-games the feature mart has rows for (its row universe, before the fan-out to
-- markets), one per player per date:
--   box_score      every game he played (player_game_summary)
--   scheduled      every scheduled game he is expected in (upcoming_player_game_context)
--   dnp_with_line  every final game he had a pregame prop line for but did not play. The line's name key
--                  means him when no player who played in that game has the key; his team is the team of his
--                  previous game when that team plays in this one.
-- A player has at most one game a day: a box score beats a schedule row, which beats a DNP.
-- player_daily_cache computes what was known before each of these rows; the feature mart adds the markets.
-- Incremental by game_date like player_daily_cache: a run rewrites the dates from incremental_lookback_days
-- before the newest box score onwards (a DNP's previous game is looked up in all his history).
{{ config(**incremental_config(grain=['player_id', 'game_date'])) }}

with

box_scores as (

    select player_id, game_id, game_date, season, season_type, team, opponent, is_home
    from {{ ref('player_game_summary') }}
    {%- if is_incremental() %}
    where game_date >= {{ incremental_since(filter="row_source = 'box_score'") }}
    {%- endif %}

),

final_games as (

    -- one row per final game (the home side), for the game's date, season and teams
    select game_id, game_date, season, season_type
    from {{ ref('team_offense_game_summary') }}
    where is_home
    {%- if is_incremental() %}
        and game_date >= {{ incremental_since(filter="row_source = 'box_score'") }}
    {%- endif %}

),

final_game_sides as (

    select game_id, team, opponent, is_home
    from {{ ref('team_offense_game_summary') }}

),

-- prop lines on final games, per (game, prop name key): the players the name key can mean
final_game_line_candidates as (

    select distinct
        lines.game_id,
        lines.player_lookup,
        lookups.player_id
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join final_games
        on final_games.game_id = lines.game_id
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = lines.player_lookup

),

-- name keys that already belong to a player who played in that game: those lines are his
lines_of_players_who_played as (

    select distinct candidates.game_id, candidates.player_lookup
    from final_game_line_candidates as candidates
    inner join box_scores
        on box_scores.game_id = candidates.game_id
        and box_scores.player_id = candidates.player_id

),

-- the rest are DNPs
dnp_lines as (

    select candidates.*
    from final_game_line_candidates as candidates
    left join lines_of_players_who_played as taken
        on taken.game_id = candidates.game_id
        and taken.player_lookup = candidates.player_lookup
    where taken.game_id is null

),

-- the games of the players a DNP line can mean, before that game: his previous one gives his team
dnp_candidates as (

    select
        dnp_lines.game_id,
        dnp_lines.player_lookup,
        dnp_lines.player_id,
        final_games.game_date,
        previous_games.team as previous_team,
        previous_games.game_date as previous_game_date,
        row_number() over (
            partition by dnp_lines.game_id, dnp_lines.player_id
            order by previous_games.game_date desc
        ) as previous_rank
    from dnp_lines
    inner join final_games
        on final_games.game_id = dnp_lines.game_id
    left join {{ ref('player_game_summary') }} as previous_games
        on previous_games.player_id = dnp_lines.player_id
        and previous_games.game_date < final_games.game_date

),

-- per (game, name key): the one player it means (his previous team plays in the game, most recently seen)
dnp_ranked as (

    select
        dnp_candidates.game_id,
        dnp_candidates.player_id,
        sides.team,
        sides.opponent,
        sides.is_home,
        row_number() over (
            partition by dnp_candidates.game_id, dnp_candidates.player_lookup
            order by
                case when sides.team is not null then 0 else 1 end,
                dnp_candidates.previous_game_date desc,
                dnp_candidates.player_id
        ) as candidate_rank
    from dnp_candidates
    left join final_game_sides as sides
        on sides.game_id = dnp_candidates.game_id
        and sides.team = dnp_candidates.previous_team
    where dnp_candidates.previous_rank = 1

),

player_game_rows as (

    select
        player_id,
        game_id,
        game_date,
        season,
        season_type,
        team,
        opponent,
        is_home,
        'box_score' as row_source,
        1 as source_priority
    from box_scores

    union all

    select
        player_id,
        game_id,
        game_date,
        season,
        season_type,
        team,
        opponent,
        is_home,
        'scheduled' as row_source,
        2 as source_priority
    from {{ ref('upcoming_player_game_context') }}
    where player_id is not null
    {%- if is_incremental() %}
        and game_date >= {{ incremental_since(filter="row_source = 'box_score'") }}
    {%- endif %}

    union all

    select
        dnp_ranked.player_id,
        dnp_ranked.game_id,
        final_games.game_date,
        final_games.season,
        final_games.season_type,
        dnp_ranked.team,
        dnp_ranked.opponent,
        dnp_ranked.is_home,
        'dnp_with_line' as row_source,
        3 as source_priority
    from dnp_ranked
    inner join final_games
        on final_games.game_id = dnp_ranked.game_id
    where dnp_ranked.candidate_rank = 1

),

-- one row per player per date (a player has at most one game a day)
one_per_date as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by player_id, game_date
                order by source_priority, game_id
            ) as date_rank
        from player_game_rows
    ) as ranked
    where date_rank = 1

)

select
    player_id,
    game_date,
    game_id,
    season,
    season_type,
    team,
    opponent,
    is_home,
    row_source = 'box_score' as is_played,
    row_source
from one_per_date
