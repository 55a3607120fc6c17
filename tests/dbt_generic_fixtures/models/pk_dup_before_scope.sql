-- a duplicate the day before the daily scope starts (2025-01-10), a clean row inside it
select player_id, game_date
from (values
    (1, date '2025-01-09'),
    (1, date '2025-01-09'),
    (2, date '2025-01-12')
) as fixture (player_id, game_date)
