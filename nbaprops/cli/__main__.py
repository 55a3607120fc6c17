"""``python -m nbaprops.cli``: the same app as the ``nbaprops`` script."""

from nbaprops.cli import app

if __name__ == "__main__":  # doctor imports every module; importing this must not start the CLI
    app()
