-- One row per team per game per _source, renamed. All-Star weekend rows are dropped here: the
-- exhibition teams (EST, WST, USA, WLD, ...) are not franchises and some events have three teams (raw keeps them).
with

source as (

    select * from {{ source('nba', 'team_game_logs') }}
    where season_type is null or season_type <> 'all_star'

),

renamed as (

    select
        -- ids
        game_id,
        coalesce(game_id_derived, false) as game_id_derived,
        season_id,
        team_id,

        -- strings
        upper(trim(team_abbreviation)) as team_abbreviation,
        team_name,
        matchup,
        -- see stg_nba__player_game_logs: home/away from the matchup string's positions
        case
            when matchup like '% vs. %' then upper(trim({{ dbt.split_part('matchup', "' '", 1) }}))
            else upper(trim({{ dbt.split_part('matchup', "' '", 3) }}))
        end as matchup_home_team,
        case
            when matchup like '% vs. %' then upper(trim({{ dbt.split_part('matchup', "' '", 3) }}))
            else upper(trim({{ dbt.split_part('matchup', "' '", 1) }}))
        end as matchup_away_team,
        season_type,
        wl as win_loss,

        -- numerics
        cast(min as {{ type_double() }}) as team_minutes,
        pts as points,
        reb as rebounds,
        ast as assists,
        fg3m as threes,
        stl as steals,
        blk as blocks,
        tov as turnovers,
        pf as personal_fouls,
        fgm,
        fga,
        fg3m,
        fg3a,
        ftm,
        fta,
        oreb,
        dreb,
        fg_pct,
        fg3_pct,
        ft_pct,
        plus_minus,

        -- dates
        game_date,

        -- timestamps
        _loaded_at,
        _source

    from source

)

select * from renamed
