-- Player x scheduled game (in the schedule, no box score yet). Which players:
--   * roster: his most recent game before the scheduled date was for one of the two teams, within
--     var('upcoming_roster_lookback_days') (30) days;
--   * props: anyone with a pregame prop line for the game (matched by player_lookup, aliases applied).
-- Key (game_id, player_lookup): player_lookup is the player's canonical key when he is known
-- (int_players), else the prop feed's key (player_id NULL, is_known_player false).
-- Rest: days since his previous game (same season; NULL + is_first_game_of_season otherwise);
-- games in the 7 / 14 calendar days before the date. Lines per market: opening (earliest pregame
-- snapshot) and latest consensus main line, and the movement between them.
with

upcoming_team_games as (

    select * from {{ ref('int_game_teams') }}
    where is_upcoming

),

upcoming_games as (

    select * from {{ ref('int_games') }}
    where is_upcoming

),

player_games as (

    select * from {{ ref('int_player_games') }}
    where game_id is not null

),

players as (

    select * from {{ ref('int_players') }}

),

-- each played game is the player's "most recent game" from its date until his next game
player_game_spans as (

    select
        player_id,
        team,
        season,
        game_date,
        lead(game_date) over (partition by player_id order by game_date) as next_game_date
    from player_games

),

roster_players as (

    select
        upcoming_team_games.game_id,
        spans.player_id,
        upcoming_team_games.team
    from upcoming_team_games
    inner join player_game_spans as spans
        on spans.team = upcoming_team_games.team
        and spans.game_date < upcoming_team_games.game_date
        and spans.game_date >= {{ add_days('upcoming_team_games.game_date', -1 * var('upcoming_roster_lookback_days')) }}
        and (spans.next_game_date is null or spans.next_game_date >= upcoming_team_games.game_date)

),

upcoming_lines as (

    select lines.*
    from {{ ref('int_prop_pregame_lines') }} as lines
    inner join upcoming_games
        on upcoming_games.game_id = lines.game_id

),

prop_name_candidates as (

    select
        prop_names.game_id,
        prop_names.player_lookup as prop_lookup,
        lookups.player_id,
        case
            when players.last_team in (upcoming_games.home_team, upcoming_games.away_team) then players.last_team
        end as team,
        row_number() over (
            partition by prop_names.game_id, prop_names.player_lookup
            order by
                case when players.last_team in (upcoming_games.home_team, upcoming_games.away_team) then 0 else 1 end,
                players.last_game_date desc
        ) as candidate_rank
    from (select distinct game_id, player_lookup from upcoming_lines) as prop_names
    inner join upcoming_games
        on upcoming_games.game_id = prop_names.game_id
    left join {{ ref('int_player_lookups') }} as lookups
        on lookups.player_lookup = prop_names.player_lookup
    left join players
        on players.player_id = lookups.player_id

),

prop_players as (

    select
        candidates.game_id,
        candidates.prop_lookup,
        candidates.player_id,
        coalesce(players.player_lookup, candidates.prop_lookup) as player_lookup,
        candidates.team
    from prop_name_candidates as candidates
    left join players
        on players.player_id = candidates.player_id
    where candidates.candidate_rank = 1

),

lines_by_player as (

    select
        prop_players.game_id,
        prop_players.player_lookup,
        max(case when lines.market = 'points' then lines.opening_line end) as points_opening_line,
        max(case when lines.market = 'points' then lines.latest_line end) as points_latest_line,
        max(case when lines.market = 'points' then lines.line_movement end) as points_line_movement,
        max(case when lines.market = 'rebounds' then lines.opening_line end) as rebounds_opening_line,
        max(case when lines.market = 'rebounds' then lines.latest_line end) as rebounds_latest_line,
        max(case when lines.market = 'rebounds' then lines.line_movement end) as rebounds_line_movement,
        max(case when lines.market = 'assists' then lines.opening_line end) as assists_opening_line,
        max(case when lines.market = 'assists' then lines.latest_line end) as assists_latest_line,
        max(case when lines.market = 'assists' then lines.line_movement end) as assists_line_movement,
        max(case when lines.market = 'threes' then lines.opening_line end) as threes_opening_line,
        max(case when lines.market = 'threes' then lines.latest_line end) as threes_latest_line,
        max(case when lines.market = 'threes' then lines.line_movement end) as threes_line_movement,
        max(case when lines.market = 'pra' then lines.opening_line end) as pra_opening_line,
        max(case when lines.market = 'pra' then lines.latest_line end) as pra_latest_line,
        max(case when lines.market = 'pra' then lines.line_movement end) as pra_line_movement,
        max(lines.latest_snapshot_at) as latest_snapshot_at,
        count(distinct lines.market) as markets_with_line
    from prop_players
    inner join upcoming_lines as lines
        on lines.game_id = prop_players.game_id
        and lines.player_lookup = prop_players.prop_lookup
    group by prop_players.game_id, prop_players.player_lookup

),

