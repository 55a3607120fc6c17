"""The bottom floor: what every other package builds on, importing nothing of ours.

``settings`` (the one settings object, the only reader of the environment), ``dates`` (US/Eastern game dates),
``markets`` (the market list, from seeds/markets.csv), ``raw_tables`` (the raw schema), ``warehouse`` (the one seam
to DuckDB or BigQuery: ``open_warehouse``; its engines are the only importers of ``duckdb`` and
``google.cloud.bigquery``), ``lock`` (the one-writer lock),
``importers`` (file formats), ``dbt_runner`` (dbt in-process).
"""
