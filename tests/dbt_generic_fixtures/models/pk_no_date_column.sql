-- no game_date column: the daily build tests the whole table
select player_lookup, player_id
from (values
    ('ajones', 1),
    ('ajones', 1),
    ('bsmith', 2)
) as fixture (player_lookup, player_id)
