"""One step shared by every source: request -> fetch -> archive every body -> parse -> log every attempt.

A request that fails (blocked, throttled, timed out, unparseable, empty where rows were expected) is tried
again in a later pass after a cool-down, so a 403 burst costs minutes, not the night. The HTTP client
itself never retries a 403; passes do, slowly, which is what gets past a burst without hammering.
A metered request (every answered request costs API quota) is the exception: a complete answer that does not
parse or holds nothing would come back the same and be charged again, so it is not fetched again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from nbacore.settings import SourceSettings
from scrapers.archive import ArchivedPayload, DamagedArchive, archive_payload, relative_path
from scrapers.attempts import AttemptLog
from scrapers.config import ScrapeConfig
from scrapers.http import NO_DATA, OK, PARSE_ERROR, HttpClient
from scrapers.payloads import Parsed, PayloadError


class Progress(Protocol):
    """What the CLI shows while a source runs (a no-op in tests)."""

    def start(self, label: str, total: int) -> None: ...
    def grow(self, extra: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, label: str, total: int) -> None: ...
    def grow(self, extra: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


@dataclass
class Context:
    """Everything a source needs for one game date of one scrape run."""

    game_date: date
    client: HttpClient
    landing_dir: Path
    log: AttemptLog
    config: ScrapeConfig
    sources: SourceSettings
    progress: Progress = field(default_factory=NoProgress)
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Request:
    """One resource to fetch: where it is, how it is archived and how its body becomes rows."""

    source: str  # archive folder and attempt-log source, e.g. cdn_boxscore
    endpoint: str  # which endpoint, e.g. boxscore, scheduleLeagueV2_1, event_odds
    resource_id: str  # the logical resource, e.g. a game id; stable across endpoints and runs
    archive_name: str  # [A-Za-z0-9_]+, e.g. boxscore_0022500001
    url: str
    parse: Callable[[bytes, str], Parsed]  # (body, label) -> Parsed; raises PayloadError
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    pacing: float | None = None
    expect_rows: int = 0  # rows the date should have (e.g. final games); 0 rows then is no_data, not ok
    metered: bool = False  # each answer costs API quota (The Odds API): an unusable answer is not re-fetched
    kind: str = "json"  # the archived body's kind (archive suffix): json, pdf
    absent_statuses: frozenset[int] = frozenset()  # HTTP statuses that mean "not published": no_data, not failure


@dataclass
class Outcome:
    """The result of a request's last attempt (after parsing)."""

    request: Request
    classification: str
    parsed: Parsed | None = None
    error: str | None = None
    payload: ArchivedPayload | None = None

    @property
    def ok(self) -> bool:
        return self.classification == OK


PARSE_CACHE_SIZE = 2048
_parsed: OrderedDict[str, Parsed | PayloadError] = OrderedDict()


def parse_archived(payload: ArchivedPayload, landing_dir: Path, parse: Callable[[bytes, str], Parsed]) -> Parsed:
    """Parse an archived payload once per process: archive files never change (unique names, atomic
    writes), so landing reuses what the fetch step already parsed. Raises the payload's PayloadError."""
    key = str(payload.path)
    if key not in _parsed:
        try:
            _remember(key, parse(payload.read(), relative_path(landing_dir, payload)))
        except PayloadError as exc:
            _remember(key, exc)
    found = _parsed[key]
    if isinstance(found, PayloadError):
        raise found
    return found


def parse_landable(
    payload: ArchivedPayload, landing_dir: Path, parse: Callable[[bytes, str], Parsed], damaged: list[str]
) -> Parsed | None:
    """An archived payload parsed for landing, or None to skip it. A payload that does not parse is skipped
    quietly (failed responses are archived too); a damaged archive file is added to ``damaged``, so the run
    fails naming it while the date's other files still land."""
    try:
        return parse_archived(payload, landing_dir, parse)
    except PayloadError:
        return None
    except DamagedArchive as exc:
        damaged.append(str(exc))
        return None


def _remember(key: str, value: Parsed | PayloadError) -> None:
    _parsed[key] = value
    _parsed.move_to_end(key)
    while len(_parsed) > PARSE_CACHE_SIZE:
        _parsed.popitem(last=False)


