-- Player x game: the box score (deduplicated across sources, on the canonical game), efficiency and
-- usage with reasons when they cannot be computed, rest, and the pregame consensus prop line per market
-- (median across books of each book's main line, from the latest snapshot strictly before tip-off).
-- Competitive games only (regular, playoffs, play-in, Cup final; unknown season types kept):
-- int_games leaves out preseason and All-Star exhibitions.
with

player_games as (

    select * from {{ ref('int_player_games') }}
    where game_id is not null

),

team_totals as (

    select game_id, team, team_minutes, fga, fta, turnovers
    from {{ ref('int_team_games') }}
    where game_id is not null

),

players as (

    select player_id, player_lookup from {{ ref('int_players') }}

),

with_rest as (

    select
        game_id,
        player_id,
        {{ previous_game_date('game_date', ['player_id', 'season']) }} as previous_game_date
    from player_games

),

player_prop_lines as (

    select
        player_games.game_id,
        player_games.player_id,
        lines.market,
        lines.latest_line,
        lines.latest_books_offering
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = lines.player_lookup
    inner join player_games
        on player_games.game_id = lines.game_id
        and player_games.player_id = lookups.player_id

),

lines_by_market as (

    select
        game_id,
        player_id,
        max(case when market = 'points' then latest_line end) as points_line,
        max(case when market = 'rebounds' then latest_line end) as rebounds_line,
        max(case when market = 'assists' then latest_line end) as assists_line,
        max(case when market = 'threes' then latest_line end) as threes_line,
        max(case when market = 'pra' then latest_line end) as pra_line,
        max(case when market = 'points' then latest_books_offering end) as points_line_books,
        count(distinct market) as markets_with_line
    from player_prop_lines
    group by game_id, player_id

)

select
    player_games.game_id,
    player_games.player_id,
    player_games.player_name,
    players.player_lookup,
    player_games.team,
    player_games.team_id,
    player_games.opponent,
    player_games.is_home,
    player_games.starter,
    player_games.season,
    player_games.season_type,
    player_games.game_date,
    player_games.minutes,
    player_games.points,
    player_games.rebounds,
    player_games.assists,
    player_games.threes,
    player_games.points + player_games.rebounds + player_games.assists as pra,
    player_games.steals,
    player_games.blocks,
    player_games.turnovers,
    player_games.personal_fouls,
    player_games.fgm,
    player_games.fga,
    player_games.fg3m,
    player_games.fg3a,
    player_games.ftm,
    player_games.fta,
    player_games.oreb,
    player_games.dreb,
    player_games.plus_minus,
    player_games.fga is not null as has_shot_counts,
    {{ true_shooting_pct('player_games.points', 'player_games.fga', 'player_games.fta') }} as ts_pct,
    {{ true_shooting_pct_missing_reason('player_games.points', 'player_games.fga', 'player_games.fta') }} as ts_pct_missing_reason,
    {{ effective_fg_pct('player_games.fgm', 'player_games.fg3m', 'player_games.fga') }} as efg_pct,
    {{ effective_fg_pct_missing_reason('player_games.fgm', 'player_games.fg3m', 'player_games.fga') }} as efg_pct_missing_reason,
    {{ usage_rate(
        'player_games.fga', 'player_games.fta', 'player_games.turnovers', 'player_games.minutes',
        'team_totals.fga', 'team_totals.fta', 'team_totals.turnovers', 'team_totals.team_minutes') }} as usage_rate,
    {{ usage_rate_missing_reason(
        'player_games.fga', 'player_games.fta', 'player_games.turnovers', 'player_games.minutes',
        'team_totals.fga', 'team_totals.fta', 'team_totals.turnovers', 'team_totals.team_minutes') }} as usage_rate_missing_reason,
    with_rest.previous_game_date,
    {{ days_since_previous_game('with_rest.previous_game_date', 'player_games.game_date') }} as days_since_previous_game,
    {{ is_back_to_back('with_rest.previous_game_date', 'player_games.game_date') }} as is_back_to_back,
    with_rest.previous_game_date is null as is_first_game_of_season,
    lines_by_market.points_line,
    lines_by_market.rebounds_line,
    lines_by_market.assists_line,
    lines_by_market.threes_line,
    lines_by_market.pra_line,
    lines_by_market.points_line_books,
    coalesce(lines_by_market.markets_with_line, 0) as markets_with_line,
    lines_by_market.game_id is not null as has_prop_line
from player_games
inner join players
    on players.player_id = player_games.player_id
inner join with_rest
    on with_rest.game_id = player_games.game_id
    and with_rest.player_id = player_games.player_id
left join team_totals
    on team_totals.game_id = player_games.game_id
    and team_totals.team = player_games.team
left join lines_by_market
    on lines_by_market.game_id = player_games.game_id
    and lines_by_market.player_id = player_games.player_id
