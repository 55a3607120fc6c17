"""A local BigQuery API (the ``bqemulator`` package) for tests and offline experiments, on 127.0.0.1 only.

bqemulator insists on ``INSTALL spatial`` at start-up (and tries ``INSTALL avro``), both of which download
a DuckDB extension from the internet. Here that fails, and it must never be attempted from a test, so
the launcher replaces both steps: GEOGRAPHY and Avro loads are unavailable, nothing else is lost.
It also turns DuckDB's extension auto-install off inside the emulator, so no query can reach out either,
and fixes one translation bug: a division inside a window's ORDER BY (valid GoogleSQL) made DuckDB fail.

Run it by hand:   ``uv run python -m devtools.bigquery_emulator start --rest-port 19050 --project nbaprops-emulator``
(then ``export NBAPROPS_BQ_EMULATOR_ENDPOINT=http://127.0.0.1:19050`` and ``dbt ... --target bigquery_emulator``).
From Python:      ``with running_emulator() as emu: emu.client() ...``

bqemulator is a development dependency (``uv sync`` installs the dev group); production never imports this.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROJECT = "nbaprops-emulator"
HOST = "127.0.0.1"

# Environment for anything that talks to Google libraries locally: no metadata-server probe, no telemetry.
OFFLINE_ENV = {
    "NO_GCE_CHECK": "true",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
    "OTEL_SDK_DISABLED": "true",
    "BQEMU_METRICS_ENABLED": "false",
}


class EmulatorUnavailable(RuntimeError):
    """bqemulator is not installed or did not answer; the message says which and how to fix it."""


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens and which project it serves."""

    endpoint: str
    project: str
    log_path: Path

    def client(self):
        """A google-cloud-bigquery client bound to the emulator (anonymous credentials, no network)."""
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(
            project=self.project,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=self.endpoint),
        )


def _patch_bqemulator() -> None:
    """Skip the extension downloads bqemulator attempts when its DuckDB engine starts (and one translation fix)."""
    from bqemulator.sql.rewriter import aggregate_variants, create_table_schema_ctas, division_by_zero
    from bqemulator.storage import engine

    needed = [
        (engine.DuckDBEngine, "_load_spatial"),
        (engine.DuckDBEngine, "_load_format_extensions"),
        (division_by_zero, "_rewrite_div_nodes"),
        (division_by_zero, "_is_nonzero_literal"),
        (division_by_zero, "_build_division_case"),
        (aggregate_variants, "_filter_target"),
        (create_table_schema_ctas, "_first_select"),
    ]
    missing = [name for owner, name in needed if not hasattr(owner, name)]
    if missing:
        raise EmulatorUnavailable(
            f"this bqemulator version lacks {', '.join(missing)}, which devtools/bigquery_emulator.py patches; "
            "pin bqemulator to the version in uv.lock or update the launcher"
        )

    def _no_spatial(self) -> None:
        # GEOGRAPHY needs the spatial extension, which cannot be downloaded here; also close the door on
        # any other automatic extension download (json, parquet, icu are built into the duckdb wheel).
        self._connection.execute("set autoinstall_known_extensions = false")

    engine.DuckDBEngine._load_spatial = _no_spatial
    engine.DuckDBEngine._load_format_extensions = lambda self: None

    # bqemulator turns every `a / b` into `case when b = 0 then error(...) else a / b end` to mimic BigQuery's
    # division-by-zero error. DuckDB refuses error() (volatile) inside a window's ORDER BY, so a valid
    # BigQuery query such as `row_number() over (order by a / b)` would fail. Leave those divisions as they are.
    from sqlglot import exp

    def _rewrite_div_nodes(tree: exp.Expression) -> bool:
        modified = False
        for node in reversed(list(tree.find_all(exp.Div))):
            if node.parent is None and node is not tree:
                continue
            if node.this is None or node.expression is None or division_by_zero._is_nonzero_literal(node.expression):
                continue
            if _inside_window_order(node):
                continue
            node.replace(division_by_zero._build_division_case(node.this, node.expression))
            modified = True
        return modified

    division_by_zero._rewrite_div_nodes = _rewrite_div_nodes

    # `array_agg(distinct x ignore nulls)` (dbt's insert_overwrite script uses it) became
    # `array_agg(distinct x) filter (where not distinct x is null)`, which does not parse: filter on x itself.
    original_filter_target = aggregate_variants._filter_target

    def _filter_target(agg_operand: exp.Expression) -> exp.Expression:
        target = original_filter_target(agg_operand)
        if isinstance(target, exp.Distinct) and len(target.expressions) == 1:
            return target.expressions[0]
        return target

    aggregate_variants._filter_target = _filter_target

    # A model with an enforced contract is created as `create or replace table t (columns) options() as
    # (select ...)`. bqemulator turns `(columns) as select` into a CTAS with casts, but only when the body is a
    # bare SELECT; dbt wraps it in parentheses. Look through them.
    original_first_select = create_table_schema_ctas._first_select

    def _first_select(body):
        while isinstance(body, (exp.Subquery, exp.Paren)):
            body = body.this
        return original_first_select(body)

    create_table_schema_ctas._first_select = _first_select


