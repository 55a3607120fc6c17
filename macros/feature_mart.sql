{#-
  The feature mart's canonical feature order: precompute.feature_mart writes its f_* columns (and then the
  f_*_missing flags) in exactly this order, and seeds/feature_definitions.csv gives each its position, definition,
  unit, window and source (tests/dbt/assert_feature_definitions_match_mart.sql checks the two agree).
  Append new features at the end and bump var('feature_version'); never reorder.
-#}
{% macro feature_names() -%}
    {{ return([
        'f_stat_avg_l5',
        'f_stat_avg_l10',
        'f_stat_avg_season',
        'f_stat_std_l10',
        'f_stat_per_minute_l10',
        'f_minutes_avg_l5',
        'f_minutes_avg_l10',
        'f_minutes_avg_season',
        'f_usage_avg_l10',
        'f_ts_avg_l10',
        'f_games_played_season',
        'f_games_last_7d',
        'f_games_last_14d',
        'f_minutes_last_7d',
        'f_days_rest',
        'f_is_back_to_back',
        'f_is_home',
        'f_early_season',
        'f_team_pace_l15',
        'f_opp_def_rating_l15',
        'f_opp_pace_l15',
        'f_opp_allowed_stat_vs_league',
        'f_opp_days_rest',
        'f_pace_differential',
        'f_fatigue',
        'f_usage_spike',
        'f_rest_advantage',
        'f_line_minus_avg_l10',
    ]) }}
{%- endmacro %}

{#- The markets at compile time, for the per-market columns models generate (points_avg_l5, ...). The list
    is seeds/markets.csv; dbt cannot read a seed before it runs, so this copy is checked against it by
    tests/dbt/assert_markets_match_the_seed.sql, and a market is added in both or the build fails. -#}
{% macro prop_markets() -%}
    {{ return(['points', 'rebounds', 'assists', 'threes', 'pra']) }}
{%- endmacro %}

{#- A per-stat column picked by the row's market: by_market('cache.', '_avg_l5') -> case market when 'points' then cache.points_avg_l5 ... end -#}
{% macro by_market(prefix, suffix, market_column='market') -%}
    case {{ market_column }}
        {%- for market in prop_markets() %}
        when '{{ market }}' then {{ prefix }}{{ market }}{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}

{#- A boolean as a 0/1 double; NULL stays NULL. -#}
{% macro bool_to_double(expr) -%}
    case when ({{ expr }}) is null then null when ({{ expr }}) then 1.0 else 0.0 end
{%- endmacro %}

{#-
  A feature's missing flag: true when its value is NULL or its fallback condition holds (a window with fewer
  games than its size); never NULL. feature_is_missing('cache.minutes_avg_l5', 'cache.minutes_games_l5 < 5').
-#}
{% macro feature_is_missing(value, missing=none) -%}
    case
        when ({{ value }}) is null then true
        {%- if missing %}
        when {{ missing }} then true
        {%- endif %}
        else false
    end
{%- endmacro %}
