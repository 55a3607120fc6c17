"""Reading a response body: JSON decoding and required fields, with errors that name the payload and field.

A parse failure is the scraper's problem, not the source's, so its message must say exactly what moved:
``landing/cdn_boxscore/2025-11-03/boxscore_0022500042-...json.gz: game.homeTeam.players[3] has no field
'personId'`` is enough to fix the parser without opening the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nbacore.importers.common import ImportFileError

MISSING = object()


class PayloadError(Exception):
    """A payload that arrived but cannot be turned into rows; ``str()`` names the payload and the problem."""


@dataclass
class Parsed:
    """What one payload yields: how many rows, the source-specific result, and whether it held nothing."""

    rows: int
    value: Any = None
    empty_reason: str | None = None  # set when the payload is valid but holds nothing for the date


def load_json(body: bytes, label: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{label}: not valid JSON ({exc}); the response was cut short or is not JSON") from None


def need(obj: Any, key: str, where: str, label: str) -> Any:
    """``obj[key]``, or a PayloadError naming the missing field and where it was expected."""
    if not isinstance(obj, dict):
        raise PayloadError(f"{label}: {where} is {type(obj).__name__}, expected an object with field {key!r}")
    value = obj.get(key, MISSING)
    if value is MISSING:
        raise PayloadError(
            f"{label}: {where} has no field {key!r}; the feed's shape changed, update the parser in scrapers/"
        )
    return value


def need_list(obj: Any, key: str, where: str, label: str) -> list:
    value = need(obj, key, where, label)
    if not isinstance(value, list):
        raise PayloadError(f"{label}: {where}.{key} is {type(value).__name__}, expected a list")
    return value


def need_number(obj: Any, key: str, where: str, label: str) -> float:
    """A required numeric field (numbers given as text are accepted)."""
    value = need(obj, key, where, label)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PayloadError(f"{label}: {where}.{key} is {value!r}, expected a number") from None


def as_payload_error(exc: ImportFileError) -> PayloadError:
    """The shared importers' validation errors, reported as this payload's parse error."""
    return PayloadError(str(exc))


def text(value: Any) -> str | None:
    """A JSON value as the text the shared importers validate (None for missing and empty)."""
    if value is None or value == "":
        return None
    return str(value)
