{#-
  The one portable incremental config: every incremental model (phase 4 and later) starts with
      {{ config(**incremental_config(grain=['player_id', 'game_date'])) }}
  and filters its incremental branch with
      {% if is_incremental() %} where game_date >= {{ incremental_since() }} {% endif %}   (never NULL; see below)

  What it means per adapter (each rerun replaces whole game_date days, never appends duplicates):
    DuckDB    delete+insert with unique_key = game_date: delete every day present in the new batch, insert it.
    BigQuery  insert_overwrite (dynamic), table partitioned by day on game_date, clustered on the grain
              (or cluster_by): BigQuery replaces exactly the partitions the batch touches, and a query
              that filters on game_date scans only those partitions.
              var('bq_incremental_strategy') = 'merge' switches to a MERGE on the grain instead. Only the
              local BigQuery emulator needs that (it cannot run dynamic insert_overwrite); production
              keeps the default. See docs/bigquery.md.
  grain: the model's row key (list of columns); partition_field: a DATE column; cluster_by: up to 4 columns;
  bigquery_strategy: pins the BigQuery strategy for one model instead of the var (tests only).
-#}
{% macro incremental_config(grain, partition_field='game_date', cluster_by=none, on_schema_change='append_new_columns', bigquery_strategy=none) -%}
    {%- set grain = [grain] if grain is string else grain -%}
    {%- set settings = {'materialized': 'incremental', 'on_schema_change': on_schema_change} -%}
    {%- if target.type == 'bigquery' -%}
        {%- set strategy = bigquery_strategy or var('bq_incremental_strategy', 'insert_overwrite') -%}
        {%- if strategy not in ['insert_overwrite', 'merge'] -%}
            {{ exceptions.raise_compiler_error("var bq_incremental_strategy is " ~ strategy ~ "; use insert_overwrite (production) or merge (emulator)") }}
        {%- endif -%}
        {%- do settings.update({
            'incremental_strategy': strategy,
            'partition_by': {'field': partition_field, 'data_type': 'date', 'granularity': 'day'},
            'cluster_by': (cluster_by or grain)[:4],
        }) -%}
        {%- if strategy == 'merge' -%}
            {%- do settings.update({'unique_key': grain}) -%}
        {%- endif -%}
    {%- else -%}
        {%- do settings.update({'incremental_strategy': 'delete+insert', 'unique_key': partition_field}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

{#-
  The first date an incremental run rebuilds: lookback_days before the newest date already in {{ this }}
  (default var('incremental_lookback_days'), so late box-score corrections are picked up). A DATE on
  both adapters. Use only inside {% if is_incremental() %}.
  run_setting('NBAPROPS_REBUILD_FROM') (YYYY-MM-DD, optional) moves the bound back to that date: a backfill that landed older
  dates passes it (`nbaprops build --daily --since D`), so its incremental build picks them up.
  filter (optional): only rows of {{ this }} matching it set the newest date, e.g. 'is_played' in a model that
  also holds scheduled (future) dates, so the bound follows the newest box score, not the schedule.
-#}
{% macro incremental_lower_bound(column='game_date', lookback_days=none, filter=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('incremental_lookback_days') -%}
    {%- set rebuild_from = run_setting('NBAPROPS_REBUILD_FROM') -%}
    {%- set bound -%}
    (select cast({{ dbt.dateadd('day', -1 * days, 'max(' ~ column ~ ')') }} as date) from {{ this }}{% if filter %} where {{ filter }}{% endif %})
    {%- endset -%}
    {%- if rebuild_from -%}
    least({{ bound }}, cast('{{ rebuild_from }}' as date))
    {%- else -%}
    {{ bound }}
    {%- endif -%}
{%- endmacro %}

{#-
  incremental_since(filter): incremental_lower_bound as a value that is never NULL (1900-01-01 while
  {{ this }} is empty), for `where game_date >= {{ incremental_since() }}` in an incremental branch.
-#}
{% macro incremental_since(column='game_date', filter=none) -%}
    coalesce({{ incremental_lower_bound(column, filter=filter) }}, cast('1900-01-01' as date))
{%- endmacro %}
