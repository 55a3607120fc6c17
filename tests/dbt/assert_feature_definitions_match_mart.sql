-- seeds/feature_definitions.csv lists exactly the feature mart's features, at the positions the mart writes
-- them (macros/feature_mart.sql feature_names()), each with a definition, unit, window and source.
with

mart_order as (

    {% for name in feature_names() -%}
    select '{{ name }}' as feature_name, {{ loop.index }} as position
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

),

seed as (

    select
        feature_name,
        position,
        definition,
        unit,
        {{ adapter.quote('window') }} as feature_window,
        source
    from {{ ref('feature_definitions') }}

)

select
    coalesce(seed.feature_name, mart_order.feature_name) as feature_name,
    seed.position as seed_position,
    mart_order.position as mart_position,
    case
        when seed.feature_name is null then 'in the mart, not in the seed'
        when mart_order.feature_name is null then 'in the seed, not in the mart'
        when seed.position <> mart_order.position then 'position differs'
        else 'definition, unit, window or source empty'
    end as problem
from seed
full outer join mart_order
    on mart_order.feature_name = seed.feature_name
where seed.feature_name is null
    or mart_order.feature_name is null
    or seed.position <> mart_order.position
    or coalesce(trim(seed.definition), '') = ''
    or coalesce(trim(seed.unit), '') = ''
    or coalesce(trim(seed.feature_window), '') = ''
    or coalesce(trim(seed.source), '') = ''
