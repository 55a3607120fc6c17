{#-
  Schemas are used exactly as configured (+schema: staging / intermediate / analytics / reference),
  with no target-schema prefix, so every target has the same four schemas (BigQuery: datasets).
  A node without a custom schema falls back to the profile's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
