"""The top floor: the ``nbaprops`` command line (``cli/``) and the runs that compose the floors below into the
product's jobs (``runs/``: the morning run, backfill, demo, doctor, monitor, report)."""
