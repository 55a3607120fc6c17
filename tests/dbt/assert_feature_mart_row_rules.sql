-- The feature mart's row contract, one row per broken rule:
--   scoring rows: a line, no actual, did_play NULL;   training rows: did_play known;
--   DNP rows (did_play false): a line and no actual;  has_line = (line is not NULL);
--   every missing flag is set, and every NULL feature is flagged missing (NULL is never passed off as data).
{{ config(tags=['daily']) }}  -- also run by the daily build (selectors.yml)
-- depends_on: {{ ref('feature_definitions') }}

select
    player_id,
    game_id,
    market,
    row_kind,
    case
        when row_kind = 'scoring' and not has_line then 'scoring row without a line'
        when row_kind = 'scoring' and (actual is not null or did_play is not null) then 'scoring row with an outcome'
        when row_kind = 'training' and did_play is null then 'training row without did_play'
        when did_play = false and (not has_line or actual is not null) then 'DNP row without a line or with an actual'
        when has_line <> (line is not null) then 'has_line disagrees with line'
        else 'a missing flag is NULL, or a NULL feature is not flagged missing'
    end as problem
from {{ ref('feature_mart') }}
where {{ daily_test_scope('game_date') }} and ((row_kind = 'scoring' and (not has_line or actual is not null or did_play is not null))
    or (row_kind = 'training' and did_play is null)
    or (did_play = false and (not has_line or actual is not null))
    or has_line <> (line is not null)
    {%- for name in feature_names() %}
    or {{ name }}_missing is null
    or ({{ name }} is null and not {{ name }}_missing)
    {%- endfor %})
