{#-
  Source freshness that judges the latest game_date and knows the schedule. Used as each raw source's
  `loaded_at_query` (models/staging/*/_*__sources.yml), rendered by `dbt source freshness` at run time with
  {{ this }} = the source table. Each returns ONE timestamp, which dbt compares with warn_after / error_after:

  latest_slate_loaded_at(this, schedule, due='yesterday'|'today')
      "When did the latest game date land?" = max(_loaded_at) over the rows of max(game_date) only, so a
      late re-load of an OLDER date can never make a stale table look fresh (and old rows never make a fresh
      one look stale). But when the schedule has no competitive game after that date that is due by now
      (game_date up to yesterday, or up to today for feeds pulled before tip-off), nothing is missing: a
      day without games, the All-Star break and the off-season return the current time (fresh). An empty
      table with games due returns NULL, which dbt reports as an error.

  schedule_slate_loaded_at(this)
      The schedule lists the whole season ahead, so its "latest game date" is the latest one before today
      (US/Eastern). When every game of that slate is final (game_status 3) the schedule has been refreshed
      since it was played: current time. Otherwise the slate's max(_loaded_at): the last refresh before its
      games finished, which ages until a refresh lands.

  today_eastern(): today's game date (US/Eastern), the calendar the schedule and game_date use.
-#}

{% macro today_eastern() -%}
    {{ return(adapter.dispatch('today_eastern', 'nbaprops')()) }}
{%- endmacro %}

{% macro duckdb__today_eastern() -%}
    cast(timezone('America/New_York', current_timestamp) as date)
{%- endmacro %}

{% macro bigquery__today_eastern() -%}
    current_date('America/New_York')
{%- endmacro %}

{% macro default__today_eastern() -%}
    current_date
{%- endmacro %}

{#- The current time as the naive UTC timestamp _loaded_at is stored as. -#}
{% macro freshness_now() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Competitive games only: preseason and All-Star games never land in the box-score or prop tables. -#}
{% macro is_competitive_schedule_row(alias) -%}
    ({{ alias }}.season_type is null or {{ alias }}.season_type not in ('preseason', 'all_star'))
{%- endmacro %}

{% macro latest_slate_loaded_at(relation, schedule, due='yesterday') -%}
    {%- if due not in ['yesterday', 'today'] -%}
        {{ exceptions.raise_compiler_error("latest_slate_loaded_at: due is " ~ due ~ "; use 'yesterday' (box scores) or 'today' (feeds pulled before tip-off)") }}
    {%- endif -%}
    select
        case
            when (
                select count(*)
                from {{ schedule }} as scheduled
                where scheduled.game_date > (
                        select coalesce(max(latest.game_date), cast('1900-01-01' as date)) from {{ relation }} as latest
                    )
                    and scheduled.game_date {{ '<' if due == 'yesterday' else '<=' }} {{ today_eastern() }}
                    and {{ is_competitive_schedule_row('scheduled') }}
            ) = 0 then {{ freshness_now() }}
            else (
                select max(landed._loaded_at)
                from {{ relation }} as landed
                where landed.game_date = (select max(latest.game_date) from {{ relation }} as latest)
            )
        end as max_loaded_at
{%- endmacro %}

{% macro schedule_slate_loaded_at(relation) -%}
    select
        case
            when (
                select count(*)
                from {{ relation }} as slate
                where slate.game_date = (
                        select max(past.game_date) from {{ relation }} as past
                        where past.game_date < {{ today_eastern() }} and {{ is_competitive_schedule_row('past') }}
                    )
                    and {{ is_competitive_schedule_row('slate') }}
                    and coalesce(slate.game_status, 0) <> 3
            ) = 0 then {{ freshness_now() }}
            else (
                select max(slate._loaded_at)
                from {{ relation }} as slate
                where slate.game_date = (
                        select max(past.game_date) from {{ relation }} as past
                        where past.game_date < {{ today_eastern() }} and {{ is_competitive_schedule_row('past') }}
                    )
            )
        end as max_loaded_at
{%- endmacro %}
