"""One writer at a time: an exclusive lock beside the warehouse, held for a whole writing command.

DuckDB only locks the file while a connection is open, but a run also scrapes and trains between
connections; two overlapping writers would interleave their writes. The OS releases the lock when the
process dies, so a crash never leaves a stale lock behind.

The lock file is the warehouse's full file name plus ``.nbaprops-lock``, never the name with its suffix
replaced: a warehouse called ``warehouse.lock`` would otherwise be its own lock file, and taking the lock
truncates the lock file.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from nbacore.warehouse import WarehouseUnavailable, utc_now

LOCK_SUFFIX = ".nbaprops-lock"


class WarehouseLocked(WarehouseUnavailable):
    """Another nbaprops process holds the warehouse lock (exit code 3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=3)


def lock_path_for(warehouse_path: Path) -> Path:
    """Where the lock of ``warehouse_path`` lives; refuses a lock file that would be the warehouse itself."""
    lock_path = warehouse_path.with_name(warehouse_path.name + LOCK_SUFFIX)
    same = lock_path.resolve() == warehouse_path.resolve() or (
        lock_path.exists() and warehouse_path.exists() and lock_path.samefile(warehouse_path)
    )  # a hard link
    if same:
        raise WarehouseUnavailable(
            f"the lock file {lock_path} is the warehouse itself ({warehouse_path}); remove "
            f"that link or rename the warehouse, then run this again",
            code=2,
        )
    return lock_path


def describe_holder(text: str) -> str:
    """The holder's record (JSON written by ``warehouse_lock``) as ``pid 123, `nbaprops run ...`, since ...``."""
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']}, `nbaprops {holder['command']}`, since {holder['since']} UTC"
    except (ValueError, KeyError, TypeError):
        return text or "unknown holder"


@contextmanager
def warehouse_lock(warehouse_path: Path, command: str):
    """Hold the warehouse's writer lock while the block runs; ``command`` says who holds it to whoever waits."""
    lock_path = lock_path_for(warehouse_path)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")
    except OSError as exc:
        raise WarehouseUnavailable(
            f"cannot create the warehouse lock {lock_path}: {exc.strerror}; make its folder "
            "writable or set NBAPROPS_DUCKDB_PATH to a writable path"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = describe_holder(handle.read().strip())
        handle.close()
        raise WarehouseLocked(
            f"another nbaprops command holds the warehouse lock {lock_path} ({holder}); "
            "wait for it to finish — the lock is released when that process exits"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"pid": os.getpid(), "command": command, "since": utc_now().isoformat(timespec="seconds")})
        )
        handle.flush()
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
