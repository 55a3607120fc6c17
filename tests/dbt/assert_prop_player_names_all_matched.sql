-- Every prop-feed player name resolves to a known player (normalisation + seeds/player_name_aliases.csv),
-- once the box scores could know him: names whose games' teams have no box score landed before the game
-- (a fresh warehouse's first run) are listed in prop_player_names_unmatched but are not a naming failure.
-- Exceptions: seeds/data_test_exceptions.csv, test_name 'prop_player_name_matched', record_key = player_name.
select *
from {{ ref('prop_player_names_unmatched') }}
where is_checkable
    and player_name not in ({{ data_test_exception_keys('prop_player_name_matched') }})