def fetch(ctx: Context, request: Request) -> Outcome:
    """Fetch one resource; archive every response body before the last one is parsed; log every attempt."""
    fetched = ctx.client.get(request.url, request.params, request.headers, pacing=request.pacing)
    for attempt in fetched.attempts:
        if attempt.status in request.absent_statuses:
            attempt.classification = NO_DATA
            attempt.error = f"HTTP {attempt.status}: not published (yet); no data, not a failure"
    outcome = Outcome(request, fetched.final.classification, error=fetched.final.error)
    for attempt in fetched.attempts:
        payload = None
        if attempt.body is not None and attempt.status is not None:
            payload = archive_payload(
                ctx.landing_dir,
                request.source,
                ctx.game_date,
                request.archive_name,
                attempt.received_at,
                attempt.status,
                attempt.body,
                request.kind,
            )
        rows = None
        if attempt is fetched.final:
            outcome.payload = payload
            if attempt.classification == OK and payload is not None:
                rows = _parse_into(outcome, attempt, payload, ctx.landing_dir)
        ctx.log.record(
            request.source,
            request.endpoint,
            request.resource_id,
            ctx.game_date,
            attempt,
            archive_path=relative_path(ctx.landing_dir, payload) if payload else None,
            rows_parsed=rows,
        )
    ctx.progress.advance()
    return outcome


def _parse_into(outcome: Outcome, attempt, payload: ArchivedPayload, landing_dir: Path) -> int | None:
    """Parse the final body; a failure or an empty payload where rows were expected reclassifies the attempt."""
    request = outcome.request
    try:
        parsed = parse_archived(payload, landing_dir, request.parse)
    except PayloadError as exc:
        attempt.classification, attempt.error = PARSE_ERROR, str(exc)
        outcome.classification, outcome.error = PARSE_ERROR, str(exc)
        return None
    outcome.parsed = parsed
    if parsed.rows == 0 and request.expect_rows > 0:
        reason = parsed.empty_reason or "the payload holds no rows"
        attempt.classification = NO_DATA
        attempt.error = f"{reason}, but the schedule expects {request.expect_rows} game(s)"
        outcome.classification, outcome.error = NO_DATA, attempt.error
    return parsed.rows


def fetch_in_passes(ctx: Context, requests: list[Request]) -> dict[str, Outcome]:
    """Fetch every request; re-try the failures in up to ``config.passes`` passes with a cool-down between."""
    outcomes: dict[str, Outcome] = {}
    pending = list(requests)
    for number in range(1, ctx.config.passes + 1):
        if not pending:
            break
        if number > 1:
            ctx.progress.grow(len(pending))
            ctx.sleep(ctx.config.pass_cooldown)
        failed = []
        for request in pending:
            outcome = fetch(ctx, request)
            outcomes[request.resource_id] = outcome
            if outcome.ok:
                continue
            if worth_another_pass(outcome):
                failed.append(request)
            elif number < ctx.config.passes:  # say why a pass was left unused
                outcome.error = f"{outcome.error}; not fetched again: the same answer would cost API quota again"
        pending = failed
    return outcomes


NOT_WORTH_QUOTA = frozenset({PARSE_ERROR, NO_DATA})  # a complete answer we cannot use: the same comes back


def worth_another_pass(outcome: Outcome) -> bool:
    """Whether a failed request is fetched again in the next pass. A metered request whose complete answer
    did not parse or held nothing is not: the same bytes would come back and cost quota again, while a
    block, throttle, timeout or server error may pass and an answer refused with an error status is free."""
    return not outcome.request.metered or outcome.classification not in NOT_WORTH_QUOTA


def fetch_first_of(ctx: Context, variants: list[Request]) -> Outcome:
    """One resource with fallback endpoints: per pass, try each variant until one is ok."""
    outcome = None
    for number in range(1, ctx.config.passes + 1):
        if number > 1:
            ctx.progress.grow(len(variants))
            ctx.sleep(ctx.config.pass_cooldown)
        for request in variants:
            outcome = fetch(ctx, request)
            if outcome.ok:
                return outcome
    assert outcome is not None, "fetch_first_of needs at least one variant"
    return outcome
