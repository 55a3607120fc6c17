"""The one HTTP client every scraper uses, and the classification of every attempt it makes.

Sources block cloud IPs (403, or an HTML challenge page served with 200), throttle (429 with Retry-After),
fail transiently (5xx, timeouts) and change shape. The client retries only what a retry can fix
(429, 5xx, timeouts, dropped connections), with exponential backoff and jitter, honouring Retry-After;
it never retries any other 4xx. It paces requests per host, rotates an optional proxy list, and returns
every attempt with its body so the caller can archive each one before parsing. Secrets (the odds API key,
a URL's ``user:pass@``) are redacted from every URL and error text it hands back, and from urllib3's debug log.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

OK = "ok"
NO_DATA = "no_data"
NOT_FOUND = "not_found"
BLOCKED = "blocked"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
TIMEOUT = "timeout"
PARSE_ERROR = "parse_error"
CLASSIFICATIONS = (OK, NO_DATA, NOT_FOUND, BLOCKED, RATE_LIMITED, SERVER_ERROR, TIMEOUT, PARSE_ERROR)
RETRYABLE = frozenset({RATE_LIMITED, SERVER_ERROR, TIMEOUT})
REDACTED = "REDACTED"
SECRET_PARAMS = re.compile(r"(?i)((?:api_?key|token|secret|password)=)[^&\s\"']+")
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]+@")  # scheme://user:pass@ in a URL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpPolicy:
    """How patient to be with a source. Tests shrink every wait; production keeps these defaults."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 4  # per request, first try included
    backoff_base: float = 1.0  # seconds before the second attempt; doubles each time, then jittered
    backoff_cap: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After ends the request instead of sleeping through it
    pacing: float = 0.25  # minimum seconds between two requests to one host (sources may ask for more)
    proxies: tuple[str, ...] = ()  # rotated per attempt; never logged (they may hold credentials)


@dataclass
class Attempt:
    """One HTTP attempt: what was asked, what came back, and how it is classified."""

    url: str  # secrets redacted
    attempt: int  # 1-based within the request
    requested_at: datetime  # naive UTC
    status: int | None
    classification: str
    latency_ms: float
    bytes: int
    error: str | None = None
    waited_seconds: float = 0.0  # backoff / Retry-After slept before this attempt
    retry_after_seconds: float | None = None
    quota_remaining: int | None = None
    quota_used: int | None = None
    content_type: str | None = None
    body: bytes | None = field(default=None, repr=False)
    received_at: datetime | None = None  # naive UTC, when the response was complete


@dataclass
class Fetched:
    """Every attempt of one request; the last one is the outcome."""

    attempts: list[Attempt]

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def ok(self) -> bool:
        return self.final.classification == OK


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Redactor:
    """Replaces secrets, any ``apiKey=...`` style parameter and a URL's ``user:pass@`` in text that leaves the
    client: a base URL may carry credentials, and URLs reach attempt rows, log lines and error texts."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)
        return SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from a record's rendered message (urllib3 logs full URLs)."""

    def __init__(self, redact: Redactor):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot render is left alone
            return True
        record.msg, record.args = self.redact(message), None
        return True


def classify_response(status: int, body: bytes, expect_json: bool) -> tuple[str, str | None]:
    """The classification of a response that arrived, with a short reason when it is not ``ok``."""
    if status in (401, 403, 451):
        return BLOCKED, f"HTTP {status}: the source refused this client (IP block, bad key or challenge)"
    if status in (404, 410):
        return NOT_FOUND, f"HTTP {status}: the source has no such resource"
    if status == 429:
        return RATE_LIMITED, "HTTP 429: rate limited"
    if status >= 500:
        return SERVER_ERROR, f"HTTP {status}: server error"
    if 400 <= status < 500:
        return NOT_FOUND, f"HTTP {status}: the source rejected the request as asked"
    if status == 204 or not body.strip():
        return NO_DATA, f"HTTP {status} with an empty body"
    if expect_json and looks_like_markup(body):
        return BLOCKED, f"HTTP {status} served an HTML/XML page where JSON was expected (challenge or block page)"
    return OK, None


