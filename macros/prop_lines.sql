{#- Prop-line helpers: implied probabilities and the "main line" of a book's offer. -#}

{#- American odds -> implied probability (vig included): -110 -> 0.524, +150 -> 0.400. NULL odds -> NULL. -#}
{% macro implied_probability(american_odds) -%}
    case
        when {{ american_odds }} is null or {{ american_odds }} = 0 then null
        when {{ american_odds }} < 0 then (-1.0 * {{ american_odds }}) / (-1.0 * {{ american_odds }} + 100)
        else 100.0 / ({{ american_odds }} + 100)
    end
{%- endmacro %}

{#-
  How far a line's prices are from even: |P(over) - P(under)| when both sides are offered,
  else 2 * |P(offered side) - 0.5| (the same scale). NULL when neither side has odds.
-#}
{% macro main_line_distance(over_odds, under_odds) -%}
    case
        when {{ over_odds }} is not null and {{ under_odds }} is not null
            then abs(({{ implied_probability(over_odds) }}) - ({{ implied_probability(under_odds) }}))
        when {{ over_odds }} is not null then 2 * abs(({{ implied_probability(over_odds) }}) - 0.5)
        when {{ under_odds }} is not null then 2 * abs(({{ implied_probability(under_odds) }}) - 0.5)
    end
{%- endmacro %}

{#-
  The main line: rank 1 = the line whose odds are closest to even within one
  book / player / market / snapshot (partition_by). Two-sided offers beat one-sided ones; ties go to the lower line.
-#}
{% macro main_line_rank(partition_by, line, over_odds, under_odds) -%}
    row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by
            case when {{ over_odds }} is not null and {{ under_odds }} is not null then 0 else 1 end,
            case when ({{ main_line_distance(over_odds, under_odds) }}) is null then 1 else 0 end,
            {{ main_line_distance(over_odds, under_odds) }},
            {{ line }}
    )
{%- endmacro %}
