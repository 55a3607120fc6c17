"""A deterministic make-believe NBA league, written in exactly the shapes of the real data files.

The demo and the self-contained tests need box scores, a schedule, prop snapshots and game lines that
join the way real ones do (10-character game ids, US/Eastern dates against UTC tip-offs, book spellings
of names) without shipping real data. Every draw comes from a seeded numpy stream, one per concern
(league, schedule, availability, each game's box score, each game's market), so:

- the same config gives byte-identical files (nothing reads the clock);
- ``as_of`` and ``market_noise`` change which rows are written and where lines sit, never how a game
  was played;
- a longer run (more ``days``) extends a shorter one with the same seed.

Modules, in the order a run uses them: ``config`` (what to simulate), ``league`` (teams, players,
names), ``calendar`` (schedule, who sits out), ``games`` (box scores), ``market`` (props, game lines),
``season`` (the whole season in memory, also served by ``serve``), ``files`` (the real formats), ``run``
(``simulate``).
"""

from simulator.config import SimConfig
from simulator.league import normalise_name
from simulator.run import SimOutput, simulate
from simulator.season import Season, simulate_season

__all__ = ["Season", "SimConfig", "SimOutput", "normalise_name", "simulate", "simulate_season"]