candidate_players as (

    select
        roster_players.game_id,
        roster_players.player_id,
        players.player_lookup,
        roster_players.team,
        1 as from_roster
    from roster_players
    inner join players
        on players.player_id = roster_players.player_id

    union all

    select
        game_id,
        player_id,
        player_lookup,
        team,
        0 as from_roster
    from prop_players

),

game_players as (

    select
        game_id,
        player_lookup,
        max(player_id) as player_id,
        max(team) as team,
        max(from_roster) = 1 as is_on_recent_roster
    from candidate_players
    group by game_id, player_lookup

),

with_game as (

    select
        game_players.*,
        upcoming_games.game_date,
        upcoming_games.season,
        upcoming_games.season_type,
        upcoming_games.tipoff_at,
        upcoming_games.home_team,
        upcoming_games.away_team
    from game_players
    inner join upcoming_games
        on upcoming_games.game_id = game_players.game_id

),

previous_games as (

    select
        with_game.game_id,
        with_game.player_lookup,
        spans.game_date as previous_game_date,
        spans.team as previous_game_team,
        spans.season as previous_game_season
    from with_game
    inner join player_game_spans as spans
        on spans.player_id = with_game.player_id
        and spans.game_date < with_game.game_date
        and (spans.next_game_date is null or spans.next_game_date >= with_game.game_date)

),

recent_workload as (

    select
        with_game.game_id,
        with_game.player_lookup,
        sum(case when player_games.game_date >= {{ add_days('with_game.game_date', -7) }} then 1 else 0 end) as games_in_last_7_days,
        count(player_games.game_id) as games_in_last_14_days,
        sum(case when player_games.game_date >= {{ add_days('with_game.game_date', -7) }} then player_games.minutes else 0 end) as minutes_in_last_7_days
    from with_game
    left join player_games
        on player_games.player_id = with_game.player_id
        and player_games.game_date < with_game.game_date
        and player_games.game_date >= {{ add_days('with_game.game_date', -14) }}
    group by with_game.game_id, with_game.player_lookup

),

season_previous as (

    select
        with_game.*,
        previous_games.previous_game_team,
        case
            when previous_games.previous_game_season = with_game.season then previous_games.previous_game_date
        end as previous_game_date
    from with_game
    left join previous_games
        on previous_games.game_id = with_game.game_id
        and previous_games.player_lookup = with_game.player_lookup

),

team_context as (

    select game_id, team, opponent, is_home, spread, total, days_since_previous_game, is_back_to_back
    from {{ ref('upcoming_team_game_context') }}

)

select
    season_previous.game_id,
    season_previous.player_lookup,
    season_previous.player_id,
    players.player_name,
    season_previous.player_id is not null as is_known_player,
    season_previous.team,
    team_context.opponent,
    team_context.is_home,
    season_previous.is_on_recent_roster,
    season_previous.season,
    season_previous.season_type,
    season_previous.game_date,
    season_previous.tipoff_at,
    season_previous.previous_game_date,
    season_previous.previous_game_team,
    {{ days_since_previous_game('season_previous.previous_game_date', 'season_previous.game_date') }} as days_since_previous_game,
    {{ is_back_to_back('season_previous.previous_game_date', 'season_previous.game_date') }} as is_back_to_back,
    season_previous.previous_game_date is null as is_first_game_of_season,
    coalesce(recent_workload.games_in_last_7_days, 0) as games_in_last_7_days,
    coalesce(recent_workload.games_in_last_14_days, 0) as games_in_last_14_days,
    recent_workload.minutes_in_last_7_days,
    team_context.days_since_previous_game as team_days_since_previous_game,
    team_context.is_back_to_back as team_is_back_to_back,
    team_context.spread,
    team_context.total,
    lines_by_player.points_opening_line,
    lines_by_player.points_latest_line,
    lines_by_player.points_line_movement,
    lines_by_player.rebounds_opening_line,
    lines_by_player.rebounds_latest_line,
    lines_by_player.rebounds_line_movement,
    lines_by_player.assists_opening_line,
    lines_by_player.assists_latest_line,
    lines_by_player.assists_line_movement,
    lines_by_player.threes_opening_line,
    lines_by_player.threes_latest_line,
    lines_by_player.threes_line_movement,
    lines_by_player.pra_opening_line,
    lines_by_player.pra_latest_line,
    lines_by_player.pra_line_movement,
    lines_by_player.latest_snapshot_at as latest_line_snapshot_at,
    coalesce(lines_by_player.markets_with_line, 0) as markets_with_line,
    lines_by_player.game_id is not null as has_prop_line
from season_previous
left join players
    on players.player_id = season_previous.player_id
left join recent_workload
    on recent_workload.game_id = season_previous.game_id
    and recent_workload.player_lookup = season_previous.player_lookup
left join team_context
    on team_context.game_id = season_previous.game_id
    and team_context.team = season_previous.team
left join lines_by_player
    on lines_by_player.game_id = season_previous.game_id
    and lines_by_player.player_lookup = season_previous.player_lookup
