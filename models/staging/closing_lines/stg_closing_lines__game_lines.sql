-- One closing line per game per _source, renamed. Team codes stay ESPN codes (lower case);
-- int_game_lines maps them to tricodes through the teams seed.
with

source as (

    select * from {{ source('closing_lines', 'game_lines') }}

),

renamed as (

    select
        -- strings
        lower(trim(home_team_code)) as home_team_code,
        lower(trim(away_team_code)) as away_team_code,
        lower(trim(favored_side)) as favored_side,
        season_type,

        -- numerics
        season as season_end_year,
        home_pts as home_points,
        away_pts as away_points,
        spread,
        total,
        moneyline_home,
        moneyline_away,

        -- dates
        game_date,

        -- timestamps
        _loaded_at,
        _source

    from source

)

select * from renamed
