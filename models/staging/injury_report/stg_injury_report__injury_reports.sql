-- One row per line item of one injury report (a listed player, or a team not yet submitted), renamed.
-- The printed "Last, First" name becomes "First Last" and its player_lookup (the props' name key); the team's
-- name and the matchup's two codes become team codes through the teams seed.
with

source as (

    select * from {{ source('injury_report', 'injury_reports') }}

),

teams as (

    select team_abbreviation, team_name from {{ ref('teams') }}

),

renamed as (

    select
        -- strings
        trim(source.matchup) as matchup,
        trim({{ dbt.split_part('source.matchup', "'@'", 1) }}) as away_team,
        trim({{ dbt.split_part('source.matchup', "'@'", 2) }}) as home_team,
        trim(source.team_name) as team_name,
        teams.team_abbreviation as team,
        source.player_name as printed_name,
        case
            when source.player_name like '%,%'
                then {{ dbt.concat([
                    "trim(" ~ dbt.split_part('source.player_name', "','", 2) ~ ")",
                    "' '",
                    "trim(" ~ dbt.split_part('source.player_name', "','", 1) ~ ")",
                ]) }}
            else trim(source.player_name)
        end as player_name,
        {{ player_lookup("case when source.player_name like '%,%' then " ~ dbt.concat([
            "trim(" ~ dbt.split_part('source.player_name', "','", 2) ~ ")",
            "' '",
            "trim(" ~ dbt.split_part('source.player_name', "','", 1) ~ ")",
        ]) ~ " else source.player_name end") }} as player_lookup,
        source.current_status as status,
        source.reason,
        source.reason_category,
        source.game_time,
        coalesce(source.not_yet_submitted, false) as is_not_yet_submitted,

        -- numerics
        cast(source.parse_confidence as {{ type_double() }}) as parse_confidence,
        source.page as report_page,
        source.line as report_line,

        -- dates
        source.game_date,

        -- timestamps
        source.report_at,
        source._loaded_at,
        source._source

    from source
    left join teams
        on teams.team_name = trim(source.team_name)

)

select * from renamed
