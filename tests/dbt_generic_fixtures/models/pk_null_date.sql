-- a recent row and a row with no game_date: a NULL date is never outside the scope
select player_id, game_date
from (values
    (1, date '2025-01-12'),
    (2, cast(null as date))
) as fixture (player_id, game_date)
