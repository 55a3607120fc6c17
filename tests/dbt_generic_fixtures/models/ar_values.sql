-- values on both bounds, one inside, one NULL (accepted_range ignores NULLs)
select key, value
from (values
    ('a', 0.0),
    ('b', 10.0),
    ('c', cast(null as double)),
    ('d', 5.5)
) as fixture (key, value)
