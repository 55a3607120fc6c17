-- a duplicate on the daily scope's first date (2025-01-10)
select player_id, game_date
from (values
    (1, date '2025-01-10'),
    (1, date '2025-01-10'),
    (2, date '2025-01-12')
) as fixture (player_id, game_date)
