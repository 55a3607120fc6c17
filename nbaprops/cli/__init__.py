"""The ``nbaprops`` command line: one app (``app.py``) and one module per room of commands.

``reads`` shows picks and results (read-only); ``data`` imports files, forgets them and builds the warehouse
with dbt; ``scrape`` fetches and replays the live sources; ``predictions`` trains, scores, grades and backtests; ``operations`` runs the morning job,
backfills, reports, monitors, checks (doctor) and the demo; ``simulation`` writes or serves the simulated
league. ``common`` holds what they share: failing with one line, the one date grammar, warehouse access.
Commands parse options and print; the work is done by the floors below (``nbaprops`` runs, ``scrapers``,
``predict``, ``simulator``, ``nbacore``).
"""

from nbaprops.cli import data, operations, predictions, reads, scrape, simulation  # noqa: F401  (each adds its commands)
from nbaprops.cli.app import app

__all__ = ["app"]
