{#-
  Rest between games: one definition for teams and players, upcoming and played games.
  previous_game_date(...) is the window form (previous game in the same partition, e.g. team + season);
  days_since_previous_game / is_back_to_back take the two dates, however the previous one was found.
  NULL previous date (first game of a season for that team/player) -> NULL days and NULL back-to-back;
  models pair them with is_first_game_of_season.
-#}

{#- The previous game's date within the partition (pass the season in partition_by so seasons never chain). -#}
{% macro previous_game_date(game_date, partition_by) -%}
    lag({{ game_date }}) over (partition by {{ partition_by | join(', ') }} order by {{ game_date }})
{%- endmacro %}

{#- Calendar days from the previous game to this one (1 = played yesterday). -#}
{% macro days_since_previous_game(previous_game_date, game_date) -%}
    {{ dbt.datediff(previous_game_date, game_date, 'day') }}
{%- endmacro %}

{#- True when the previous game was exactly one calendar day earlier; NULL when there is no previous game. -#}
{% macro is_back_to_back(previous_game_date, game_date) -%}
    case
        when {{ previous_game_date }} is null then null
        when {{ dbt.datediff(previous_game_date, game_date, 'day') }} = 1 then true
        else false
    end
{%- endmacro %}

{#- A date n days from date_expr, as a DATE on every adapter (dbt.dateadd returns a DATETIME on BigQuery). -#}
{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}
