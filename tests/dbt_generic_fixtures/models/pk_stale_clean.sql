-- every row older than the daily scope, all keys distinct
select player_id, game_date
from (values
    (1, date '2024-12-01'),
    (2, date '2024-12-02')
) as fixture (player_id, game_date)
