-- every row older than the daily scope, one key twice: the scope is empty, so the whole table is tested
select player_id, game_date
from (values
    (1, date '2024-12-01'),
    (1, date '2024-12-01'),
    (2, date '2024-12-02')
) as fixture (player_id, game_date)
