{#- A 64-bit float on every adapter (type_double() is a 32-bit REAL on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'nbaprops')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{#- Model contracts name one type per column for both engines: string, date, timestamp, boolean, bigint and
    integer are names BigQuery and DuckDB both accept; for 64-bit floats BigQuery says float64, which DuckDB
    learns here as an alias of double (on-run-start in dbt_project.yml), so a contract says data_type: float64. -#}
{% macro contract_type_aliases() -%}
    {{ return(adapter.dispatch('contract_type_aliases', 'nbaprops')()) }}
{%- endmacro %}

{% macro default__contract_type_aliases() -%}
    select 1 as no_type_aliases_needed
{%- endmacro %}

{% macro duckdb__contract_type_aliases() -%}
    create type if not exists float64 as double
{%- endmacro %}
