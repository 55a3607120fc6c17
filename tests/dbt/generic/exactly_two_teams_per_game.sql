{#-
  exactly_two_teams_per_game: every game has exactly two rows, two different teams, one home and one away.
  Fails with one row per offending game.
-#}
{% test exactly_two_teams_per_game(model, column_name, team_column='team', home_column='is_home') %}

select
    {{ column_name }} as game_id,
    count(*) as team_rows,
    count(distinct {{ team_column }}) as distinct_teams,
    sum(case when {{ home_column }} then 1 else 0 end) as home_rows,
    sum(case when not {{ home_column }} then 1 else 0 end) as away_rows
from {{ model }}
group by {{ column_name }}
having count(*) <> 2
    or count(distinct {{ team_column }}) <> 2
    or sum(case when {{ home_column }} then 1 else 0 end) <> 1
    or sum(case when not {{ home_column }} then 1 else 0 end) <> 1

{% endtest %}
