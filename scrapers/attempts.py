"""The attempt log: every HTTP attempt as a row of raw.scrape_attempts, written in batches.

Rows are kept in memory and written every ``batch_size`` rows and when the scrape ends (also when it
fails), each batch in one transaction as its own ``_source`` partition (``scrape_attempts/<run>/<batch>``),
so the log only ever grows and a crash loses at most one unwritten batch. The summary table of
``nbaprops scrape`` is computed from the same rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime

import pandas as pd

from nbacore.raw_tables import SCRAPE_ATTEMPTS
from scrapers.http import Attempt


@dataclass(frozen=True)
class AttemptRow:
    """One row of raw.scrape_attempts (minus the lineage columns the loader adds)."""

    run_id: str
    attempt_seq: int
    requested_at: datetime
    source: str
    endpoint: str
    resource_id: str
    game_date: date
    url: str
    attempt: int
    http_status: int | None
    classification: str
    latency_ms: float
    bytes: int
    waited_seconds: float
    retry_after_seconds: float | None
    rows_parsed: int | None
    archive_path: str | None
    quota_remaining: int | None
    quota_used: int | None
    error: str | None


class AttemptLog:
    """Collects attempt rows for one scrape run and writes them to the warehouse in batches."""

    def __init__(self, wh, run_id: str, batch_size: int = 50):
        self.wh = wh
        self.run_id = run_id
        self.batch_size = batch_size
        self.rows: list[AttemptRow] = []  # every row of the run, for the summary
        self._pending: list[AttemptRow] = []
        self._batches = 0

    def record(
        self,
        source: str,
        endpoint: str,
        resource_id: str,
        game_date: date,
        attempt: Attempt,
        archive_path: str | None = None,
        rows_parsed: int | None = None,
    ) -> AttemptRow:
        row = AttemptRow(
            run_id=self.run_id,
            attempt_seq=len(self.rows) + 1,
            requested_at=attempt.requested_at,
            source=source,
            endpoint=endpoint,
            resource_id=resource_id,
            game_date=game_date,
            url=attempt.url,
            attempt=attempt.attempt,
            http_status=attempt.status,
            classification=attempt.classification,
            latency_ms=round(attempt.latency_ms, 1),
            bytes=attempt.bytes,
            waited_seconds=round(attempt.waited_seconds, 3),
            retry_after_seconds=attempt.retry_after_seconds,
            rows_parsed=rows_parsed,
            archive_path=archive_path,
            quota_remaining=attempt.quota_remaining,
            quota_used=attempt.quota_used,
            error=attempt.error,
        )
        self.rows.append(row)
        self._pending.append(row)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return row

    def flush(self) -> None:
        """Write the pending rows as one batch (nothing to do when none are pending)."""
        if not self._pending:
            return
        self._batches += 1
        frame = pd.DataFrame([asdict(r) for r in self._pending], columns=list(AttemptRow.__dataclass_fields__))
        self.wh.land([(SCRAPE_ATTEMPTS, frame, f"scrape_attempts/{self.run_id}/{self._batches:04d}")])
        self._pending = []

    def counts(self, source: str) -> Counter:
        """Classification counts of this run's attempts for one source."""
        return Counter(r.classification for r in self.rows if r.source == source)
