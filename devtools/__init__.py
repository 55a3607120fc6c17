"""Development tools, never imported by the product (an import-linter contract says so) and not in the wheel:
``bigquery_lint`` (compile the models for BigQuery offline and lint the dialect) and ``bigquery_emulator``
(start and patch the ``bqemulator`` BigQuery API on 127.0.0.1 for tests). They need the dev dependency group."""
