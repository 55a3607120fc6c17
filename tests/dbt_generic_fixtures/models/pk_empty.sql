-- no rows at all: nothing to test, the test passes
select cast(1 as integer) as player_id, date '2025-01-12' as game_date
where false
