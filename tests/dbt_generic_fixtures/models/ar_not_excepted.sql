-- out of range: g1|2 is listed nowhere, g3|3 only for another test (other_range)
select game_id, player_id, usage_rate
from (values
    ('g1', 2, 130.0),
    ('g3', 3, 150.0)
) as fixture (game_id, player_id, usage_rate)
