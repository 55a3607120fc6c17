-- One row per blocked (scraper source, game date, resource): every time the source refused us (403 or a
-- challenge page where JSON was expected: 'blocked') or throttled us ('rate_limited'), with first and last
-- seen, how often, and when it was resolved: the first successful attempt at the resource after its last
-- block. Unresolved rows are what the source is still withholding.
with

attempts as (

    select * from {{ ref('stg_scrapers__scrape_attempts') }}

),

blocks as (

    select
        scraper_source,
        game_date,
        resource_id,
        min(requested_at) as first_blocked_at,
        max(requested_at) as last_blocked_at,
        count(*) as times_blocked,
        cast(sum(case when classification = 'blocked' then 1 else 0 end) as bigint) as times_refused,
        cast(sum(case when classification = 'rate_limited' then 1 else 0 end) as bigint) as times_rate_limited,
        count(distinct run_id) as runs_blocked
    from attempts
    where is_block
    group by scraper_source, game_date, resource_id

),

latest_blocks as (

    select
        scraper_source,
        game_date,
        resource_id,
        classification as last_block_classification,
        http_status as last_block_http_status,
        error_text as last_block_error
    from (
        select
            *,
            row_number() over (
                partition by scraper_source, game_date, resource_id
                order by requested_at desc, attempt_seq desc
            ) as recency
        from attempts
        where is_block
    ) as ranked
    where recency = 1

),

resolutions as (

    select
        blocks.scraper_source,
        blocks.game_date,
        blocks.resource_id,
        min(attempts.requested_at) as resolved_at
    from blocks
    inner join attempts
        on attempts.scraper_source = blocks.scraper_source
        and attempts.game_date = blocks.game_date
        and attempts.resource_id = blocks.resource_id
        and attempts.is_ok
        and attempts.requested_at > blocks.last_blocked_at
    group by blocks.scraper_source, blocks.game_date, blocks.resource_id

)

select
    blocks.scraper_source,
    blocks.game_date,
    blocks.resource_id,
    latest_blocks.last_block_classification,
    latest_blocks.last_block_http_status,
    latest_blocks.last_block_error,
    blocks.first_blocked_at,
    blocks.last_blocked_at,
    blocks.times_blocked,
    blocks.times_refused,
    blocks.times_rate_limited,
    blocks.runs_blocked,
    resolutions.resolved_at,
    resolutions.resolved_at is not null as is_resolved
from blocks
inner join latest_blocks
    on latest_blocks.scraper_source = blocks.scraper_source
    and latest_blocks.game_date = blocks.game_date
    and latest_blocks.resource_id = blocks.resource_id
left join resolutions
    on resolutions.scraper_source = blocks.scraper_source
    and resolutions.game_date = blocks.game_date
    and resolutions.resource_id = blocks.resource_id
