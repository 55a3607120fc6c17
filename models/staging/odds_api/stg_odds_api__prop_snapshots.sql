-- One row per prop offer (snapshot x event x player x market x book x line), renamed.
-- Feed market keys map to our markets through the markets seed (the one list); every other market (blocks,
-- steals, double-double, ...) and offers without a line are dropped here (raw keeps them).
with

source as (

    select * from {{ source('odds_api', 'prop_snapshots') }}
    where line is not null

),

markets as (

    select market, odds_api_key from {{ ref('markets') }}

),

renamed as (

    select
        -- ids
        event_id,

        -- strings
        player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        source.market_key,
        markets.market,
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
    inner join markets on source.market_key = markets.odds_api_key

)

select * from renamed