def looks_like_markup(body: bytes) -> bool:
    """The body is a markup page (judged by the bytes: some servers label JSON text/html, or HTML JSON)."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


class HttpClient:
    """GET with timeouts, retries, per-host pacing and proxy rotation; see the module docstring."""

    def __init__(
        self,
        policy: HttpPolicy,
        secrets: Iterable[str | None] = (),
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ):
        self.policy = policy
        self.redact = Redactor(secrets)
        self.sleep, self.monotonic, self.jitter = sleep, monotonic, jitter
        self.session = requests.Session()
        self.session.trust_env = False  # proxies come from our own list only; no .netrc, no *_PROXY surprises
        self._next_slot: dict[str, float] = {}
        self._proxy_turn = 0
        self._filter = RedactingFilter(self.redact)
        for name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3"):
            logging.getLogger(name).addFilter(self._filter)

    def close(self) -> None:
        self.session.close()
        for name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3"):
            logging.getLogger(name).removeFilter(self._filter)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt``: exponential, capped, with jitter."""
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * self.jitter())

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        pacing: float | None = None,
        expect_json: bool = True,
    ) -> Fetched:
        """Fetch ``url``, retrying what a retry can fix; every attempt (with its body) is returned."""
        prepared = self.session.prepare_request(
            requests.Request("GET", url, params=params, headers=dict(headers or {}))
        )
        shown_url = self.redact(prepared.url) or ""
        host = urlsplit(prepared.url).netloc
        attempts: list[Attempt] = []
        waited = 0.0
        for number in range(1, self.policy.max_attempts + 1):
            self._pace(host, self.policy.pacing if pacing is None else pacing)
            attempt = self._attempt(prepared, shown_url, number, expect_json)
            attempt.waited_seconds = waited
            attempts.append(attempt)
            log.info(
                "GET %s -> %s %s (attempt %d, %.0f ms)",
                shown_url,
                attempt.status,
                attempt.classification,
                number,
                attempt.latency_ms,
            )
            if attempt.classification not in RETRYABLE or number == self.policy.max_attempts:
                break
            if attempt.classification == RATE_LIMITED and attempt.retry_after_seconds is not None:
                waited = attempt.retry_after_seconds + 0.05 * self.policy.backoff_base * self.jitter()
            else:
                waited = self.backoff(number)
            if waited > self.policy.max_retry_after:
                attempt.error = (
                    f"{attempt.error}; waiting {waited:.0f}s exceeds the {self.policy.max_retry_after:.0f}s cap, "
                    "giving up (raise NBAPROPS_HTTP_MAX_RETRY_AFTER to wait longer)"
                )
                break
            self.sleep(waited)
        return Fetched(attempts)

    def _pace(self, host: str, interval: float) -> None:
        now = self.monotonic()
        slot = self._next_slot.get(host, now)
        if slot > now:
            self.sleep(slot - now)
            now = slot
        self._next_slot[host] = now + max(0.0, interval)

    def _proxies(self) -> dict[str, str] | None:
        if not self.policy.proxies:
            return None
        proxy = self.policy.proxies[self._proxy_turn % len(self.policy.proxies)]
        self._proxy_turn += 1
        return {"http": proxy, "https": proxy}

    def _attempt(self, prepared: requests.PreparedRequest, shown_url: str, number: int, expect_json: bool) -> Attempt:
        requested_at = utc_now()
        started = self.monotonic()
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)

        def failed(classification: str, error: str) -> Attempt:
            return Attempt(
                url=shown_url,
                attempt=number,
                requested_at=requested_at,
                status=None,
                classification=classification,
                latency_ms=(self.monotonic() - started) * 1000,
                bytes=0,
                error=self.redact(error),
            )

        try:
            response = self.session.send(prepared, timeout=timeout, proxies=self._proxies(), allow_redirects=True)
            body = response.content
        except requests.exceptions.ConnectTimeout:
            return failed(TIMEOUT, f"no connection within {self.policy.connect_timeout:g}s")
        except requests.exceptions.ReadTimeout:
            return failed(TIMEOUT, f"no response within {self.policy.read_timeout:g}s")
        except requests.exceptions.RequestException as exc:
            return failed(SERVER_ERROR, f"{type(exc).__name__}: {exc}")
        content_type = response.headers.get("content-type")
        classification, reason = classify_response(response.status_code, body, expect_json)
        return Attempt(
            url=shown_url,
            attempt=number,
            requested_at=requested_at,
            status=response.status_code,
            classification=classification,
            latency_ms=(self.monotonic() - started) * 1000,
            bytes=len(body),
            error=reason,
            retry_after_seconds=retry_after_seconds(response.headers.get("retry-after")),
            quota_remaining=_int_header(response.headers, "x-requests-remaining"),
            quota_used=_int_header(response.headers, "x-requests-used"),
            content_type=content_type,
            body=body,
            received_at=utc_now(),
        )
