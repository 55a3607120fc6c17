"""The BigQuery side of the warehouse seam (production, or the local emulator on the ``bigquery_emulator`` target).

Table names are ``dataset.table`` in the client's project, the same names as DuckDB's ``schema.table``.
Every read, DML statement, script and load is one job, counted in ``nbacore.warehouse.JOBS["bigquery"]`` so a
run can log its cost per step. Frames go up with load jobs (Parquet, never streaming inserts) into staging
tables that expire on their own; a transaction is one multi-statement script.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from google.api_core import exceptions as google_errors
from google.cloud import bigquery

from nbacore.settings import Settings
from nbacore.warehouse import (
    JOBS,
    LandedPartition,
    Staged,
    Warehouse,
    WarehouseUnavailable,
    split_name,
)
from nbacore.warehouse.bigquery_loader import (
    bigquery_schema,
    client_from_settings,
    ensure_raw_tables,
    load_staging,
    replace_partitions,
    sql_string,
    typed_arrow,
)

# Where transactions stage their frames (tables there expire after a day even if a run dies before cleaning up).
STAGING_DATASET = "nbaprops_staging"


def query_parameter(name: str, value: Any):
    """A typed BigQuery query parameter for a Python value (naive datetimes are UTC)."""
    if isinstance(value, datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", stamp.to_pydatetime())
    if isinstance(value, date):
        return bigquery.ScalarQueryParameter(name, "DATE", value)
    kind = (
        "BOOL"
        if isinstance(value, bool)
        else "INT64"
        if isinstance(value, int)
        else "FLOAT64"
        if isinstance(value, float)
        else "STRING"
    )
    return bigquery.ScalarQueryParameter(name, kind, None if value is None else value)


def sql_literal(value: Any) -> str:
    """``value`` as a GoogleSQL literal, for scripts (the emulator takes no parameters in a script)."""
    if value is None or (isinstance(value, float) and value != value):
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp
        return f"TIMESTAMP '{stamp.isoformat(sep=' ')}+00'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int | float):
        return repr(value)
    return sql_string(str(value))


def with_literals(sql: str, params: dict[str, Any]) -> str:
    from nbacore.warehouse.duckdb_engine import PARAM

    def render(match):
        name = match.group(1)
        if name not in params:
            raise KeyError(f"the statement uses @{name} but no value was given for it")
        return sql_literal(params[name])

    return PARAM.sub(render, sql)


def naive_utc(arrow: pa.Table) -> pa.Table:
    """Timestamps without their zone (UTC), as the DuckDB engine stores and returns them."""
    fields = []
    for field in arrow.schema:
        kind = field.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            kind = pa.timestamp(kind.unit)
        fields.append(pa.field(field.name, kind))
    return arrow.cast(pa.schema(fields))


def to_frame(arrow: pa.Table) -> pd.DataFrame:
    """A query's rows as pandas exactly as the DuckDB engine returns them: through DuckDB's own conversion."""
    arrow = naive_utc(arrow)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.from_arrow(arrow).df()
    finally:
        con.close()


class BigQueryWarehouse(Warehouse):
    """Datasets in ``settings.bigquery.project`` (or the emulator's project); read-only access only reads."""

    engine = "bigquery"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.target = settings.target
        bq = settings.bigquery
        if settings.target == "bigquery_emulator" and not bq.emulator_endpoint:
            raise WarehouseUnavailable(
                "target bigquery_emulator needs NBAPROPS_BQ_EMULATOR_ENDPOINT (http://127.0.0.1:PORT of "
                "`python -m devtools.bigquery_emulator start`); set it or use --target local",
                code=2,
            )
        if settings.target == "bigquery" and bq.emulator_endpoint:
            raise WarehouseUnavailable(
                "NBAPROPS_BQ_EMULATOR_ENDPOINT is set but the target is bigquery (Google); unset it, or use "
                "--target bigquery_emulator",
                code=2,
            )
        if settings.target == "bigquery" and not bq.project:
            raise WarehouseUnavailable(
                "target bigquery needs NBAPROPS_BQ_PROJECT (the GCP project holding the datasets); export it", code=2
            )
        try:
            self.client = client_from_settings(bq)
        except Exception as exc:  # google.auth's DefaultCredentialsError and friends: one line, no traceback
            raise WarehouseUnavailable(
                f"cannot reach BigQuery project {bq.project}: {str(exc).splitlines()[0]}; run `gcloud auth "
                "application-default login` or set NBAPROPS_BQ_METHOD=service-account and NBAPROPS_BQ_KEYFILE",
                code=2,
            ) from None
        self.project = self.client.project
        if settings.access != "read":
            ensure_raw_tables(self.client)  # as DuckDB creates its raw tables on a writable open

    def describe(self) -> str:
        where = f" (emulator {self.settings.bigquery.emulator_endpoint})" if self.target == "bigquery_emulator" else ""
        return f"BigQuery project {self.project}{where}"

    def _job(self, sql: str, params: dict[str, Any] | None):
        JOBS["bigquery"] += 1
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(k, v) for k, v in (params or {}).items() if f"@{k}" in sql]
        )
        return self.client.query(sql, job_config=config)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return to_frame(self._job(sql, params).result().to_arrow(create_bqstorage_client=False))

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        arrow = naive_utc(self._job(sql, params).result().to_arrow(create_bqstorage_client=False))
        names = arrow.column_names
        return [tuple(row[n] for n in names) for row in arrow.to_pylist()]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int | None:
        job = self._job(sql, params)
        job.result()
        return job.num_dml_affected_rows

    def _ref(self, qualified: str) -> str:
        schema, name = split_name(qualified)
        return f"{self.project}.{schema}.{name}"

    def tables(self, schema: str) -> set[str]:
        try:
            return {t.table_id for t in self.client.list_tables(f"{self.project}.{schema}")}
        except google_errors.NotFound:
            return set()

    def table_exists(self, qualified: str) -> bool:
        try:
            self.client.get_table(self._ref(qualified))
        except google_errors.NotFound:
            return False
        return True

    def columns(self, qualified: str) -> list[str]:
        try:
            return [f.name for f in self.client.get_table(self._ref(qualified)).schema]
        except google_errors.NotFound:
            return []

    def ensure_table(self, qualified, columns, partition_by=None, cluster_by=None) -> None:
        """Create the dataset and the table (day-partitioned on ``partition_by``, clustered on ``cluster_by``),
        or add the columns declared since it was made."""
        schema, _ = split_name(qualified)
        fields = bigquery_schema(columns)
        try:
            table = self.client.get_table(self._ref(qualified))
        except google_errors.NotFound:
            self.client.create_dataset(bigquery.Dataset(f"{self.project}.{schema}"), exists_ok=True)
            table = bigquery.Table(self._ref(qualified), schema=fields)
            if partition_by:
                table.time_partitioning = bigquery.TimePartitioning(
                    type_=bigquery.TimePartitioningType.DAY, field=partition_by
                )
            table.clustering_fields = cluster_by
            self.client.create_table(table, exists_ok=True)
            return
        have = {f.name for f in table.schema}
        for field in fields:
            if field.name not in have:  # DDL, not update_table: the emulator's storage only follows DDL
                self.execute(
                    f"alter table `{self._ref(qualified)}` add column if not exists {field.name} {field.field_type}"
                )

    def transaction(self, statements, staged=None) -> None:
        """Load each frame into a staging table (one load job each), then run the statements as one script
        in a transaction (one job); any error rolls the script back. Staging tables are dropped afterwards.
        A statement names a staged table as ``{name}``; parameters are written into the script as literals."""
        run = uuid.uuid4().hex[:12]
        names = {name: f"`{self.project}.{STAGING_DATASET}._stage_{name}_{run}`" for name in (staged or {})}
        try:
            if staged:
                self.client.create_dataset(bigquery.Dataset(f"{self.project}.{STAGING_DATASET}"), exists_ok=True)
            for name, stage in (staged or {}).items():
                self._load(names[name].strip("`"), stage)
            body = [
                with_literals(sql.format_map(names), params or {}).rstrip().rstrip(";") + ";"
                for sql, params in statements
            ]
            script = "\n".join(["begin transaction;", *body, "commit transaction;"])
            JOBS["bigquery"] += 1
            self.client.query(script).result()
        finally:
            for table in names.values():
                self.client.delete_table(table.strip("`"), not_found_ok=True)

    def _load(self, ref: str, stage: Staged) -> None:
        load_staging(self.client, ref, stage.columns, typed_arrow(stage.frame, stage.columns))

    def land(self, batches, loaded_at=None) -> list[LandedPartition]:
        return replace_partitions(self.client, batches, loaded_at)

    def close(self) -> None:
        self.client.close()
