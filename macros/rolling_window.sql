{#-
  THE window macro: every rolling feature in models/precompute/ is written with it, so every one of them
  looks strictly before the row's own date. The frame always ends at `1 preceding`; there is no way to
  ask this macro for the current row (`<=` leakage is impossible by construction).

    rolling_window(aggregate, expression, partition_by, order_by, preceding, frame='rows')
      -> aggregate(expression) over (partition by ... order by order_by <frame> between <preceding> preceding and 1 preceding)

  aggregate     avg, sum, count, max, min, stddev_samp (any aggregate both DuckDB and BigQuery take over a frame)
  expression    the value; NULL on timeline rows where the entity did not play, so those rows never count
  partition_by  list of columns (player_id, team, season ...; never a FLOAT64 column: BigQuery refuses it);
                [] = one partition (the whole league)
  order_by      'rows' frame: a column that is unique and increasing within the partition (game_date on a
                timeline with one row per entity per date);
                'range' frame: ONE integer column that is equal for rows of the same date, e.g.
                  day_number (days since 1970-01-01)      -> preceding = calendar days:  7 = the 7 days before
                  games_before (games played on earlier dates) -> preceding = games:    10 = the last 10 games
  preceding     an integer, or 'unbounded'

  The games_before key is what lets a timeline mix played games with dates the entity did not play
  (scheduled games, DNPs) without those rows using up window slots: a row with games_before = k sees the
  rows with games_before in [k - N, k - 1], i.e. exactly the last N played games on earlier dates
  (rows of non-played dates in that range carry NULL values and are ignored by the aggregate).
-#}
{% macro rolling_window(aggregate, expression, partition_by, order_by, preceding, frame='rows') -%}
    {%- if frame not in ['rows', 'range'] -%}
        {{ exceptions.raise_compiler_error("rolling_window: frame is " ~ frame ~ "; use 'rows' or 'range'") }}
    {%- endif -%}
    {%- if preceding != 'unbounded' and (preceding is not number or preceding < 1) -%}
        {{ exceptions.raise_compiler_error("rolling_window: preceding is " ~ preceding ~ "; use an integer >= 1 or 'unbounded'") }}
    {%- endif -%}
    {%- set partition_by = [partition_by] if partition_by is string else partition_by -%}
    {{ aggregate }}({{ expression }}) over (
        {% if partition_by %}partition by {{ partition_by | join(', ') }}{% endif %}
        order by {{ order_by }}
        {{ frame }} between {{ preceding }} preceding and 1 preceding
    )
{%- endmacro %}

{#- Whole days since 1970-01-01: the integer key for calendar-day 'range' frames (an INT64 on BigQuery). -#}
{% macro day_number(date_expr) -%}
    {{ dbt.datediff("cast('1970-01-01' as date)", date_expr, 'day') }}
{%- endmacro %}

{#-
  The last-N-games windows as ONE grouped pass instead of one framed window aggregate per column (DuckDB
  evaluates each framed aggregate on its own: ~45 of them were most of player_daily_cache's time). Each played
  row is sent forward to the N games_before values after its own, so the row with games_before = k gets exactly
  the played rows with games_before in [k - N, k - 1]: the same set as
  rolling_window(aggregate, expression, partition, 'games_before', N, 'range'), and never its own date (steps
  start at 1, like that macro's frame ending at `1 preceding`).

    last_games_steps(longest)      a CTE body: the steps 1 .. longest (one column, step)
    last_games(aggregate, expression, n, step='game_steps.step')
                                   in a query grouped by (partition, games_before + step): the aggregate over
                                   the last n of those games. Join the result back on (partition, games_before);
                                   a row with no earlier game finds no group: counts need a coalesce to 0.
  Only for whole-number expressions (points, counts): their sums are exact, so the values equal the window
  functions' bit for bit whatever order the rows are aggregated in. A fractional expression (minutes, rates) or
  a standard deviation summed in another order moves in the last bit from one build to the next: keep those
  in rolling_window.
-#}
{% macro last_games_steps(longest) -%}
    {%- if longest is not number or longest < 1 -%}
        {{ exceptions.raise_compiler_error("last_games_steps: longest is " ~ longest ~ "; use an integer >= 1") }}
    {%- endif -%}
    {%- for step in range(1, longest + 1) %}
    select {{ step }} as step{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro last_games(aggregate, expression, n, step='game_steps.step') -%}
    {{ aggregate }}(case when {{ step }} <= {{ n }} then {{ expression }} end)
{%- endmacro %}
