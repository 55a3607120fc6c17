{#-
  accepted_range: every non-NULL value lies in [min_value, max_value] (inclusive).
  Exceptions only through seeds/data_test_exceptions.csv: rows whose test_name equals exception_test_name
  and whose record_key equals the record_key expression (e.g. "game_id || '|' || cast(player_id as string)").
  A row whose record key is NULL (or with no record_key given) is never excused.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, exception_test_name=none, record_key=none) %}

with

checked as (

    select
        {% if record_key %}{{ record_key }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as record_key,
        {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null
        and (
            false
            {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
            {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
        )

)

select *
from checked
{% if exception_test_name %}
where record_key is null  -- a row without a key is never an exception (NULL NOT IN (...) would excuse it)
    or record_key not in (
    {{ data_test_exception_keys(exception_test_name) }}
)
{% endif %}

{% endtest %}
