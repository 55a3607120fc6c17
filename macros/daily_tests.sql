{#-
  daily_test_scope(column): the rows a daily build's tests look at. `nbaprops build --daily` passes
  NBAPROPS_DAILY_TEST_SINCE (macros/run_settings.sql; a few days before the newest box score, nbacore/dbt_runner.py::daily_test_since)
  because the daily build rewrites only recent game dates; the full build passes nothing and every test
  sees every row. Returns a predicate: `column >= since`, or `1 = 1`.
-#}
{% macro daily_test_scope(column='game_date') -%}
    {%- set since = run_setting('NBAPROPS_DAILY_TEST_SINCE') -%}
    {%- if since -%}
    {{ column }} >= cast('{{ since }}' as date)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{#-
  daily_scoped(model): the model itself, or, in a daily build, only its rows dated from NBAPROPS_DAILY_TEST_SINCE
  when it has a game_date column (generic tests on incremental tables stay flat as history grows). Never fewer
  rows than that: a row without a game_date is always in scope (no date puts it outside the window), and when no
  row is dated from NBAPROPS_DAILY_TEST_SINCE on while the model has rows (a table whose data stops earlier, or
  a window set past the data), the whole model is tested, so a daily test never passes on an empty scope
  (tests/python/warehouse/test_dbt_generic_tests.py shows both).
-#}
{% macro daily_scoped(model) -%}
    {%- if run_setting('NBAPROPS_DAILY_TEST_SINCE') -%}
        {%- set columns = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- if 'game_date' in columns -%}
    (
        select *
        from {{ model }}
        where {{ daily_test_scope('game_date') }}
            or game_date is null
            or not exists (select 1 from {{ model }} where {{ daily_test_scope('game_date') }})
    )
        {%- else -%}
    {{ model }}
        {%- endif -%}
    {%- else -%}
    {{ model }}
    {%- endif -%}
{%- endmacro %}
