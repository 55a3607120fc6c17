-- One player box score per player per game date, across every _source that landed it: prefer the row
-- with shooting detail (fga not null), then the latest load. Games played only: a live box score's
-- DNP/inactive row (not_playing_reason set, placeholder zeros) is not a game played, so it never
-- enters sums, averages or rolling windows; absence is how "did not play" reads downstream.
-- Mapped to the canonical game through
-- int_game_teams on (game_date, team); a row that finds no game keeps game_id NULL so the
-- not_null test surfaces it.
-- Incremental by game_date (macros/incremental_config.sql): a run rewrites the last few game dates.
{{ config(**incremental_config(grain=['game_date', 'player_id'])) }}
with

player_logs as (

    select * from {{ ref('stg_nba__player_game_logs') }}
    {% if is_incremental() %}
    where game_date >= {{ incremental_since() }}
    {% endif %}

),

ranked_sources as (

    select
        *,
        {{ box_score_source_rank(['game_date', 'player_id']) }} as source_rank
    from player_logs

),

best_rows as (

    select * from ranked_sources
    where source_rank = 1
        and not_playing_reason is null

),

aliases as (

    select * from {{ ref('player_name_aliases') }}

)

select
    game_teams.game_id,
    best_rows.player_id,
    best_rows.player_name,
    coalesce(aliases.player_lookup, best_rows.player_lookup) as player_lookup,
    best_rows.team_abbreviation as team,
    coalesce(game_teams.team_id, best_rows.team_id) as team_id,
    game_teams.opponent,
    game_teams.is_home,
    best_rows.game_date,
    game_teams.season,
    game_teams.season_start_year,
    coalesce(game_teams.season_type, best_rows.season_type) as season_type,
    best_rows.starter,
    best_rows.player_status,
    best_rows.not_playing_reason,
    best_rows.minutes,
    best_rows.points,
    best_rows.rebounds,
    best_rows.assists,
    best_rows.threes,
    best_rows.steals,
    best_rows.blocks,
    best_rows.turnovers,
    best_rows.personal_fouls,
    best_rows.fgm,
    best_rows.fga,
    best_rows.fg3m,
    best_rows.fg3a,
    best_rows.ftm,
    best_rows.fta,
    best_rows.oreb,
    best_rows.dreb,
    best_rows.plus_minus,
    best_rows.game_id as source_game_id,
    best_rows._source,
    best_rows._loaded_at
from best_rows
left join {{ ref('int_game_teams') }} as game_teams
    on game_teams.game_date = best_rows.game_date
    and game_teams.team = best_rows.team_abbreviation
left join aliases
    on aliases.alias_lookup = best_rows.player_lookup
-- preseason rows find no game (int_games leaves preseason out) and are dropped; any other row that
-- finds no game is kept with game_id NULL
where game_teams.game_id is not null
    or best_rows.season_type is null
    or best_rows.season_type <> 'preseason'
