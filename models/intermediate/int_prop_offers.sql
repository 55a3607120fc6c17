-- One row per prop offer (snapshot_at x event x player x market x book x line), deduplicated across
-- _source (latest load wins), with: the player's lookup after aliases, the game it belongs to,
-- the tip-off used for the pregame rule, implied probabilities and the main-line rank.
--
-- Game: teams via teams.odds_api_team_name, then int_games on (game_date, the two teams). When the feed
-- gave no commence_time (historical closing sets), a game one day either side is accepted (the exact date wins).
-- Pregame rule: tip-off = coalesce(commence_time, schedule tipoff_at); a snapshot is pregame when it is
-- strictly before tip-off; with no known tip-off, only snapshot_kind = 'historical_closing' counts as pregame.
-- Incremental by game_date (macros/incremental_config.sql): a run rewrites the last few game dates, so the
-- daily build does not re-resolve every season's offers.
{{ config(**incremental_config(grain=['snapshot_at', 'event_id', 'player_name', 'market', 'bookmaker', 'line'], cluster_by=['game_date', 'player_lookup', 'market'])) }}

with

offers as (

    select * from {{ ref('stg_odds_api__prop_snapshots') }}
    {% if is_incremental() %}
    -- an offer resolves to a game at most one day before its feed date
    where game_date >= {{ add_days(incremental_since(), -1) }}
    {% endif %}

),

deduplicated as (

    select *
    from (
        select
            *,
            row_number() over (
                -- the line is partitioned as text: BigQuery cannot partition a window by FLOAT64
                partition by snapshot_at, event_id, player_name, market, bookmaker, cast(line as {{ dbt.type_string() }})
                order by _loaded_at desc, _source desc
            ) as source_rank
        from offers
    ) as ranked
    where source_rank = 1

),

aliases as (

    select * from {{ ref('player_name_aliases') }}

),

teams as (

    select team_abbreviation, odds_api_team_name from {{ ref('teams') }}

),

events as (

    select distinct
        offers.event_id,
        offers.game_date,
        offers.commence_time,
        home_teams.team_abbreviation as home_team,
        away_teams.team_abbreviation as away_team
    from deduplicated as offers
    left join teams as home_teams
        on home_teams.odds_api_team_name = offers.home_team_name
    left join teams as away_teams
        on away_teams.odds_api_team_name = offers.away_team_name

),

event_game_candidates as (

    select
        events.event_id,
        events.game_date as feed_game_date,
        events.commence_time,
        events.home_team,
        events.away_team,
        games.game_id,
        games.game_date,
        games.tipoff_at as schedule_tipoff_at,
        row_number() over (
            partition by events.event_id, events.game_date, events.commence_time, events.home_team, events.away_team
            order by case when games.game_date = events.game_date then 0 else 1 end, games.game_date
        ) as candidate_rank
    from events
    inner join {{ ref('int_games') }} as games
        on least(games.home_team, games.away_team) = least(events.home_team, events.away_team)
        and greatest(games.home_team, games.away_team) = greatest(events.home_team, events.away_team)
        and (
            games.game_date = events.game_date
            or (
                events.commence_time is null
                and games.game_date >= {{ add_days('events.game_date', -1) }}
                and games.game_date <= {{ add_days('events.game_date', 1) }}
            )
        )

),

event_games as (

    select
        events.event_id,
        events.game_date as feed_game_date,
        events.commence_time,
        events.home_team,
        events.away_team,
        candidates.game_id,
        candidates.game_date,
        candidates.schedule_tipoff_at
    from events
    left join event_game_candidates as candidates
        on candidates.event_id = events.event_id
        and candidates.feed_game_date = events.game_date
        and (candidates.commence_time = events.commence_time
            or (candidates.commence_time is null and events.commence_time is null))
        and candidates.candidate_rank = 1

),

resolved as (

    select
        offers.snapshot_at,
        offers.event_id,
        event_games.game_id,
        coalesce(event_games.game_date, offers.game_date) as game_date,
        offers.game_date as feed_game_date,
        event_games.home_team,
        event_games.away_team,
        offers.player_name,
        coalesce(aliases.player_lookup, offers.player_lookup) as player_lookup,
        offers.market,
        offers.bookmaker,
        offers.line,
        offers.over_odds,
        offers.under_odds,
        offers.snapshot_kind,
        coalesce(offers.commence_time, event_games.schedule_tipoff_at) as tipoff_at,
        offers._source,
        offers._loaded_at
    from deduplicated as offers
    left join event_games
        on event_games.event_id = offers.event_id
        and event_games.feed_game_date = offers.game_date
        and (event_games.commence_time = offers.commence_time
            or (event_games.commence_time is null and offers.commence_time is null))
    left join aliases
        on aliases.alias_lookup = offers.player_lookup

)

select
    snapshot_at,
    event_id,
    game_id,
    game_date,
    feed_game_date,
    home_team,
    away_team,
    player_name,
    player_lookup,
    market,
    bookmaker,
    line,
    over_odds,
    under_odds,
    {{ implied_probability('over_odds') }} as over_implied_probability,
    {{ implied_probability('under_odds') }} as under_implied_probability,
    {{ main_line_distance('over_odds', 'under_odds') }} as distance_from_even,
    {{ main_line_rank(['snapshot_at', 'event_id', 'player_lookup', 'market', 'bookmaker'], 'line', 'over_odds', 'under_odds') }} as main_line_rank,
    snapshot_kind,
    tipoff_at,
    case
        when tipoff_at is not null then snapshot_at < tipoff_at
        else coalesce(snapshot_kind = 'historical_closing', false)
    end as is_pregame,
    _source,
    _loaded_at
from resolved
{% if is_incremental() %}
where game_date >= {{ incremental_since() }}
{% endif %}
