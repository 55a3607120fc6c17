{#-
  The feature mart's features in their canonical order, read from seeds/feature_definitions.csv
  (reference.feature_definitions, ordered by position): the one list, which Python's predict/mart.py reads too.
  models/precompute/feature_mart.sql writes its f_* columns (and then the f_*_missing flags) in this order, and
  tests/dbt/assert_feature_definitions_match_mart.sql checks the two agree. Append new features at the end and
  bump var('feature_version'); never reorder.
  For tests only (a test that calls it declares `-- depends_on: {{ ref('feature_definitions') }}`). Empty while
  dbt parses and in the offline BigQuery compile (no warehouse to read; tests are compiled, not run, there).
-#}
{% macro feature_names() -%}
    {%- if execute and not var('offline_compile', false) -%}
        {%- set rows = run_query('select feature_name from ' ~ ref('feature_definitions') ~ ' order by position, feature_name') -%}
        {{ return(rows.columns[0].values() | list) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}
{#- The markets at compile time, for the per-market columns models generate (points_avg_l5, ...). The list
    is seeds/markets.csv; dbt cannot read a seed before it runs, so this copy is checked against it by
    tests/dbt/assert_markets_match_the_seed.sql, and a market is added in both or the build fails. -#}
{% macro prop_markets() -%}
    {{ return(['points', 'rebounds', 'assists', 'threes', 'pra']) }}
{%- endmacro %}
{#- A per-stat column picked by the row's market: by_market('cache.', '_avg_l5') -> case market when 'points' then cache.points_avg_l5 ... end -#}
{% macro by_market(prefix, suffix, market_column='market') -%}
    case {{ market_column }}
        {%- for market in prop_markets() %}
        when '{{ market }}' then {{ prefix }}{{ market }}{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}
