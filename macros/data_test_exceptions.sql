{#-
  The allow-list for data tests: record keys listed in seeds/data_test_exceptions.csv for one test,
  as a subquery. Every exception carries a reason there; tests are never loosened instead.
-#}
{% macro data_test_exception_keys(test_name) -%}
    select record_key
    from {{ ref('data_test_exceptions') }}
    where test_name = '{{ test_name }}'
        and record_key is not null
{%- endmacro %}