def _inside_window_order(node) -> bool:
    from sqlglot import exp

    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, exp.Window) and child is parent.args.get("order"):
            return True
        child, parent = parent, parent.parent
    return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _answers(endpoint: str, project: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/bigquery/v2/projects/{project}/datasets", timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextmanager
def running_emulator(
    project: str = DEFAULT_PROJECT,
    log_path: Path | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[Emulator]:
    """Start bqemulator in a child process on free loopback ports; stop it on exit.

    Raises EmulatorUnavailable when the package is missing or the server does not answer in time
    (the message includes the tail of the emulator's log).
    """
    try:
        import bqemulator  # noqa: F401
    except ImportError as exc:
        raise EmulatorUnavailable(
            "bqemulator is not installed: run `uv sync` (it is in the dev dependency group)"
        ) from exc
    rest_port, grpc_port = free_port(), free_port()
    endpoint = f"http://{HOST}:{rest_port}"
    log_path = log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"bqemulator-{rest_port}.log"
    env = {**os.environ, **OFFLINE_ENV, "NBAPROPS_BQ_EMULATOR_PARENT_PID": str(os.getpid())}
    command = [
        sys.executable,
        "-m",
        "devtools.bigquery_emulator",
        "start",
        "--rest-host",
        HOST,
        "--rest-port",
        str(rest_port),
        "--grpc-host",
        HOST,
        "--grpc-port",
        str(grpc_port),
        "--project",
        project,
        "--ephemeral",
        "--log-level",
        "warning",
        "--log-format",
        "console",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while not _answers(endpoint, project):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise EmulatorUnavailable(
                    f"bqemulator did not answer on {endpoint} within {startup_timeout:.0f}s "
                    f"(exit code {proc.poll()}); log {log_path}:\n{tail}"
                )
            time.sleep(0.2)
        yield Emulator(endpoint=endpoint, project=project, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _exit_with_parent(parent_pid: int) -> None:
    """Stop this emulator when the process that started it is gone (e.g. a killed test run)."""
    import threading

    def watch() -> None:
        while True:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            time.sleep(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> int:
    """``python -m devtools.bigquery_emulator <bqemulator args>``: bqemulator's own CLI, patched."""
    missing = {k: v for k, v in OFFLINE_ENV.items() if k not in os.environ}
    if missing:  # started by hand: run again with the offline settings in its own environment
        os.execve(
            sys.executable,
            [sys.executable, "-m", "devtools.bigquery_emulator", *sys.argv[1:]],
            {**os.environ, **missing},
        )
    parent = os.environ.get("NBAPROPS_BQ_EMULATOR_PARENT_PID", "")
    if parent.isdigit():
        _exit_with_parent(int(parent))
    _patch_bqemulator()
    from bqemulator.cli import main as bqemulator_main

    return bqemulator_main()


if __name__ == "__main__":
    sys.exit(main())
