-- One row per prop offer (snapshot x event x player x market x book x line), renamed.
-- Feed market keys map to our five markets; every other market (blocks, steals, double-double, ...)
-- and offers without a line are dropped here (raw keeps them).
with

source as (

    select * from {{ source('odds_api', 'prop_snapshots') }}
    where market_key in (
        'player_points',
        'player_rebounds',
        'player_assists',
        'player_threes',
        'player_points_rebounds_assists'
    )
    and line is not null

),

renamed as (

    select
        -- ids
        event_id,

        -- strings
        player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        market_key,
        case market_key
            when 'player_points' then 'points'
            when 'player_rebounds' then 'rebounds'
            when 'player_assists' then 'assists'
            when 'player_threes' then 'threes'
            when 'player_points_rebounds_assists' then 'pra'
        end as market,
        lower(trim(bookmaker)) as bookmaker,
        snapshot_kind,
        trim(home_team_name) as home_team_name,
        trim(away_team_name) as away_team_name,

        -- numerics
        cast(line as {{ type_double() }}) as line,
        cast(over_odds as {{ type_double() }}) as over_odds,
        cast(under_odds as {{ type_double() }}) as under_odds,

        -- dates
        game_date,

        -- timestamps
        snapshot_at,
        commence_time,
        _loaded_at,
        _source

    from source

)

select * from renamed
