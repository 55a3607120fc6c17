-- One row per scraper source x game date: landed / what the source made available. A resource (a final
-- game's box score, an event's odds, the schedule, a leaguegamelog kind...) is available once the scraper
-- learned it exists and asked for it, and landed once any attempt at it succeeded (landing rebuilds from
-- the archive, so an earlier success stays landed). Resources never landed are split by their latest
-- outcome: withheld by the source (blocked, rate_limited, not_found, no_data), failing at the source
-- (server_error, timeout), or the scraper broke (parse_error).
with

attempts as (

    select * from {{ ref('stg_scrapers__scrape_attempts') }}

),

resources as (

    select
        scraper_source,
        game_date,
        resource_id,
        max(case when is_ok then 1 else 0 end) as landed,
        count(*) as attempts
    from attempts
    group by scraper_source, game_date, resource_id

),

latest_outcomes as (

    select
        scraper_source,
        game_date,
        resource_id,
        classification as latest_classification
    from (
        select
            *,
            row_number() over (
                partition by scraper_source, game_date, resource_id
                order by requested_at desc, attempt_seq desc
            ) as recency
        from attempts
    ) as ranked
    where recency = 1

),

runs as (

    select
        scraper_source,
        game_date,
        count(distinct run_id) as runs,
        min(requested_at) as first_attempt_at,
        max(requested_at) as last_attempt_at
    from attempts
    group by scraper_source, game_date

),

per_date as (

    select
        resources.scraper_source,
        resources.game_date,
        count(*) as resources_available,
        sum(resources.landed) as resources_landed,
        sum(case
            when resources.landed = 0
                and latest_outcomes.latest_classification in ('blocked', 'rate_limited', 'not_found', 'no_data')
                then 1 else 0
        end) as resources_withheld,
        sum(case
            when resources.landed = 0 and latest_outcomes.latest_classification in ('server_error', 'timeout')
                then 1 else 0
        end) as resources_source_failing,
        sum(case
            when resources.landed = 0 and latest_outcomes.latest_classification = 'parse_error' then 1 else 0
        end) as resources_unparseable,
        sum(resources.attempts) as attempts
    from resources
    inner join latest_outcomes
        on latest_outcomes.scraper_source = resources.scraper_source
        and latest_outcomes.game_date = resources.game_date
        and latest_outcomes.resource_id = resources.resource_id
    group by resources.scraper_source, resources.game_date

)

select
    per_date.scraper_source,
    per_date.game_date,
    per_date.resources_available,
    per_date.resources_landed,
    {{ safe_divide('per_date.resources_landed', 'per_date.resources_available') }} as coverage,
    per_date.resources_withheld,
    per_date.resources_source_failing,
    per_date.resources_unparseable,
    per_date.resources_landed = per_date.resources_available as is_complete,
    per_date.attempts,
    runs.runs,
    runs.first_attempt_at,
    runs.last_attempt_at
from per_date
inner join runs
    on runs.scraper_source = per_date.scraper_source
    and runs.game_date = per_date.game_date
