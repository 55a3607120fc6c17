-- The compile-time market list (prop_markets(), macros/feature_mart.sql) equals the markets seed, the one list
-- Python and staging read. Returns each market found in only one of them.
with

listed as (

    {% for market in prop_markets() -%}
    select '{{ market }}' as market
    {%- if not loop.last %} union all {% endif %}
    {% endfor %}

),

seeded as (

    select market from {{ ref('markets') }}

)

select
    coalesce(listed.market, seeded.market) as market,
    case when listed.market is null then 'only in the seed' else 'only in prop_markets()' end as problem
from listed
full outer join seeded on listed.market = seeded.market
where listed.market is null or seeded.market is null
