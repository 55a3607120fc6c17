-- the same checks through team_column / home_column: g_ok is well formed, g_same_team has one team twice
select game_id, team_abbreviation, home
from (values
    ('g_ok', 'BOS', true),
    ('g_ok', 'NYK', false),
    ('g_same_team', 'BOS', true),
    ('g_same_team', 'BOS', false)
) as fixture (game_id, team_abbreviation, home)
