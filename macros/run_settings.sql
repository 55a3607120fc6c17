{#-
  run_setting(name): a per-run setting from the environment, read at execution time only ('' when unset).
  nbacore/dbt_runner.py sets them for one dbt call (NBAPROPS_REBUILD_FROM, NBAPROPS_DAILY_TEST_SINCE).
  Not --vars: dbt re-parses the whole project whenever --vars differ from the last run (~6 s), and these
  change every day. Read under `execute`, so parsing never records them either.
-#}
{% macro run_setting(name) -%}
    {%- if execute -%}
        {{ return(env_var(name, '')) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
