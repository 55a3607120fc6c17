-- three distinct (player_id, game_date) keys; player 1 appears on two dates
select player_id, game_date
from (values
    (1, date '2025-01-10'),
    (2, date '2025-01-10'),
    (1, date '2025-01-11')
) as fixture (player_id, game_date)
