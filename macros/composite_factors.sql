{#-
  Composite factors: each formula written once, used by models/precompute/player_composite_factors.sql and
  unit-tested there on hand-made rows (_precompute__models.yml, unit_tests). Inputs are as of strictly before
  the game's date (player_daily_cache, team_defense_daily_cache). NULL in -> NULL out: none of these
  formulas replaces a missing input with a default.
-#}

{#-
  Fatigue: recent workload on a scale where 1.0 is a heavy week.
    minutes_last_7d / 144  (144 = four 36-minute games in the 7 days before the game)
    + 0.5 when the player also played the day before (second night of a back-to-back).
  A player with 4 x 36 minutes and a game yesterday -> 1.5; no game in the last week -> 0.
-#}
{% macro fatigue(minutes_last_7d, played_yesterday) -%}
    case
        when ({{ minutes_last_7d }}) is null or ({{ played_yesterday }}) is null then null
        else cast({{ minutes_last_7d }} as {{ type_double() }}) / 144.0
            + case when {{ played_yesterday }} then 0.5 else 0.0 end
    end
{%- endmacro %}

{#-
  Pace differential: opponent pace minus own team pace (possessions per 48 minutes, each over its last
  15 games). Positive = the game should have more possessions than the player's team usually plays.
-#}
{% macro pace_differential(team_pace, opponent_pace) -%}
    case
        when ({{ team_pace }}) is null or ({{ opponent_pace }}) is null then null
        else cast({{ opponent_pace }} as {{ type_double() }}) - ({{ team_pace }})
    end
{%- endmacro %}

{#-
  Usage spike: the share of the team's 240 regulation minutes vacated by rotation teammates who are out,
  i.e. the playing time (and the shots) the remaining players must absorb.
    vacated_minutes / 240, where vacated_minutes = sum of the absent teammates' average minutes over their
    last 10 games (who counts as absent: player_composite_factors.sql, absent_teammates).
  Two 30-minute starters out -> 0.25; nobody out -> 0.
-#}
{% macro usage_spike(vacated_minutes) -%}
    case
        when ({{ vacated_minutes }}) is null then null
        else cast({{ vacated_minutes }} as {{ type_double() }}) / 240.0
    end
{%- endmacro %}

{#-
  Rest advantage: own team's days of rest minus the opponent's, each capped at 4 (beyond three days off,
  more rest stops helping). 1 = back-to-back. Range -3..3; positive = the player's team is fresher.
-#}
{% macro rest_advantage(team_days_rest, opponent_days_rest) -%}
    case
        when ({{ team_days_rest }}) is null or ({{ opponent_days_rest }}) is null then null
        else cast(least({{ team_days_rest }}, 4) - least({{ opponent_days_rest }}, 4) as {{ type_double() }})
    end
{%- endmacro %}
