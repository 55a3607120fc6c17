"""``nbaprops sim serve``: the simulated season as the five live sources, on a loopback HTTP server.

One server answers every source's paths, so pointing NBAPROPS_CDN_BASE_URL, NBAPROPS_STATS_BASE_URL and
NBAPROPS_ODDS_BASE_URL at it runs the real scrapers against a league whose truth is known:

    /static/json/staticData/scheduleLeagueV2.json (and _1)     cdn.nba.com schedule
    /static/json/liveData/boxscore/boxscore_{gameId}.json       cdn.nba.com live box score
    /stats/leaguegamelog, /stats/boxscoretraditionalv3          stats.nba.com (needs an nba.com Referer/Origin)
    /v4/sports/basketball_nba/events[/{id}/odds], .../odds      The Odds API (apiKey checked, quota headers)
    /referee/injury/Injury-Report_<date>_<time>.pdf             the league's injury report (403 until published)

Faults (``simulator.faults``) switch on at start or at run time: ``POST /_sim/faults`` with a JSON list
of fault specs or objects; ``GET /_sim/state`` shows them, what was injected, and the odds quota;
``POST /_sim/props-snapshot`` with ``{"index": 0}`` serves the morning prop snapshot instead of the afternoon.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from simulator import feeds
from simulator.faults import Fault, FaultPlan, parse_fault
from simulator.season import Season

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
BOX = re.compile(r"^/static/json/liveData/boxscore/boxscore_(\w+)\.json$")
EVENT_ODDS = re.compile(r"^/v4/sports/basketball_nba/events/(\w+)/odds$")
INJURY_REPORT = re.compile(r"^/referee/injury/(Injury-Report_\d{4}-\d{2}-\d{2}_\d{2}(?:_\d{2})?[AP]M\.pdf)$")
ACCESS_DENIED = (
    b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)
BLOCK_PAGE = (
    b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have "
    b"permission to access this resource on this server.<P>Reference #18.sim</BODY></HTML>"
)
CHALLENGE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your "
    b"browser before accessing the site.</body></html>"
)


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def _json(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload).encode())


def rename_field(payload, name: str, new_name: str):
    """``payload`` with every object key (and resultSets header) ``name`` renamed to ``new_name``."""
    if isinstance(payload, dict):
        return {(new_name if k == name else k): rename_field(v, name, new_name) for k, v in payload.items()}
    if isinstance(payload, list):
        return [new_name if item == name else rename_field(item, name, new_name) for item in payload]
    return payload


class SimApi:
    """Routes a request to the season's payloads, applying faults, the key check and the odds quota."""

    def __init__(
        self,
        season: Season,
        api_key: str | None = None,
        faults: list[Fault] | None = None,
        props_snapshot: int = 1,
        quota: int = 500,
    ):
        self.season = season
        self.api_key = api_key
        self.faults = FaultPlan(faults)
        self.props_snapshot = props_snapshot
        self.quota_used, self.quota_total = 0, quota
        self.requests = 0
        self.served: list[dict] = []  # every source request in arrival order: endpoint, resource, fault, status
        self._lock = threading.Lock()

    def route(self, path: str, params: dict[str, str]) -> tuple[str, str] | None:
        """(endpoint, resource) of a source path, or None."""
        if path in ("/static/json/staticData/scheduleLeagueV2.json", "/static/json/staticData/scheduleLeagueV2_1.json"):
            return "schedule", "schedule"
        if m := BOX.match(path):
            return "boxscore", m.group(1)
        if path == "/stats/leaguegamelog":
            return "leaguegamelog", params.get("PlayerOrTeam", "")
        if path == "/stats/boxscoretraditionalv3":
            return "boxscorev3", params.get("GameID", "")
        if path == "/v4/sports/basketball_nba/events":
            return "events", "events"
        if m := EVENT_ODDS.match(path):
            return "event_odds", m.group(1)
        if path == "/v4/sports/basketball_nba/odds":
            return "odds", "odds"
        if m := INJURY_REPORT.match(path):
            return "injury_report", m.group(1)
        return None

    def handle_get(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests += 1
        if path == "/_sim/state":
            return _json(self.state())
        routed = self.route(path, params)
        if routed is None:
            return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        endpoint, resource = routed
        reply, fault = self._answer(endpoint, resource, params, headers)
        with self._lock:
            self.served.append({"endpoint": endpoint, "resource": resource, "fault": fault, "status": reply.status})
        return reply

    def _answer(
        self, endpoint: str, resource: str, params: dict[str, str], headers: dict[str, str]
    ) -> tuple[Reply, str | None]:
        odds = endpoint in ("events", "event_odds", "odds")
        if odds and self.api_key and params.get("apiKey") != self.api_key:
            invalid = _json({"message": "API key is not valid or is missing.", "error_code": "INVALID_KEY"}, 401)
            return self._with_quota(invalid, 0), None
        nba_site = "nba.com" in headers.get("referer", "") + headers.get("origin", "")
        if endpoint in ("leaguegamelog", "boxscorev3") and not nba_site:
            return Reply(403, BLOCK_PAGE, "text/html"), None  # stats.nba.com wants a browser from nba.com
        fault = self.faults.pick(endpoint, resource)
        reply = self._faulted(fault, endpoint, params, resource) if fault else self._payload(endpoint, params, resource)
        if odds:
            cost = 0 if endpoint == "events" or reply.status != 200 else len(params.get("markets", "").split(","))
            reply = self._with_quota(reply, cost)
        return reply, fault.kind if fault else None

    def _payload(self, endpoint: str, params: dict[str, str], resource: str, rename: str | None = None) -> Reply:
        season, markets = self.season, {m for m in params.get("markets", "").split(",") if m}
        if endpoint == "schedule":
            payload = feeds.schedule_payload(season)
        elif endpoint == "boxscore":
            payload = feeds.boxscore_payload(season, resource)
        elif endpoint == "leaguegamelog":
            payload = feeds.leaguegamelog_payload(season, params)
        elif endpoint == "boxscorev3":
            payload = feeds.boxscore_v3_payload(season, resource)
        elif endpoint == "events":
            payload = feeds.events_payload(season, params)
        elif endpoint == "event_odds":
            payload = feeds.event_odds_payload(season, resource, markets, self.props_snapshot)
            if payload is None:
                return _json(
                    {"message": "Event not found. The event may have expired.", "error_code": "EVENT_NOT_FOUND"}, 404
                )
        elif endpoint == "injury_report":
            pdf = feeds.injury_report_pdf(season, resource)
            if pdf is None:  # not published: the bucket answers 403 for a missing key
                return Reply(403, ACCESS_DENIED, "application/xml")
            return Reply(200, pdf, "application/pdf")
        else:
            payload = feeds.game_odds_payload(season, params, markets, self.props_snapshot)
        if payload is None:
            return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        if rename:
            payload = rename_field(payload, rename, rename + "_v2")
        return _json(payload)

    def _faulted(self, fault: Fault, endpoint: str, params: dict[str, str], resource: str) -> Reply:
        if fault.kind == "forbidden":
            return Reply(403, BLOCK_PAGE, "text/html")
        if fault.kind == "rate_limit":
            reply = _json({"message": "Too many requests, slow down."}, 429)
            reply.headers["Retry-After"] = f"{fault.retry_after:g}"
            return reply
        if fault.kind == "server_error":
            return Reply(503, b"<html><body>503 Service Unavailable</body></html>", "text/html")
        if fault.kind == "html":
            return Reply(200, CHALLENGE_PAGE, "text/html")
        if fault.kind == "renamed_field":
            return self._payload(endpoint, params, resource, rename=fault.renamed)
        reply = self._payload(endpoint, params, resource)
        if fault.kind == "truncated":
            reply.body = reply.body[: len(reply.body) // 2]
        elif fault.kind == "slow":
            reply.delay = fault.delay
        return reply

    def _with_quota(self, reply: Reply, cost: int) -> Reply:
        with self._lock:
            self.quota_used += cost
            reply.headers.update(
                {
                    "x-requests-used": str(self.quota_used),
                    "x-requests-remaining": str(max(0, self.quota_total - self.quota_used)),
                    "x-requests-last": str(cost),
                }
            )
        return reply

    def handle_post(self, path: str, body: bytes) -> Reply:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return _json({"message": "body is not JSON"}, 400)
        if path == "/_sim/faults":
            try:
                faults = [parse_fault(f) if isinstance(f, str) else Fault(**f) for f in (data or [])]
            except (TypeError, ValueError) as exc:
                return _json({"message": str(exc)}, 400)
            self.faults.replace(faults)
            return _json(self.state())
        if path == "/_sim/props-snapshot":
            index = (data or {}).get("index")
            if index not in (0, 1):
                return _json({"message": "index must be 0 (morning) or 1 (afternoon)"}, 400)
            self.props_snapshot = index
            return _json(self.state())
        return _json({"message": f"no control endpoint {path}"}, 404)

    def state(self) -> dict:
        return {
            "faults": self.faults.state(),
            "applied": list(self.faults.applied),
            "requests": self.requests,
            "props_snapshot": self.props_snapshot,
            "quota_used": self.quota_used,
        }


def _handler(api: SimApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._send(api.handle_get(url.path, dict(parse_qsl(url.query)), headers))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self._send(api.handle_post(urlsplit(self.path).path, self.rfile.read(length)))

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a slow response outlived its timeout)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            line = re.sub(r"(apiKey=)[^&\s]+", r"\1REDACTED", format % args)
            log.debug("sim serve: %s", line)

    return Handler


@dataclass
class RunningServer:
    """A started server: its base URL, the API state behind it, and how to stop it."""

    url: str
    api: SimApi
    server: ThreadingHTTPServer
    thread: threading.Thread

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_server(api: SimApi, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``api`` on a loopback address in a background thread (port 0: any free port)."""
    if host not in LOOPBACK:
        raise ValueError(f"host {host!r} is not a loopback address; the simulated API serves 127.0.0.1 only")
    server = ThreadingHTTPServer((host, port), _handler(api))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, name="nbaprops-sim-serve", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return RunningServer(f"http://{bound_host}:{bound_port}", api, server, thread)


def serve_until_stopped(api: SimApi, host: str, port: int, echo=print) -> None:
    """Run the server in the foreground until Ctrl-C, after printing how to point the scrapers at it."""
    running = start_server(api, host, port)
    echo(f"simulated league API on {running.url} ({len(api.season.games)} games, tonight = {api.season.tonight})")
    echo("point the scrapers at it:")
    for name in (
        "NBAPROPS_CDN_BASE_URL",
        "NBAPROPS_STATS_BASE_URL",
        "NBAPROPS_ODDS_BASE_URL",
        "NBAPROPS_INJURY_BASE_URL",
    ):
        echo(f"  export {name}={running.url}")
    if api.api_key:
        echo("  export ODDS_API_KEY=<the key given with --odds-api-key>")
    else:
        echo("  export ODDS_API_KEY=sim  # any value: this server checks no key")
    active = api.faults.state()
    echo(f"faults: {', '.join(f['kind'] + ':' + f['endpoint'] for f in active) if active else 'none'}; Ctrl-C stops")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)  # `kill <pid>` stops it as cleanly as Ctrl-C
    try:
        while running.thread.is_alive():
            running.thread.join(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running.shutdown()


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt
