"""``python -m nbaprops.cli``: the same app as the ``nbaprops`` script."""

from nbaprops.cli import app

app()
