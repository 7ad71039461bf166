"""The fault matrix: every fault, against a status feed and against an API probe.

One real `trayapp status --json` run per fault x target, against real loopback
servers. Each must end without a traceback, within a bound derived from the
configured timeouts, with the expected state and a one-line reason. A feed
fault is never an outage (``unknown``); a probe fault follows the probe rules
while the connectivity check passes; a failed check makes everything offline.
The table in README.md lists the same rows.

The runs are independent (each has its own server, config and HOME) and
mostly wait on the network or on a timeout, so they are started a few at a
time, the slowest first, when the module starts (:func:`matrix`); each test
then checks its own run. The matrix costs about its slowest runs, not the sum.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.kit import (
    STATUS_BOUND,
    RawServer,
    Run,
    assert_no_crash,
    assert_one_line,
    dribble,
    feed_entry_path,
    feed_service,
    interim_forever,
    isolated_env,
    loopback_config,
    probe_service,
    run_status,
    watch,
    write_config,
)
from tests.loopback import LoopbackServer, fixture, free_port, wait_until
from trayapp.edges import http
from trayapp.edges.http import Posted

OK_FEED = fixture("statuspage/anthropic-summary-3.json")
OK_PROBE = fixture("edge-cases/anthropic-api-401-missing-key-1.json")
CHALLENGE = fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")
OVERLOADED = fixture("edge-cases/anthropic-api-529-overloaded-1.json")
SERVER_ERROR = b'{"type":"error","error":{"type":"api_error","message":"Internal server error"}}'
LOGIN_PAGE = b"<!doctype html><html><body><form action=/login>Wi-Fi login</form></body></html>"
CHECK = "/generate_204"
# Runs in flight: they mostly wait; the machine has 2 cores. Under pytest-xdist the
# other workers load those cores too, and each run's time bound includes its start:
# two at once there (the matrix is one worker's chain, shorter than the desktop tests').
AT_ONCE = 2 if os.environ.get("PYTEST_XDIST_WORKER") else 4


@dataclass
class Ctx:
    server: LoopbackServer
    target: str                     # "feed" or "probe"
    tls: LoopbackServer | None      # an https server nobody trusts (None: cannot make one)
    connectivity: str = ""

    @property
    def healthy(self) -> bytes:
        return OK_FEED if self.target == "feed" else OK_PROBE


Install = Callable[[Ctx, str], str]     # (ctx, request path) -> the origin to configure


@dataclass(frozen=True)
class Expect:
    level: str
    says: str                          # in the one-line summary, case-insensitive
    problem: str | None = None         # the feed's SourceProblem
    offline: bool = False


@dataclass(frozen=True)
class Fault:
    id: str
    install: Install
    feed: Expect
    probe: Expect


def answer(status: int, body: bytes = SERVER_ERROR, content_type: str = "application/json",
           **route: object) -> Install:
    def install(ctx: Ctx, path: str) -> str:
        ctx.server.set(path, body, status=status, content_type=content_type, **route)
        return ctx.server.base
    return install


def healthy_body(content: bytes, **route: object) -> Install:
    """The feed gets ``content``; the probe gets it too, as a 200 (it reads no body)."""
    return answer(200, content, **route)


def origin(make: Callable[[], str]) -> Install:
    return lambda ctx, path: make()


def tls(ctx: Ctx, path: str) -> str:
    if ctx.tls is None:
        pytest.skip("neither the openssl CLI nor the cryptography package is installed")
    ctx.tls.set(path, ctx.healthy)
    return ctx.tls.base


def connectivity(make: Callable[[Ctx], str]) -> Install:
    def install(ctx: Ctx, path: str) -> str:
        ctx.server.set(path, ctx.healthy)
        ctx.connectivity = make(ctx)
        return ctx.server.base
    return install


def captive(ctx: Ctx) -> str:
    ctx.server.set("/portal", LOGIN_PAGE, content_type="text/html")
    return ctx.server.url("/portal")


def redirect(location: str) -> Install:
    def install(ctx: Ctx, path: str) -> str:
        ctx.server.set(path, b"", status=302, headers={"Location": location or path})
        return ctx.server.base
    return install


def feed_http(code: int) -> Expect:
    problem = "blocked" if code in (403, 429) else "http_error"
    return Expect("unknown", f"HTTP {code}", problem)


def probe_http(code: int) -> Expect:
    if not 100 <= code <= 599:
        return Expect("unknown", f"broken HTTP answer (status {code})")
    if code in (503, 529):
        return Expect("degraded", f"overloaded (HTTP {code})")
    if code >= 500:
        return Expect("partial_outage", f"HTTP {code}")
    if code == 429:      # keyless: no quota; alone it cannot tell (the page decides)
        return Expect("unknown", "rate limited from this network")
    return Expect("operational", f"HTTP {code}")


def broken(says: str) -> Expect:
    return Expect("unknown", says, "broken")


def unreachable(words: str) -> Expect:
    return Expect("unknown", f"unreachable: {words}", "unreachable")


API_UP = Expect("operational", "API answers: HTTP 200")
MB = 1024 * 1024

FAULTS = [
    *(Fault(str(code), answer(code, OVERLOADED if code == 529 else
                              OK_PROBE if code == 401 else SERVER_ERROR),
            feed_http(code), probe_http(code))
      for code in (500, 502, 503, 504, 529, 429, 401, 403, 404, 600, 999)),
    # Refused on this machine: nothing listens, a local server not running (issue 23),
    # never an outage (a remote vendor refusing is: tests/test_not_running.py).
    Fault("refused", origin(lambda: f"http://127.0.0.1:{free_port()}"),
          unreachable("connection refused"), Expect("unknown", "nothing answers at 127.0.0.1")),
    # The connectivity check answers, so other names resolve: this name failing is
    # this computer's DNS (issue 17), never a vendor outage.
    Fault("dns", origin(lambda: "https://x.invalid"),
          unreachable("name not found"), Expect("unknown", "check DNS, VPN or the hosts file")),
    Fault("no-answer", answer(200, hang=True),
          unreachable("timed out"), Expect("major_outage", "timed out")),
    Fault("dribble", healthy_body(OK_FEED, drip=1.0),
          unreachable("timed out"), Expect("major_outage", "timed out")),
    Fault("oversized-streamed", healthy_body(b"x" * 65536, repeat=1024),
          unreachable("answer too large"), Expect("unknown", "answer too large")),
    Fault("oversized-declared", healthy_body(b"x", content_length=1024 * MB),
          unreachable("answer too large"), Expect("unknown", "answer too large")),
    Fault("truncated-transfer", healthy_body(OK_FEED, content_length=len(OK_FEED) + 500),
          unreachable("broken HTTP answer"), Expect("unknown", "broken HTTP answer")),
    Fault("truncated-json", healthy_body(OK_FEED[: len(OK_FEED) // 2]),
          broken("no longer serves"), API_UP),
    Fault("invalid-utf8", healthy_body(b'{"status": {"indicator": "none", "x": "\xff\xfe\xc3("}}'),
          broken("no longer serves"), API_UP),
    Fault("json-nulls", healthy_body(b'{"page": null, "status": null, "components": null,'
                                     b' "incidents": null, "scheduled_maintenances": null}'),
          broken("no readable status"), API_UP),
    Fault("json-numbers-for-strings", healthy_body(
        b'{"page": {"name": 1, "url": 2}, "status": {"indicator": 3, "description": 4},'
        b' "components": [{"id": 5, "name": 6, "status": 7}],'
        b' "incidents": [{"id": 8, "name": 9, "status": 10, "impact": 11}]}'),
          broken("no readable status"), API_UP),
    Fault("json-missing-keys", healthy_body(b'{"components": [{}], "incidents": [{}]}'),
          broken("no readable status"), API_UP),
    Fault("json-empty-object", healthy_body(b"{}"), broken("no longer serves"), API_UP),
    Fault("json-bare-array", healthy_body(b'[{"status": "operational"}]'),
          broken("no longer serves"), API_UP),
    Fault("unknown-enums", healthy_body(
        b'{"page": {"name": "X"}, "status": {"indicator": "apocalyptic"},'
        b' "components": [{"id": "c1", "name": "API", "status": "on_fire"}], "incidents": []}'),
          broken("no readable status"), API_UP),
    Fault("cloudflare-challenge", answer(403, CHALLENGE, "text/html; charset=UTF-8"),
          Expect("unknown", "bot challenge", "blocked"),
          Expect("unknown", "bot challenge")),
    Fault("captive-portal", connectivity(captive),
          Expect("unknown", "captive portal", offline=True),
          Expect("unknown", "captive portal", offline=True)),
    Fault("no-network", connectivity(lambda ctx: f"http://127.0.0.1:{free_port()}/"),
          Expect("unknown", "no network", offline=True),
          Expect("unknown", "no network", offline=True)),
    Fault("redirect-loop", redirect(""), unreachable("bad redirect"),
          Expect("unknown", "bad redirect")),
    Fault("redirect-to-file", redirect("file:///etc/passwd"), unreachable("bad redirect"),
          Expect("unknown", "bad redirect")),
    Fault("redirect-to-javascript", redirect("javascript:alert(1)"),
          unreachable("bad redirect"), Expect("unknown", "bad redirect")),
    Fault("tls-untrusted", tls, unreachable("TLS error"),
          Expect("unknown", "intercepting HTTPS")),           # an unknown issuer (issue 17)
]


def configure(ctx: Ctx, fault: Fault, config: Path) -> Path:
    ctx.server.set(CHECK, b"", status=204)
    ctx.connectivity = ctx.server.url(CHECK)
    if ctx.target == "feed":
        base = fault.install(ctx, feed_entry_path("/feed")) + "/feed"
        service = feed_service(base)
    else:
        service = probe_service(fault.install(ctx, "/probe") + "/probe")
    return write_config(config, [service], connectivity_url=ctx.connectivity)


SLOW_FIRST = ("no-answer", "dribble")     # the runs that wait for a timeout


@dataclass
class Cell:
    fault: Fault
    target: str
    run: Run | None = None
    error: BaseException | None = None       # a skip, or a run that did not end


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory,
           request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], Cell]]:
    """Every fault x target run, AT_ONCE at a time, the slow ones first."""
    try:
        tls_files = request.getfixturevalue("tls_files")
        tls_server: LoopbackServer | None = LoopbackServer(tls=tls_files)
    except pytest.skip.Exception:
        tls_server = None
    cells = {(f.id, t): Cell(f, t) for f in FAULTS for t in ("feed", "probe")}

    def go(cell: Cell) -> None:
        tmp = tmp_path_factory.mktemp(f"{cell.fault.id}-{cell.target}")
        server = LoopbackServer()
        try:
            config = configure(Ctx(server, cell.target, tls_server), cell.fault,
                               tmp / "config.toml")
            cell.run = run_status(isolated_env(tmp / "env"), config)
        except BaseException as exc:            # re-raised by the cell's own test
            cell.error = exc
        finally:
            server.close()

    order = sorted(cells.values(), key=lambda c: c.fault.id not in SLOW_FIRST)
    try:
        with ThreadPoolExecutor(AT_ONCE) as pool:
            list(pool.map(go, order))
        yield cells
    finally:
        if tls_server is not None:
            tls_server.close()


@pytest.mark.parametrize("target", ["feed", "probe"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_fault(fault: Fault, target: str, matrix: dict[tuple[str, str], Cell]) -> None:
    cell = matrix[fault.id, target]
    if cell.error is not None:
        raise cell.error
    run = cell.run
    assert run is not None
    expect = fault.feed if target == "feed" else fault.probe

    assert_no_crash(run)
    assert run.seconds < STATUS_BOUND, f"took {run.seconds:.1f} s"
    snap = run.json()
    svc = run.service()
    assert snap["offline"] is expect.offline
    assert svc["level"] == expect.level, svc
    assert_one_line(svc["summary"])
    assert expect.says.lower() in svc["summary"].lower(), svc["summary"]
    if target == "feed" and not expect.offline:
        assert svc["feed"]["problem"] == expect.problem, svc["feed"]
        assert_one_line(svc["feed"]["error"])
    if expect.offline:
        assert_one_line(snap["reason"])
        assert run.rc == 3


PAGE_FAULTS = ["500", "no-answer", "cloudflare-challenge", "json-nulls", "tls-untrusted"]


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.id in PAGE_FAULTS],
                         ids=PAGE_FAULTS)
def test_an_unreadable_page_says_nothing_about_a_healthy_api(
        fault: Fault, server: LoopbackServer, env: dict[str, str], tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    """Feed fault + a healthy probe on one service, no earlier read: ``unknown``, exit 3.

    A keyless 401 proves the API's front door answers, which is what a vendor with a
    dead backend looks like too: it never stands in for the unreadable page."""
    tls_server = request.getfixturevalue("tls_server") if fault.id == "tls-untrusted" else None
    ctx = Ctx(server, "feed", tls_server)
    config = configure(ctx, fault, tmp_path / "config.toml")
    server.set("/probe", OK_PROBE, status=401)
    text = config.read_text().replace("probe = false",
                                      f'probe = {{ url = "{server.url("/probe")}" }}')
    config.write_text(text)

    run = run_status(env, config)

    assert_no_crash(run)
    svc = run.service()
    assert svc["level"] == "unknown" and run.rc == 3, svc
    assert svc["probe"]["level"] == "operational"
    assert svc["feed"]["problem"] == fault.feed.problem
    assert fault.feed.says.lower() in svc["summary"].lower(), svc["summary"]


# ------------------------------------------------------------------ the webhook path
#
# A webhook's POST goes through the same edge as every feed and probe request
# (trayapp.edges.http.post -> HttpClient.send): its `timeout` is a total deadline,
# whatever the server dribbles. Each cell is one real POST against a raw TCP
# server on 127.0.0.1, all cells at once; the bound is read on both sides: the
# caller's wall time, and the connection's life as the server saw it (which also
# waits for the server to notice: up to two of its send intervals).

WEBHOOK_TIMEOUT = 2.0
WEBHOOK_MARGIN = 1.5
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"


def _ok(body: bytes = b"ok") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def _body_forever(piece: bytes, every: float) -> Callable[[Any, Any], None]:
    """Status and headers at once (a 1 GB Content-Length), then ``piece`` forever."""
    def behave(conn: Any, stop: Any) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n")
        while not stop.is_set():
            conn.sendall(piece)
            if every:
                stop.wait(every)
    return behave


def _never_answers(conn: Any, stop: Any) -> None:
    conn.settimeout(0.2)
    while not stop.is_set():            # reads until the client hangs up
        try:
            if not conn.recv(4096):
                return
        except TimeoutError:
            continue


def _redirect(conn: Any, stop: Any) -> None:
    conn.sendall(b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.2:9/stolen\r\n"
                 b"Content-Length: 0\r\n\r\n")


@dataclass(frozen=True)
class WebhookFault:
    id: str
    behave: Callable[[], Callable[[Any, Any], None]]
    status: int | None                 # what post() reports: the status, or None (failed)
    says: str | None                   # its error, in our words


WEBHOOK_FAULTS = [
    WebhookFault("headers-dribbled", lambda: dribble(_ok(), 0.4), None, "timed out"),
    WebhookFault("endless-103", lambda: interim_forever(EARLY_HINTS, 0), None, "timed out"),
    WebhookFault("103-every-0.3s", lambda: interim_forever(EARLY_HINTS, 0.3), None, "timed out"),
    # The status came: the hook was delivered, the rest of the answer does not matter.
    WebhookFault("body-dribbled", lambda: _body_forever(b"x", 0.3), 200, None),
    WebhookFault("huge-body", lambda: _body_forever(b"x" * 65536, 0), 200, None),
    WebhookFault("never-answers", lambda: _never_answers, None, "timed out"),
    WebhookFault("redirect", lambda: _redirect, 307, "HTTP 307"),
]


@dataclass
class WebhookCell:
    posted: Posted | None = None
    seconds: float = 0.0
    lifetimes: list[float] | None = None
    connections: int = 0
    error: BaseException | None = None


@pytest.fixture(scope="module")
def webhook_cells() -> dict[str, WebhookCell]:
    """Every webhook fault, all POSTs at once (they only wait)."""
    cells = {f.id: WebhookCell() for f in WEBHOOK_FAULTS}

    def go(fault: WebhookFault) -> None:
        cell = cells[fault.id]
        try:
            with RawServer(fault.behave()) as raw:
                started = time.monotonic()
                cell.posted = http.post(raw.url("/hook/T0KEN"), b'{"kind": "worse"}',
                                        timeout=WEBHOOK_TIMEOUT)
                cell.seconds = time.monotonic() - started
                # The server notices the client gone on its next sends.
                wait_until(lambda: len(raw.lifetimes) >= raw.connections, 5)
                cell.lifetimes, cell.connections = list(raw.lifetimes), raw.connections
        except BaseException as exc:
            cell.error = exc

    # Daemon threads, joined with a limit: a POST that never ends (the code before the
    # fix, on endless 103s) fails its cell instead of hanging the suite.
    threads = [threading.Thread(target=go, args=(f,), daemon=True) for f in WEBHOOK_FAULTS]
    for t in threads:
        t.start()
    ends = time.monotonic() + 30
    for fault, t in zip(WEBHOOK_FAULTS, threads, strict=True):
        t.join(max(0.0, ends - time.monotonic()))
        if t.is_alive():
            cells[fault.id].error = AssertionError("the POST did not end in 30 s")
    return cells


@pytest.mark.parametrize("fault", WEBHOOK_FAULTS, ids=[f.id for f in WEBHOOK_FAULTS])
def test_webhook_fault(fault: WebhookFault, webhook_cells: dict[str, WebhookCell]) -> None:
    cell = webhook_cells[fault.id]
    if cell.error is not None:
        raise cell.error
    assert cell.posted is not None
    assert (cell.posted.status, cell.posted.error) == (fault.status, fault.says)
    assert cell.seconds < WEBHOOK_TIMEOUT + WEBHOOK_MARGIN, f"took {cell.seconds:.2f} s"
    assert cell.connections == 1, "one POST, never a redirect followed"
    assert cell.lifetimes and max(cell.lifetimes) < WEBHOOK_TIMEOUT + WEBHOOK_MARGIN, \
        cell.lifetimes


def test_a_stuck_webhook_delivers_its_later_events(
        server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    """In a real `watch`: the first POST meets headers dribbled forever; it ends at the
    hook's timeout, the retry and the next event are delivered (before the fix the
    first POST never ended, and the hook's later events were dropped)."""
    seen: list[int] = []                 # connections so far
    answered: list[int] = []             # ... and those answered 200

    def behave(conn: Any, stop: Any) -> None:
        seen.append(len(seen))
        if len(seen) == 1:               # the first: 10 kB of headers at 0.4 s a byte
            dribble(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 10_000, 0.4)(conn, stop)
            return
        conn.sendall(_ok())
        answered.append(len(seen))

    entry = feed_entry_path("/feed")
    server.set(entry, OK_FEED, etag='"ok"')
    with RawServer(behave) as raw:
        config = loopback_config(tmp_path / "c.toml", server, [feed_service(server.url("/feed"))])
        config.write_text(config.read_text() + "\n[[hooks]]\nname = \"chat\"\nmin_gap = 0\n"
                          f'timeout = {WEBHOOK_TIMEOUT}\non = ["worse", "better"]\n'
                          f'url = "{raw.url("/hook/T0KEN")}"\n')
        with watch(env, config) as w:
            assert wait_until(lambda: server.hits[entry] >= 2, 30), w.stderr
            server.set(entry, fixture("statuspage/github-summary-1.json"), etag='"down"')
            # the stuck POST (timeout), a 1 s pause, the retry answered
            assert wait_until(lambda: len(answered) >= 1, 30), (raw.connections, w.stderr)
            server.set(entry, OK_FEED, etag='"ok2"')
            assert wait_until(lambda: len(answered) >= 2, 30), (raw.connections, w.stderr)
        assert "Traceback" not in w.stderr
    assert raw.lifetimes and max(raw.lifetimes) < WEBHOOK_TIMEOUT + WEBHOOK_MARGIN, raw.lifetimes
