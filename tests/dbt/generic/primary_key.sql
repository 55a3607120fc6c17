{#-
  primary_key: the listed columns are never NULL and together identify at most one row.
  Fails with one row per offending key (duplicated or with a NULL part).
  Tagged daily: the daily build (selectors.yml) runs it on every table it rebuilds, on the recent dates only
  (macros/daily_tests.sql).
-#}
{% test primary_key(model, column_names) %}

{{ config(tags=['daily']) }}

with

keyed as (

    select
        {{ column_names | join(', ') }},
        count(*) as rows_with_key
    from {{ daily_scoped(model) }} as scoped
    group by {{ column_names | join(', ') }}

)

select *
from keyed
where rows_with_key > 1
    {% for column in column_names %}
    or {{ column }} is null
    {% endfor %}

{% endtest %}
