-- seeds/feature_definitions.csv lists exactly the feature mart's features (its f_* columns that are not
-- missing flags), at the positions the mart writes them, each with a definition, unit, window and source.
-- The mart's columns are read from the warehouse (none in the offline BigQuery compile, which runs no test).
-- depends_on: {{ ref('feature_mart') }}
{%- set mart_features = [] %}
{%- if execute and not var('offline_compile', false) %}
    {%- for column in adapter.get_columns_in_relation(ref('feature_mart')) %}
        {%- set name = column.name | lower %}
        {%- if name.startswith('f_') and not name.endswith('_missing') %}
            {%- do mart_features.append(name) %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
with

seed as (

    select
        feature_name,
        position,
        definition,
        unit,
        {{ adapter.quote('window') }} as feature_window,
        source
    from {{ ref('feature_definitions') }}

),

mart_order as (

    {% for name in mart_features -%}
    select '{{ name }}' as feature_name, {{ loop.index }} as position
    {% if not loop.last %}union all
    {% endif %}
    {%- else -%}
    select feature_name, position from seed where 1 = 0
    {%- endfor %}

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
