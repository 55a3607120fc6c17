"""Land raw rows in BigQuery with the same contract as ``nbacore.warehouse.duckdb_engine.replace_partitions``.

A load replaces the (``_source``, ``game_date``) partitions it brings, so a rerun replaces rather than
duplicates, and all tables of one run commit together or not at all. On BigQuery that is, per run:

1. one **load job per table** (Parquet, no streaming inserts) into a short-lived staging table
   ``raw._load_<table>_<run id>`` (it expires after a day even if the cleanup in step 3 never runs);
2. **one multi-statement transaction** for all tables: ``DELETE`` the covered (source, date) pairs, then
   ``INSERT ... SELECT`` from staging. The DELETE names the dates as literals, so BigQuery prunes it to
   exactly those game_date partitions (DML bills the partitions it scans);
3. drop the staging tables.

Raw tables are partitioned by day on ``game_date`` and the big ones are clustered (``CLUSTERING``).
Values are cast exactly as the DuckDB loader casts them (DuckDB does the casting here too), then typed for
BigQuery: VARCHAR -> STRING, BIGINT/INTEGER -> INT64, DOUBLE -> FLOAT64, BOOLEAN -> BOOL, DATE -> DATE,
TIMESTAMP (naive UTC) -> TIMESTAMP.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nbacore.raw_tables import RAW_SCHEMA, RAW_TABLES, RawTable
from nbacore.settings import BigQuerySettings
from nbacore.warehouse import JOBS, LandedPartition, check_unique_sources, portable_type, utc_now
from nbacore.warehouse.duckdb_engine import DUCKDB_TYPES

# The BigQuery type of each portable column type (nbacore.warehouse.PORTABLE_TYPES; DuckDB spellings map there).
BQ_TYPES = {
    "string": "STRING",
    "int64": "INT64",
    "float64": "FLOAT64",
    "bool": "BOOL",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}
# The big raw tables, clustered inside each game_date partition: _source first (the DELETE of a reload
# and per-source lineage queries), then the keys downstream models join on.
CLUSTERING = {
    "player_game_logs": ["_source", "player_id"],
    "prop_snapshots": ["_source", "player_name", "market_key"],
}
PARTITION_FIELD = "game_date"
STAGING_EXPIRY = timedelta(days=1)


def bigquery_schema(columns: dict[str, str]) -> list:
    """The BigQuery schema of ``columns`` (name -> type, in order), e.g. a raw table's ``RawTable.columns``."""
    from google.cloud import bigquery

    return [bigquery.SchemaField(name, BQ_TYPES[portable_type(kind)]) for name, kind in columns.items()]


def client_from_settings(bq: BigQuerySettings):
    """A BigQuery client for ``settings.bigquery``.

    An emulator endpoint set: the local emulator (anonymous credentials). Otherwise Google's API with the
    service-account key file when set, else application-default credentials, in the chosen project and location.
    """
    from google.cloud import bigquery

    if bq.emulator_endpoint:
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials

        return bigquery.Client(
            project=bq.emulator_project,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=bq.emulator_endpoint),
            location=bq.location,
        )
    if bq.keyfile:
        return bigquery.Client.from_service_account_json(bq.keyfile, project=bq.project, location=bq.location)
    return bigquery.Client(project=bq.project, location=bq.location)


def ensure_raw_tables(client, dataset: str = RAW_SCHEMA, tables: Sequence[RawTable] | None = None) -> None:
    """Create the raw dataset and tables if missing: day-partitioned on game_date, big ones clustered."""
    from google.cloud import bigquery

    client.create_dataset(bigquery.Dataset(f"{client.project}.{dataset}"), exists_ok=True)
    for raw in tables or RAW_TABLES.values():
        table = bigquery.Table(f"{client.project}.{dataset}.{raw.name}", schema=bigquery_schema(raw.columns))
        table.time_partitioning = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.DAY, field=PARTITION_FIELD
        )
        table.clustering_fields = CLUSTERING.get(raw.name)
        client.create_table(table, exists_ok=True)


