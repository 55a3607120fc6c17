-- out of range: g1|1 is excepted; the second row's record key is NULL, and a NULL key is no exception
select game_id, player_id, usage_rate
from (values
    ('g1', 1, 120.0),
    ('g2', cast(null as integer), 140.0)
) as fixture (game_id, player_id, usage_rate)
