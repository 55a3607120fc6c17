-- One row per player per game per _source, renamed. All-Star exhibition rows are dropped here:
-- their teams (EST, WST, ...) are not franchises (raw keeps them).
with

source as (

    select * from {{ source('nba', 'player_game_logs') }}
    where season_type is null or season_type <> 'all_star'

),

renamed as (

    select
        -- ids
        game_id,
        coalesce(game_id_derived, false) as game_id_derived,
        season_id,
        player_id,
        team_id,

        -- strings
        player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        upper(trim(team_abbreviation)) as team_abbreviation,
        matchup,
        -- 'BOS vs. NYK' = BOS at home; 'NYK @ BOS' = BOS at home. Neutral-site games (Mexico City,
        -- Paris, Cup semi-finals) give both teams the same 'away @ home' string, so home/away come
        -- from the string's positions, not from which team is written first.
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
        status as player_status,
        not_playing_reason,

        -- numerics
        cast(min as {{ type_double() }}) as minutes,
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

        -- booleans
        starter,

        -- dates
        game_date,

        -- timestamps
        _loaded_at,
        _source

    from source

)

select * from renamed