def typed_arrow(frame: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    """``frame``'s ``columns`` as an Arrow table of BigQuery types, cast by DuckDB the way the DuckDB engine
    casts (missing columns NULL), so both engines store the same values."""
    shaped = pd.DataFrame({c: frame[c] if c in frame else None for c in columns}, index=frame.index)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("frame_rows", shaped)
        casts = ", ".join(f"cast({c} as {DUCKDB_TYPES[portable_type(t)]}) as {c}" for c, t in columns.items())
        arrow = con.sql(f"select {casts} from frame_rows").to_arrow_table()
    finally:
        con.close()
    schema = pa.schema([(c, ARROW_TYPES[BQ_TYPES[portable_type(t)]]) for c, t in columns.items()])
    return arrow.cast(schema)


def typed_rows(table: RawTable, frame: pd.DataFrame, source: str, loaded_at: datetime) -> pa.Table:
    """The rows of one raw batch (with its ``_loaded_at`` and ``_source``) as a BigQuery-typed Arrow table."""
    incoming = frame.copy()
    incoming["_loaded_at"] = loaded_at
    incoming["_source"] = source
    missing = [name for name in table.columns if name not in incoming.columns]
    if missing:
        raise ValueError(f"rows for {table.qualified} from {source!r} lack column(s) {', '.join(missing)}")
    return typed_arrow(incoming, table.columns)


def sql_string(value: str) -> str:
    """A GoogleSQL string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def _date_list(dates: Sequence[date]) -> str:
    return ", ".join(f"DATE '{d.isoformat()}'" for d in sorted(dates))


def partition_predicate(covered: dict[str, set[date]]) -> str | None:
    """WHERE clause selecting the (source, game_date) pairs ``covered``; None when there is nothing to delete.

    The leading ``game_date IN (...)`` lists literal dates so BigQuery prunes to those partitions.
    """
    covered = {source: dates for source, dates in covered.items() if dates}
    if not covered:
        return None
    all_dates = set().union(*covered.values())
    pairs = " or ".join(
        f"(_source = {sql_string(source)} and game_date in ({_date_list(dates)}))"
        for source, dates in sorted(covered.items())
    )
    return f"game_date in ({_date_list(all_dates)}) and ({pairs})"


def replace_script(project: str, dataset: str, writes: list[tuple[RawTable, str, dict[str, set[date]]]]) -> str:
    """The single transaction: per table, delete the covered partitions, insert the staged rows."""
    statements = ["begin transaction;"]
    for table, staging, covered in writes:
        target = f"`{project}.{dataset}.{table.name}`"
        predicate = partition_predicate(covered)
        if predicate:
            statements.append(f"delete from {target} where {predicate};")
        columns = ", ".join(table.columns)
        statements.append(f"insert into {target} ({columns}) select {columns} from `{project}.{dataset}.{staging}`;")
    statements.append("commit transaction;")
    return "\n".join(statements)


def _covered(rows: pa.Table) -> dict[str, set[date]]:
    covered: dict[str, set[date]] = {}
    pairs = rows.select(["_source", PARTITION_FIELD]).group_by(["_source", PARTITION_FIELD]).aggregate([])
    for source, game_date in zip(pairs.column("_source").to_pylist(), pairs.column(PARTITION_FIELD).to_pylist()):
        if game_date is not None:  # like DuckDB's `game_date in (...)`, NULL dates are never deleted
            covered.setdefault(source, set()).add(game_date)
    return covered


def load_staging(client, ref: str, columns: dict[str, str], rows: pa.Table) -> None:
    """One load job (Parquet, never streaming inserts) into a fresh table ``ref`` that expires on its own."""
    from google.cloud import bigquery

    staging = bigquery.Table(ref, schema=bigquery_schema(columns))
    staging.expires = datetime.now(UTC) + STAGING_EXPIRY
    client.create_table(staging)
    buffer = io.BytesIO()
    pq.write_table(rows, buffer)
    buffer.seek(0)
    job_config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        schema=bigquery_schema(columns),
    )
    # No size= : the client then uses a resumable upload (real BigQuery and the emulator both accept it).
    JOBS["bigquery"] += 1
    client.load_table_from_file(buffer, ref, job_config=job_config, rewind=True).result()


def replace_partitions(
    client,
    batches: list[tuple[RawTable, pd.DataFrame, str]],
    loaded_at: datetime | None = None,
    dataset: str = RAW_SCHEMA,
) -> list[LandedPartition]:
    """Land (table, rows, source) batches in BigQuery: replace the (source, game_date) partitions each covers.

    One load job per table and one transaction for all of them: everything commits together or not at all.
    """
    loaded_at = loaded_at or utc_now()
    check_unique_sources(batches)

    landed: list[LandedPartition] = []
    per_table: dict[str, tuple[RawTable, list[pa.Table]]] = {}
    for table, frame, source in batches:
        rows = typed_rows(table, frame, source, loaded_at)
        per_table.setdefault(table.name, (table, []))[1].append(rows)
        landed.append(LandedPartition(table.qualified, source, int(frame["game_date"].nunique()), len(frame)))
    if not per_table:
        return landed

    ensure_raw_tables(client, dataset, [table for table, _ in per_table.values()])
    run_id = uuid.uuid4().hex[:12]
    writes: list[tuple[RawTable, str, dict[str, set[date]]]] = []
    try:
        for name, (table, parts) in per_table.items():
            rows = pa.concat_tables(parts)
            staging = f"_load_{name}_{run_id}"
            writes.append((table, staging, _covered(rows)))
            load_staging(client, f"{client.project}.{dataset}.{staging}", table.columns, rows)
        JOBS["bigquery"] += 1
        client.query(replace_script(client.project, dataset, writes)).result()
    finally:
        for _, staging, _ in writes:
            client.delete_table(f"{client.project}.{dataset}.{staging}", not_found_ok=True)
    return landed
