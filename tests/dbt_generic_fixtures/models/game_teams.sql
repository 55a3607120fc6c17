-- one game per case (models/_fixtures.yml selects each with `where`); only g_ok is well formed. The last three
-- each break one condition only: no away row, no home row, a third row (with two teams, one home, one away).
select game_id, team, is_home
from (values
    ('g_ok', 'BOS', true),
    ('g_ok', 'NYK', false),
    ('g_one_row', 'BOS', true),
    ('g_three_rows', 'BOS', true),
    ('g_three_rows', 'NYK', false),
    ('g_three_rows', 'LAL', false),
    ('g_same_team', 'BOS', true),
    ('g_same_team', 'BOS', false),
    ('g_two_home', 'BOS', true),
    ('g_two_home', 'NYK', true),
    ('g_two_away', 'BOS', false),
    ('g_two_away', 'NYK', false),
    ('g_null_flag_away_side', 'BOS', true),
    ('g_null_flag_away_side', 'NYK', cast(null as boolean)),
    ('g_null_flag_home_side', 'BOS', cast(null as boolean)),
    ('g_null_flag_home_side', 'NYK', false),
    ('g_extra_row', 'BOS', true),
    ('g_extra_row', 'NYK', false),
    ('g_extra_row', 'NYK', cast(null as boolean))
) as fixture (game_id, team, is_home)
