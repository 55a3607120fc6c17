"""The one HTTP client: what it retries, how long it waits, how it classifies, what it never reveals.

Every request goes to pytest-httpserver on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from support.scraper_support import (
    FAST_HTTP,
    loopback_only,  # noqa: F401 (autouse: 127.0.0.1 only)
)
from werkzeug import Response

from scrapers.http import (
    BLOCKED,
    NO_DATA,
    NOT_FOUND,
    OK,
    RATE_LIMITED,
    SERVER_ERROR,
    TIMEOUT,
    HttpClient,
    Redactor,
    retry_after_seconds,
)

KEY = "key-7d1e2f9a0b3c"


def classes(fetched) -> list[str]:
    return [a.classification for a in fetched.attempts]


def test_403_is_blocked_and_never_retried(httpserver_ipv4):
    httpserver_ipv4.expect_request("/box").respond_with_data(
        "<HTML>Access Denied</HTML>", status=403, content_type="text/html"
    )
    with HttpClient(FAST_HTTP) as client:
        fetched = client.get(httpserver_ipv4.url_for("/box"))
    assert classes(fetched) == [BLOCKED]
    assert fetched.final.status == 403 and fetched.final.body.startswith(b"<HTML>")
    assert len(httpserver_ipv4.log) == 1


def test_429_waits_for_retry_after_then_succeeds(httpserver_ipv4):
    httpserver_ipv4.expect_ordered_request("/events").respond_with_data(
        '{"message": "slow down"}', status=429, headers={"Retry-After": "1"}, content_type="application/json"
    )
    httpserver_ipv4.expect_ordered_request("/events").respond_with_json([])
    with HttpClient(FAST_HTTP) as client:
        started = time.monotonic()
        fetched = client.get(httpserver_ipv4.url_for("/events"))
        elapsed = time.monotonic() - started
    assert classes(fetched) == [RATE_LIMITED, OK]
    assert fetched.attempts[0].retry_after_seconds == 1.0
    assert fetched.attempts[1].waited_seconds >= 1.0
    assert elapsed >= 1.0, "the Retry-After wait was honoured"


def test_retry_after_beyond_the_cap_gives_up_instead_of_sleeping(httpserver_ipv4):
    httpserver_ipv4.expect_request("/events").respond_with_data("{}", status=429, headers={"Retry-After": "3600"})
    with HttpClient(FAST_HTTP) as client:
        started = time.monotonic()
        fetched = client.get(httpserver_ipv4.url_for("/events"))
    assert classes(fetched) == [RATE_LIMITED]
    assert "exceeds" in fetched.final.error and time.monotonic() - started < 1.0


def test_5xx_then_success_is_retried_with_backoff(httpserver_ipv4):
    httpserver_ipv4.expect_ordered_request("/box").respond_with_data("oops", status=503)
    httpserver_ipv4.expect_ordered_request("/box").respond_with_data("bad gateway", status=502)
    httpserver_ipv4.expect_ordered_request("/box").respond_with_json({"game": {}})
    with HttpClient(FAST_HTTP) as client:
        fetched = client.get(httpserver_ipv4.url_for("/box"))
    assert classes(fetched) == [SERVER_ERROR, SERVER_ERROR, OK]
    assert [a.attempt for a in fetched.attempts] == [1, 2, 3]
    assert 0 < fetched.attempts[1].waited_seconds <= FAST_HTTP.backoff_cap
    assert json.loads(fetched.final.body) == {"game": {}}


def test_a_slow_response_is_a_timeout_and_is_retried(httpserver_ipv4):
    calls = []

    def slow_then_fast(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(FAST_HTTP.read_timeout + 0.15)  # this test server answers one request at a time
        return Response('{"ok": true}', content_type="application/json")

    httpserver_ipv4.expect_request("/slow").respond_with_handler(slow_then_fast)
    with HttpClient(FAST_HTTP) as client:
        fetched = client.get(httpserver_ipv4.url_for("/slow"))
    assert classes(fetched) == [TIMEOUT, OK]
    assert fetched.attempts[0].status is None and "0.3s" in fetched.attempts[0].error
    assert fetched.attempts[0].latency_ms >= FAST_HTTP.read_timeout * 1000 * 0.9


def test_html_served_with_200_is_blocked_not_ok(httpserver_ipv4):
    page = "<!DOCTYPE html><html><title>Just a moment...</title></html>"
    httpserver_ipv4.expect_request("/schedule").respond_with_data(page, status=200, content_type="text/html")
    with HttpClient(FAST_HTTP) as client:
        fetched = client.get(httpserver_ipv4.url_for("/schedule"))
    assert classes(fetched) == [BLOCKED] and fetched.final.status == 200
    assert "HTML" in fetched.final.error
    assert len(httpserver_ipv4.log) == 1, "a challenge page is not retried by the client"


@pytest.mark.parametrize(("status", "expected"), [(404, NOT_FOUND), (400, NOT_FOUND), (401, BLOCKED), (204, NO_DATA)])
def test_other_4xx_are_not_retried(httpserver_ipv4, status, expected):
    httpserver_ipv4.expect_request("/x").respond_with_data("", status=status)
    with HttpClient(FAST_HTTP) as client:
        fetched = client.get(httpserver_ipv4.url_for("/x"))
    assert classes(fetched) == [expected]
    assert len(httpserver_ipv4.log) == 1


def test_connection_refused_is_a_server_error_with_the_key_redacted():
    with HttpClient(replace(FAST_HTTP, max_attempts=2), secrets=[KEY]) as client:
        fetched = client.get("http://127.0.0.1:9/v4/sports/basketball_nba/events", params={"apiKey": KEY})
    assert classes(fetched) == [SERVER_ERROR, SERVER_ERROR]
    for attempt in fetched.attempts:
        assert KEY not in attempt.url and KEY not in (attempt.error or "")
        assert "apiKey=REDACTED" in attempt.url


def test_secrets_are_redacted_from_urls_and_urllib3_debug_logs(httpserver_ipv4, caplog):
    httpserver_ipv4.expect_request("/odds").respond_with_json([])
    caplog.set_level(logging.DEBUG)
    with HttpClient(FAST_HTTP, secrets=[KEY]) as client:
        fetched = client.get(httpserver_ipv4.url_for("/odds"), params={"apiKey": KEY, "markets": "h2h"})
    assert fetched.ok and "apiKey=REDACTED" in fetched.final.url
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # werkzeug: the test server
    assert "urllib3" in caplog.text and "apiKey=REDACTED" in ours and KEY not in ours
    assert httpserver_ipv4.log[0][0].args["apiKey"] == KEY, "the real key was sent"


def test_redactor_covers_key_like_parameters_even_when_not_listed():
    redact = Redactor(["abcd1234"])
    assert (
        redact("https://x/y?apiKey=zzz&token=t0k&a=1 abcd1234")
        == "https://x/y?apiKey=REDACTED&token=REDACTED&a=1 REDACTED"
    )


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    # delta-seconds
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(" 120 ", now=now) == 120.0 and retry_after_seconds("0") == 0.0
    # an HTTP-date in the future: the seconds from now until then
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:45 GMT", now=now) == 45.0
    assert retry_after_seconds("Wed, 21 Oct 2015 08:30:00 GMT", now=now) == 3720.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0  # that instant
    # an HTTP-date in the past: retry at once
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0
    assert 0 <= retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert (
        retry_after_seconds("garbage") is None and retry_after_seconds("") is None and retry_after_seconds(None) is None
    )


def test_429_with_a_future_http_date_waits_until_then(httpserver_ipv4):
    sleeps: list[float] = []
    until = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    httpserver_ipv4.expect_ordered_request("/events").respond_with_data(
        '{"message": "slow down"}', status=429, headers={"Retry-After": until}, content_type="application/json"
    )
    httpserver_ipv4.expect_ordered_request("/events").respond_with_json([])
    with HttpClient(FAST_HTTP, sleep=sleeps.append, jitter=lambda: 0.0) as client:
        fetched = client.get(httpserver_ipv4.url_for("/events"))
    assert classes(fetched) == [RATE_LIMITED, OK]
    # the date has whole seconds (up to 1 s before now + 4 s) and a little time passes before it is read
    assert 2.5 <= fetched.attempts[0].retry_after_seconds <= 4.0, fetched.attempts[0].retry_after_seconds
    assert sleeps == [fetched.attempts[1].waited_seconds] and sleeps[0] == fetched.attempts[0].retry_after_seconds


def test_requests_to_one_host_are_paced():
    sleeps: list[float] = []
    now = [100.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = HttpClient(replace(FAST_HTTP, pacing=2.0), sleep=sleep, monotonic=lambda: now[0])
    client._pace("stats.nba.com", 2.0)
    now[0] += 0.5
    client._pace("stats.nba.com", 2.0)
    client._pace("cdn.nba.com", 2.0)
    assert sleeps == [1.5], "the second stats request waited; another host did not"
    client.close()


def test_requests_go_through_the_proxy_list(httpserver_ipv4):
    # The proxy is the local test server: the target host is never contacted.
    httpserver_ipv4.expect_request("/static/json/x.json").respond_with_json({"via": "proxy"})
    proxy = httpserver_ipv4.url_for("/").rstrip("/")
    with HttpClient(replace(FAST_HTTP, proxies=(proxy,))) as client:
        fetched = client.get("http://cdn.example.invalid/static/json/x.json")
    assert fetched.ok and json.loads(fetched.final.body) == {"via": "proxy"}
