{#- numerator / denominator as a float; NULL (never 0) when the denominator is NULL or 0. Pair it with a *_missing_reason column. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}
