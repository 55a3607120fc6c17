{#-
  daily_scope_not_empty: in a daily build (NBAPROPS_DAILY_TEST_SINCE set), the model has rows dated from that date
  on whenever it has rows at all. It guards the daily tests' window: the singular daily tests filter with
  daily_test_scope() and would pass on no rows if the window started after the newest data (the generic
  primary_key test falls back to the whole table instead, macros/daily_tests.sql). Always passes in a full build.
  Fails with one row: the model's row count, its rows in the window (0) and its newest date.
-#}
{% test daily_scope_not_empty(model, column_name='game_date') %}

{{ config(tags=['daily']) }}

with

counts as (

    select
        count(*) as model_rows,
        count(case when {{ daily_test_scope(column_name) }} then 1 end) as rows_in_scope,
        max({{ column_name }}) as newest_date
    from {{ model }}

)

select *
from counts
where model_rows > 0
    and rows_in_scope = 0

{% endtest %}
