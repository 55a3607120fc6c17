-- a key with a NULL part
select player_id, game_date
from (values
    (1, date '2025-01-12'),
    (cast(null as integer), date '2025-01-12')
) as fixture (player_id, game_date)
