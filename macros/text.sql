{#- Cross-database text helpers: the only places where adapters differ on string functions. -#}

{#- Remove diacritics (é -> e, ć -> c). DuckDB has strip_accents; BigQuery decomposes to NFD and drops combining marks. -#}
{% macro strip_accents(expr) -%}
    {{ return(adapter.dispatch('strip_accents', 'nbaprops')(expr)) }}
{%- endmacro %}

{% macro duckdb__strip_accents(expr) -%}
    strip_accents({{ expr }})
{%- endmacro %}

{% macro bigquery__strip_accents(expr) -%}
    regexp_replace(normalize({{ expr }}, NFD), r'\pM', '')
{%- endmacro %}

{% macro default__strip_accents(expr) -%}
    {{ exceptions.raise_compiler_error("strip_accents has no implementation for adapter " ~ adapter.type() ~ "; add " ~ adapter.type() ~ "__strip_accents in macros/text.sql") }}
{%- endmacro %}

{#- Replace EVERY match of an RE2 pattern (DuckDB replaces only the first match unless given the 'g' flag). -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'nbaprops')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro bigquery__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, r'{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
