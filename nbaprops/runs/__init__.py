"""The runs that compose the floors below into the product's jobs (top floor, under the CLI).

``morning`` (the daily job and the backfill, with their gates), ``run_log`` (``ops.pipeline_runs``),
``demo``, ``doctor``, ``monitor``, ``report`` and ``counts``. They import ``scrapers``, ``predict``,
``simulator`` and ``nbacore``; never typer, never the CLI (the CLI imports them).
"""
