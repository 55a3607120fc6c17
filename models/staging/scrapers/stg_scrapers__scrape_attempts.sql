-- One row per HTTP attempt of the scrapers, renamed. source is the scraper (cdn_schedule, cdn_boxscore,
-- stats_gamelog, stats_boxscore, odds_api); resource_id the logical resource (a game id, an event id,
-- 'schedule', 'events', 'game_lines', 'P_regular'...), stable across endpoints and runs.
with

source as (

    select * from {{ source('scrapers', 'scrape_attempts') }}

),

renamed as (

    select
        -- ids
        run_id,
        attempt_seq,
        resource_id,

        -- strings
        source as scraper_source,
        endpoint,
        url as redacted_url,
        lower(classification) as classification,
        error as error_text,
        archive_path,

        -- numerics
        attempt as attempt_number,
        http_status,
        cast(latency_ms as {{ type_double() }}) as latency_ms,
        bytes as response_bytes,
        cast(waited_seconds as {{ type_double() }}) as waited_seconds,
        cast(retry_after_seconds as {{ type_double() }}) as retry_after_seconds,
        rows_parsed,
        quota_remaining,
        quota_used,

        -- booleans
        lower(classification) = 'ok' as is_ok,
        lower(classification) in ('blocked', 'rate_limited') as is_block,

        -- dates
        game_date,

        -- timestamps
        requested_at,
        _loaded_at,
        _source

    from source

)

select * from renamed
