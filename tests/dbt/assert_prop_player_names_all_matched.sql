-- Every prop-feed player name resolves to a known player (normalisation + seeds/player_name_aliases.csv).
-- Exceptions: seeds/data_test_exceptions.csv, test_name 'prop_player_name_matched', record_key = player_name.
select *
from {{ ref('prop_player_names_unmatched') }}
where player_name not in ({{ data_test_exception_keys('prop_player_name_matched') }})
