"""What a source did for one date, judged against what the schedule says should exist.

Zero rows where the schedule expects games is a failure, never a quiet success; an empty slate (no
games that day) is a success with zero rows. ``problems`` say per resource whether the source withheld
it (blocked, not_found, no_data, rate_limited...) or the scraper broke (parse_error); a fetch that failed is
a problem even when older archived rows of the resource land again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nbacore.raw_tables import RawTable
from nbacore.warehouse import LandedPartition

OK, EMPTY, PARTIAL, FAILED = "ok", "empty", "partial", "failed"

Batch = tuple[RawTable, pd.DataFrame, str]  # (raw table, rows, _source), as replace_partitions takes them


@dataclass
class Landing:
    """Rows a source lands for one date, rebuilt from its archived payloads, and which resources they cover."""

    batches: list[Batch] = field(default_factory=list)
    resources: set[str] = field(default_factory=set)  # e.g. game ids or event ids present in the rows
    archived: set[str] = field(default_factory=set)  # request resource ids whose archived payload landed
    notes: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # archive files that could not be read: one line each


@dataclass
class SourceResult:
    """One source's outcome for one date."""

    source: str
    expected: int | None  # resources the date should have; None when unknown (no schedule)
    landed: int = 0  # resources present in the landed partition
    rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows landed
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.expected == 0 and self.landed == 0 and not self.problems:
            return EMPTY
        if self.expected is None:
            return OK if self.landed > 0 and not self.problems else FAILED
        if self.landed == 0 and self.expected > 0:
            return FAILED
        if self.landed < self.expected or self.problems:
            return PARTIAL
        return OK

    @property
    def succeeded(self) -> bool:
        return self.status in (OK, EMPTY)

    def add_landed(self, landed: list[LandedPartition]) -> None:
        for part in landed:
            self.rows[part.table] = self.rows.get(part.table, 0) + part.rows


def report_outcomes(result: SourceResult, outcomes: dict, landed: set[str]) -> None:
    """Every failed resource is a problem, even when an earlier archived payload of it landed again: a failed
    re-fetch is a failure (the rows may be stale), so the run must not report success."""
    for resource_id, outcome in sorted(outcomes.items()):
        if outcome.ok:
            continue
        line = f"{resource_id}: {outcome.classification}: {outcome.error}"
        if resource_id in landed:
            line += "; this run's fetch failed, the rows of an earlier archived payload stay landed"
        result.problems.append(line)
