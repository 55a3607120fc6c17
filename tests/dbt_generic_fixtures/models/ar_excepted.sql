-- out of range, but g1|1 is listed for fixture_range in seeds/data_test_exceptions.csv
select game_id, player_id, usage_rate
from (values
    ('g1', 1, 120.0)
) as fixture (game_id, player_id, usage_rate)
