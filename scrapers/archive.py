"""The raw payload archive: every response body, gzipped, written atomically before anything parses it.

Layout under the git-ignored landing folder (``settings.landing_dir``)::

    <source>/<game_date>/<resource>-<snapshot>.json.gz        a 200 response (JSON expected)
    <source>/<game_date>/<resource>-<snapshot>.pdf.gz         a 200 response of a PDF source (injury report)
    <source>/<game_date>/<resource>-<snapshot>.http<NNN>.gz   any other response (block pages, errors)

``snapshot`` is the UTC time the response arrived (``20251103T150102.123456Z``), so names sort in
time order and a parser bug never loses data: ``nbaprops replay`` lands the raw tables again from
these files alone. Resource names are plain ``[A-Za-z0-9_]`` words (``boxscore_0022500001``), so no
URL, query string or key can ever reach a path.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
RESOURCE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
FILE_NAME = re.compile(
    r"^(?P<resource>[A-Za-z0-9_]+)-(?P<stamp>\d{8}T\d{6}\.\d{6}Z)(?:\.http(?P<status>\d{3}))?\.(?:json\.|pdf\.)?gz$"
)


class DamagedArchive(Exception):
    """An archive file that cannot be read back (cut short, corrupt, gone); ``str()`` names it and the fix."""


@dataclass(frozen=True)
class ArchivedPayload:
    """One archived response body and what its name says about it."""

    path: Path
    source: str
    game_date: date
    resource: str
    received_at: datetime  # naive UTC
    status: int  # 200 for ``.json.gz`` files

    @property
    def snapshot(self) -> str:
        return self.received_at.strftime(STAMP_FORMAT)

    def read(self) -> bytes:
        """The body as archived; a file that cannot be read back raises DamagedArchive (not EOFError, which
        the CLI framework would turn into a bare "Aborted.")."""
        try:
            return gzip.decompress(self.path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            raise DamagedArchive(
                f"{self.path}: archived {self.source} payload is damaged ({exc}) and was not landed; move it aside "
                f"and re-scrape the date: nbaprops scrape --date {self.game_date} --source {self.source}"
            ) from None


def payload_path(
    landing_dir: Path,
    source: str,
    game_date: date,
    resource: str,
    received_at: datetime,
    status: int,
    kind: str = "json",
) -> Path:
    if not RESOURCE_NAME.match(resource) or not RESOURCE_NAME.match(source):
        raise ValueError(
            f"archive names must be plain words ([A-Za-z0-9_]); got source {source!r}, resource {resource!r}"
        )
    stamp = received_at.strftime(STAMP_FORMAT)
    suffix = f".{kind}.gz" if status == 200 else f".http{status:03d}.gz"
    return Path(landing_dir) / source / game_date.isoformat() / f"{resource}-{stamp}{suffix}"


def archive_payload(
    landing_dir: Path,
    source: str,
    game_date: date,
    resource: str,
    received_at: datetime,
    status: int,
    body: bytes,
    kind: str = "json",
) -> ArchivedPayload:
    """Write one body gzipped (deterministic bytes: no name or time in the gzip header), atomically."""
    path = payload_path(landing_dir, source, game_date, resource, received_at, status, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as f:
        f.write(gzip.compress(body, mtime=0))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    return ArchivedPayload(path, source, game_date, resource, received_at, status)


def archived_payloads(
    landing_dir: Path, source: str, game_date: date, successful_only: bool = True
) -> list[ArchivedPayload]:
    """The archived payloads of one source and date, oldest first (``successful_only``: 200s only)."""
    folder = Path(landing_dir) / source / game_date.isoformat()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = FILE_NAME.match(path.name)
        if not match:
            continue  # temporary files and anything a person dropped here
        status = int(match["status"] or 200)
        if successful_only and status != 200:
            continue
        received_at = datetime.strptime(match["stamp"], STAMP_FORMAT)
        found.append(ArchivedPayload(path, source, game_date, match["resource"], received_at, status))
    return sorted(found, key=lambda p: (p.received_at, p.resource))


def relative_path(landing_dir: Path, payload: ArchivedPayload) -> str:
    """The archive path as logged: relative to the landing folder, so logs do not depend on the machine."""
    return payload.path.relative_to(Path(landing_dir)).as_posix()
