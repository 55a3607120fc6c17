"""File importers: each turns one file format into rows of one raw table (see nbaprops.raw_tables)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nbaprops.importers.common import ImportFileError, ParsedFile
from nbaprops.importers.game_lines import parse_game_lines
from nbaprops.importers.game_logs import parse_game_logs
from nbaprops.importers.props import parse_props
from nbaprops.importers.schedule import parse_schedule

PARSERS: dict[str, Callable[[Path], ParsedFile]] = {
    "game-logs": parse_game_logs,
    "schedule": parse_schedule,
    "props": parse_props,
    "game-lines": parse_game_lines,
}


def parse_files(kind: str, paths: list[Path]) -> list[ParsedFile]:
    """Parse every file before anything is written, so one bad file leaves the warehouse unchanged."""
    parser = PARSERS[kind]
    return [parser(Path(p)) for p in paths]


__all__ = ["PARSERS", "ImportFileError", "ParsedFile", "parse_files"]
