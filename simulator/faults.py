"""Switchable faults for the simulated league API: the ways real sources fail on a bad night.

A fault hits the next ``count`` requests to one endpoint (``-1``: every one), optionally only one
resource (a game id, event id or P/T). Kinds: ``forbidden`` (403 burst, an HTML block page),
``rate_limit`` (429 with Retry-After), ``server_error`` (503), ``html`` (a challenge page with HTTP 200),
``truncated`` (JSON cut in half, HTTP 200), ``slow`` (the response waits ``delay`` seconds) and
``renamed_field`` (a field renamed in the JSON; with no resource given it sticks to the first resource it
hits, like a feed change reaching one game). On the command line: ``kind:endpoint[:count[:resource]]``.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

KINDS = ("forbidden", "rate_limit", "server_error", "html", "truncated", "slow", "renamed_field")
ENDPOINTS = (
    "schedule",
    "boxscore",
    "leaguegamelog",
    "boxscorev3",
    "events",
    "event_odds",
    "odds",
    "injury_report",
    "any",
)
RENAMED = {
    "schedule": "gameId",
    "boxscore": "personId",
    "leaguegamelog": "PLAYER_ID",
    "boxscorev3": "personId",
    "events": "commence_time",
    "event_odds": "outcomes",
    "odds": "outcomes",
    "any": "id",
}


@dataclass
class Fault:
    kind: str
    endpoint: str
    count: int = 1  # requests it hits; -1 = all
    resource: str | None = None
    retry_after: float = 1.0  # rate_limit: the Retry-After header, seconds
    delay: float = 3.0  # slow: seconds before the response starts
    field: str | None = None  # renamed_field: which field (default per endpoint, see RENAMED)
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind {self.kind!r} is unknown; use one of {', '.join(KINDS)}")
        if self.endpoint not in ENDPOINTS:
            raise ValueError(f"fault endpoint {self.endpoint!r} is unknown; use one of {', '.join(ENDPOINTS)}")

    @property
    def spent(self) -> bool:
        return self.count >= 0 and self.hits >= self.count

    @property
    def renamed(self) -> str:
        return self.field or RENAMED[self.endpoint]


def parse_fault(spec: str, delay: float = 3.0, retry_after: float = 1.0) -> Fault:
    """``kind:endpoint[:count[:resource]]``, e.g. ``forbidden:boxscore:2`` or ``renamed_field:boxscore:-1``."""
    parts = spec.split(":")
    if len(parts) < 2 or len(parts) > 4:
        raise ValueError(f"fault {spec!r}: expected kind:endpoint[:count[:resource]], e.g. forbidden:boxscore:2")
    try:
        count = int(parts[2]) if len(parts) > 2 and parts[2] else 1
    except ValueError:
        raise ValueError(f"fault {spec!r}: count {parts[2]!r} is not a whole number (-1 = every request)") from None
    resource = parts[3] if len(parts) > 3 and parts[3] else None
    return Fault(parts[0], parts[1], count, resource, retry_after=retry_after, delay=delay)


def every_fault(delay: float = 3.0, retry_after: float = 1.0) -> list[Fault]:
    """One of each kind, spread over the endpoints a date's scrape uses (``--faults all``).

    Everything but the renamed field passes after a retry or a later pass; the renamed box-score field
    sticks to one game, whose rows then come from stats.nba.com instead.
    """
    return [
        Fault("html", "schedule", 1),
        Fault("forbidden", "boxscore", 2),
        Fault("slow", "boxscore", 1, delay=delay),
        Fault("server_error", "boxscore", 1),
        Fault("renamed_field", "boxscore", -1),
        Fault("truncated", "leaguegamelog", 1),
        Fault("rate_limit", "events", 1, retry_after=retry_after),
        Fault("truncated", "events", 1),  # not event_odds: a metered answer that does not parse is not re-fetched
        Fault("server_error", "event_odds", 1),
        Fault("forbidden", "odds", 1),
    ]


class FaultPlan:
    """The active faults, consumed in order by the server's request threads."""

    def __init__(self, faults: list[Fault] | None = None):
        self._lock = threading.Lock()
        self.faults = list(faults or [])
        self.applied: list[dict] = []  # what was injected, in order: kind, endpoint, resource

    def replace(self, faults: list[Fault]) -> None:
        with self._lock:
            self.faults = list(faults)

    def pick(self, endpoint: str, resource: str) -> Fault | None:
        """The first live fault matching this request (its hit counted), or None."""
        with self._lock:
            for fault in self.faults:
                if fault.spent or fault.endpoint not in (endpoint, "any"):
                    continue
                if fault.resource is not None and fault.resource != resource:
                    continue
                if fault.kind == "renamed_field" and fault.resource is None and fault.count < 0:
                    fault.resource = resource  # a feed change reaching one resource, for good
                fault.hits += 1
                self.applied.append({"kind": fault.kind, "endpoint": endpoint, "resource": resource})
                return fault
        return None

    def state(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self.faults]
