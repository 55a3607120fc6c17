{#-
  Box-score metric definitions: one definition each, used by every model that needs them.
  Each metric has a *_missing_reason twin that says why the metric is NULL (NULL when the metric is present).
-#}

{#- Estimated possessions: FGA + 0.44*FTA + TOV - OREB. -#}
{% macro possessions(fga, fta, tov, oreb) -%}
    ({{ fga }} + 0.44 * {{ fta }} + {{ tov }} - {{ oreb }})
{%- endmacro %}

{% macro possessions_missing_reason(fga, fta, tov, oreb) -%}
    case
        when {{ fga }} is null or {{ fta }} is null or {{ tov }} is null or {{ oreb }} is null
            then 'box_score_counts_missing'
    end
{%- endmacro %}

{#- Pace: possessions per 48 minutes = 48 * ((team poss + opponent poss) / 2) / (team minutes / 5). -#}
{% macro pace(team_possessions, opponent_possessions, team_minutes) -%}
    {{ safe_divide('48 * ((' ~ team_possessions ~ ') + (' ~ opponent_possessions ~ ')) / 2', '(' ~ team_minutes ~ ') / 5') }}
{%- endmacro %}

{% macro pace_missing_reason(team_possessions, opponent_possessions, team_minutes) -%}
    case
        when ({{ team_possessions }}) is null then 'team_possessions_missing'
        when ({{ opponent_possessions }}) is null then 'opponent_possessions_missing'
        when ({{ team_minutes }}) is null then 'team_minutes_missing'
        when ({{ team_minutes }}) = 0 then 'team_minutes_zero'
    end
{%- endmacro %}

{#- Offensive rating: points scored per 100 own possessions. -#}
{% macro offensive_rating(points, possessions) -%}
    {{ safe_divide('100 * (' ~ points ~ ')', possessions) }}
{%- endmacro %}

{#- Defensive rating: points allowed per 100 opponent possessions. -#}
{% macro defensive_rating(points_allowed, opponent_possessions) -%}
    {{ safe_divide('100 * (' ~ points_allowed ~ ')', opponent_possessions) }}
{%- endmacro %}

{#- Why a points-per-100-possessions rating is NULL (offensive or defensive). -#}
{% macro rating_missing_reason(points, possessions) -%}
    case
        when ({{ points }}) is null then 'points_missing'
        when ({{ possessions }}) is null then 'possessions_missing'
        when ({{ possessions }}) = 0 then 'no_possessions'
    end
{%- endmacro %}

{#- True shooting %: PTS / (2 * (FGA + 0.44*FTA)). -#}
{% macro true_shooting_pct(pts, fga, fta) -%}
    {{ safe_divide(pts, '2 * (' ~ fga ~ ' + 0.44 * ' ~ fta ~ ')') }}
{%- endmacro %}

{% macro true_shooting_pct_missing_reason(pts, fga, fta) -%}
    case
        when {{ pts }} is null or {{ fga }} is null or {{ fta }} is null then 'shot_counts_missing'
        when {{ fga }} + 0.44 * {{ fta }} = 0 then 'no_shot_attempts'
    end
{%- endmacro %}

{#- Effective field-goal %: (FGM + 0.5*FG3M) / FGA. -#}
{% macro effective_fg_pct(fgm, fg3m, fga) -%}
    {{ safe_divide(fgm ~ ' + 0.5 * ' ~ fg3m, fga) }}
{%- endmacro %}

{% macro effective_fg_pct_missing_reason(fgm, fg3m, fga) -%}
    case
        when {{ fgm }} is null or {{ fg3m }} is null or {{ fga }} is null then 'shot_counts_missing'
        when {{ fga }} = 0 then 'no_field_goal_attempts'
    end
{%- endmacro %}

{#-
  Usage rate: 100 * (FGA + 0.44*FTA + TOV) * (team_min / 5) / (MIN * (team FGA + 0.44*team FTA + team TOV)).
  team_min / 5 is the game length (48 in regulation, +5 per overtime).
-#}
{% macro usage_rate(fga, fta, tov, minutes, team_fga, team_fta, team_tov, team_minutes) -%}
    {{ safe_divide(
        '100 * (' ~ fga ~ ' + 0.44 * ' ~ fta ~ ' + ' ~ tov ~ ') * (' ~ team_minutes ~ ' / 5)',
        '(' ~ minutes ~ ') * (' ~ team_fga ~ ' + 0.44 * ' ~ team_fta ~ ' + ' ~ team_tov ~ ')') }}
{%- endmacro %}

{% macro usage_rate_missing_reason(fga, fta, tov, minutes, team_fga, team_fta, team_tov, team_minutes) -%}
    case
        when {{ fga }} is null or {{ fta }} is null or {{ tov }} is null then 'player_shot_counts_missing'
        when {{ minutes }} is null then 'minutes_missing'
        when {{ minutes }} = 0 then 'no_minutes'
        when {{ team_fga }} is null or {{ team_fta }} is null or {{ team_tov }} is null then 'team_shot_counts_missing'
        when {{ team_minutes }} is null then 'team_minutes_missing'
        when {{ team_fga }} + 0.44 * {{ team_fta }} + {{ team_tov }} = 0 then 'team_no_possessions'
    end
{%- endmacro %}
