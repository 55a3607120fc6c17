-- One row per scheduled game per _source (the raw schedule table), renamed.
with

source as (

    select * from {{ source('nba', 'schedule') }}

),

renamed as (

    select
        -- ids
        game_id,
        home_team_id,
        away_team_id,

        -- strings
        upper(trim(home_team_abbreviation)) as home_team,
        upper(trim(away_team_abbreviation)) as away_team,
        season as season_label,
        season_type,

        -- numerics
        home_pts as home_points,
        away_pts as away_points,
        game_status,

        -- booleans
        coalesce(game_status = 3, false) as is_final,

        -- dates
        game_date,

        -- timestamps
        tipoff_at,
        _loaded_at,
        _source

    from source

)

select * from renamed
