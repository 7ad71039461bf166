"""A hard deadline per request, whatever the server does (issue 12, item 1).

httpcore's read timeout is per socket read, so a server that sends its
headers a byte at a time, or interim ``1xx`` answers forever, used to keep
`status` running without end (killed at 45 s with ``timeout = 2``), for a feed,
a probe and the connectivity check alike; in `watch` one such page froze the
whole cycle. Each case here is one real `trayapp status --json` run against a
raw TCP server on 127.0.0.1; all runs start at once (they mostly wait), and
each must end with a timeout as its outcome. The deadline itself is read on
the server's side: every hostile connection is given up by the client within
the timeout (plus the time the server needs to notice: up to two of its send
intervals, and a margin for a loaded machine), so the bound holds free of the
fifteen interpreters' start-up that the runs' wall time also counts. A `watch`
run then proves one hostile page delays no other service's announcement.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.kit import (
    STARTUP_SLACK,
    TIMEOUT,
    RawServer,
    Run,
    assert_no_crash,
    assert_one_line,
    dribble,
    feed_entry_path,
    feed_service,
    interim_forever,
    isolated_env,
    probe_service,
    run_status,
    watch,
    write_config,
)
from tests.loopback import LoopbackServer, fixture, wait_until

OK_FEED = fixture("statuspage/anthropic-summary-3.json")
# Server-side bound on one hostile request: the timeout, plus two of the server's send
# intervals (it notices a closed client only when a send fails), plus a loaded machine's
# margin. Before the fix: no bound at all (a request lived until the run was killed).
MARGIN = 2.0
# The runs' wall time, a sanity bound only: fifteen interpreters start at once.
WALL_BOUND = 4 * TIMEOUT + 4 * STARTUP_SLACK


def final(body: bytes, extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload; as=style\r\n\r\n"
PROCESSING = b"HTTP/1.1 102 Processing\r\n\r\n"
INTERVAL = {"headers-1.5s-per-byte": 1.5, "long-header-0.25s-per-byte": 0.25,
            "early-hints-flood": 0.0, "processing-every-0.4s": 0.4, "early-hints-dribbled": 0.05}
HOSTILE: dict[str, Callable[[], Any]] = {
    # the case: one byte of the status line and headers every 1.5 s
    "headers-1.5s-per-byte": lambda: dribble(final(OK_FEED), 1.5),
    # faster, but a long header line: 3,000 bytes at 0.25 s is 12.5 min
    "long-header-0.25s-per-byte": lambda: dribble(
        final(OK_FEED, b"X-Pad: " + b"a" * 3000 + b"\r\n"), 0.25),
    # an endless flood of 103 Early Hints, as fast as the socket takes them
    "early-hints-flood": lambda: interim_forever(EARLY_HINTS, 0),
    # 102 Processing every 0.4 s: each read returns well inside the read timeout
    "processing-every-0.4s": lambda: interim_forever(PROCESSING, 0.4),
    # a stream of 103s, each one dribbled (a byte every 50 ms)
    "early-hints-dribbled": lambda: dribble(EARLY_HINTS * 1000, 0.05),
}
TARGETS = ("feed", "probe", "connectivity")


@dataclass
class Case:
    hostile: str
    target: str
    run: Run | None = None
    error: BaseException | None = None
    raw: RawServer | None = None


def _configure(case: Case, tmp: Path, raw: RawServer, ok: LoopbackServer) -> Path:
    ok.set("/generate_204", b"", status=204)
    ok.set(feed_entry_path("/ok"), OK_FEED)
    check = ok.url("/generate_204")
    if case.target == "feed":
        service = feed_service(raw.base + "/feed")
    elif case.target == "probe":
        service = probe_service(raw.url("/probe"))
    else:
        check = raw.url("/generate_204")
        service = feed_service(ok.base + "/ok")
    return write_config(tmp / "config.toml", [service], connectivity_url=check)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Case]]:
    """Every hostile x target run, started together; each test checks one."""
    found: dict[tuple[str, str], Case] = {}
    servers: list[Any] = []
    threads = []
    ok = LoopbackServer()
    servers.append(ok)
    for name, make in HOSTILE.items():
        for target in TARGETS:
            case = found[name, target] = Case(name, target)
            tmp = tmp_path_factory.mktemp(f"{name}-{target}")
            raw = case.raw = RawServer(make())
            servers.append(raw)
            config = _configure(case, tmp, raw, ok)
            env = isolated_env(tmp / "env")

            def go(case: Case = case, env: dict[str, str] = env, config: Path = config) -> None:
                try:
                    case.run = run_status(env, config, timeout=60)
                except BaseException as exc:       # shown by the case's test
                    case.error = exc
            threads.append(threading.Thread(target=go, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    try:
        yield found
    finally:
        for srv in servers:
            srv.close()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_status_ends_by_the_deadline(cases: dict[tuple[str, str], Case], hostile: str,
                                     target: str) -> None:
    case = cases[hostile, target]
    assert case.error is None, f"status did not end: {case.error!r}"
    run = case.run
    assert run is not None
    assert_no_crash(run)
    assert run.seconds < WALL_BOUND, f"took {run.seconds:.1f} s"
    assert case.raw is not None and case.raw.lifetimes, "the hostile server was never asked"
    bound = TIMEOUT + 2 * INTERVAL[hostile] + MARGIN
    assert max(case.raw.lifetimes) < bound, (case.raw.lifetimes, bound)
    snap = run.json()
    svc = run.service()
    if target == "connectivity":
        assert snap["offline"] is True and run.rc == 3, snap
        assert_one_line(snap["reason"])
        assert "no network" in snap["reason"]
        return
    assert snap["offline"] is False
    assert_one_line(svc["summary"])
    assert "timed out" in svc["summary"], svc["summary"]
    if target == "feed":
        assert svc["level"] == "unknown" and svc["feed"]["problem"] == "unreachable", svc
    else:
        assert svc["level"] == "major_outage", svc


def test_a_hostile_fallback_page_delays_no_other_announcement(tmp_path: Path,
                                                              server: LoopbackServer) -> None:
    """`watch`: service "slow"'s page dribbles its headers forever; service "api"'s
    probe starts failing. Its outage is announced within a few cycles, each
    bounded by the cycle's deadline (before: the first cycle never ended)."""
    server.set("/generate_204", b"", status=204)
    server.set("/v1/models", b'{"type":"error"}', status=500)
    with RawServer(dribble(final(OK_FEED) * 50, 1.0)) as raw:
        config = write_config(
            tmp_path / "config.toml",
            [feed_service(raw.base + "/feed", "slow"),
             probe_service(server.url("/v1/models"), "api")],
            interval=1, connectivity_url=server.url("/generate_204"))
        with watch(isolated_env(tmp_path / "env"), config) as w:
            # failure_threshold 2: two cycles of at most 2 x timeout each, plus start.
            announced = wait_until(
                lambda: any(e.get("service") == "api" and e.get("new") == "partial_outage"
                            for e in w.events), 4 * 2 * TIMEOUT + 2 * STARTUP_SLACK)
            assert announced, (w.events, w.stderr)
            assert raw.connections >= 2          # the hostile page was polled each cycle
        assert "Traceback" not in w.stderr
