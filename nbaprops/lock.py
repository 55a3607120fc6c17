"""One writer at a time: an exclusive lock beside the warehouse, held for a whole run.

DuckDB only locks the file while a connection is open, but a run also scrapes and trains between
connections; two overlapping morning runs would interleave their writes. The OS releases the lock
when the process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from nbaprops.warehouse import utc_now


class WarehouseLocked(RuntimeError):
    """Another nbaprops process holds the warehouse lock."""


@contextmanager
def warehouse_lock(warehouse_path: Path, command: str):
    lock_path = warehouse_path.with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown holder"
        handle.close()
        raise WarehouseLocked(
            f"another nbaprops run holds the warehouse lock {lock_path} ({holder}); "
            "wait for it to finish — the lock is released when that process exits"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": command, "since": utc_now().isoformat(timespec="seconds")}))
        handle.flush()
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
