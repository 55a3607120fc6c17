{#-
  primary_key: the listed columns are never NULL and together identify at most one row.
  Fails with one row per offending key (duplicated or with a NULL part).
-#}
{% test primary_key(model, column_names) %}

with

keyed as (

    select
        {{ column_names | join(', ') }},
        count(*) as rows_with_key
    from {{ model }}
    group by {{ column_names | join(', ') }}

)

select *
from keyed
where rows_with_key > 1
    {% for column in column_names %}
    or {{ column }} is null
    {% endfor %}

{% endtest %}
