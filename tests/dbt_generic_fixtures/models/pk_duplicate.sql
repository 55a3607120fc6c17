-- one key twice, on a date inside the daily scope
select player_id, game_date
from (values
    (1, date '2025-01-12'),
    (1, date '2025-01-12'),
    (2, date '2025-01-12')
) as fixture (player_id, game_date)
