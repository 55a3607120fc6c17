"""File importers: each turns one file format into rows of one raw table (see nbacore.raw_tables)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nbacore.importers.common import ImportFileError, ParsedFile
from nbacore.importers.game_lines import parse_game_lines
from nbacore.importers.game_logs import parse_game_logs
from nbacore.importers.props import parse_props
from nbacore.importers.schedule import parse_schedule
from nbacore.importers.sources import refuse_legacy_keys, refuse_shared_keys, source_key
from nbacore.warehouse import LandedPartition, Warehouse

PARSERS: dict[str, Callable[[Path, str], ParsedFile]] = {
    "game-logs": parse_game_logs,
    "schedule": parse_schedule,
    "props": parse_props,
    "game-lines": parse_game_lines,
}


def parse_files(
    kind: str, paths: list[Path], root: Path | None = None, progress: Callable[[], None] | None = None
) -> list[ParsedFile]:
    """Parse every file before anything is written, so one bad file leaves the warehouse unchanged.

    Each file is keyed by its path under ``root`` (default: the working directory); see ``sources``.
    ``progress()`` is called after each file.
    """
    parser, root = PARSERS[kind], Path.cwd() if root is None else Path(root)
    parsed = []
    for p in paths:
        parsed.append(parser(Path(p), source_key(Path(p), root)))
        if progress:
            progress()
    refuse_shared_keys(parsed)
    return parsed


def land_files(wh: Warehouse, parsed: list[ParsedFile]) -> list[LandedPartition]:
    """Land parsed files in one transaction; what the warehouse refuses is one line naming the file(s)."""
    refuse_legacy_keys(wh, parsed)
    try:
        return wh.land([(p.table, p.frame, p.source) for p in parsed])
    except Exception as exc:  # the contract should make this unreachable; never a traceback if not
        problem = str(exc).strip().splitlines()[0]
        names = ", ".join(str(p.path or p.source) for p in parsed)
        raise ImportFileError(names, f"the warehouse refused these rows ({problem}); nothing was landed") from exc


__all__ = ["PARSERS", "ImportFileError", "ParsedFile", "land_files", "parse_files"]
