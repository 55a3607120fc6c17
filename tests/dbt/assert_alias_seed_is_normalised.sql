-- Both sides of seeds/player_name_aliases.csv must already be player_lookup keys (the macro leaves
-- them unchanged), and an alias may not point at another alias (one hop only).
with

aliases as (

    select * from {{ ref('player_name_aliases') }}

)

select
    alias_lookup,
    player_lookup,
    case
        when alias_lookup <> {{ player_lookup('alias_lookup') }} then 'alias_lookup is not normalised'
        when player_lookup <> {{ player_lookup('player_lookup') }} then 'player_lookup is not normalised'
        when alias_lookup = player_lookup then 'alias points at itself'
        else 'player_lookup is itself an alias'
    end as problem
from aliases
where alias_lookup <> {{ player_lookup('alias_lookup') }}
    or player_lookup <> {{ player_lookup('player_lookup') }}
    or alias_lookup = player_lookup
    or player_lookup in (select alias_lookup from aliases)
