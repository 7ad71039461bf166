"""Timeline replays: a sequence of real status payloads, with faults between them.

A :class:`Frame` is what the loopback server answers for one stretch of time:
the status page's body (a real capture, an edit of one, or a fault: 503, HTML,
a Cloudflare challenge, a truncated body), and whether a captive portal is in
the way (then the connectivity check, the page and the probe all get the
portal's login page). The same frames drive two consumers:

* :func:`replay_engine`: the real poller (real HTTP to the loopback server) and
  the monitor, one cycle per frame at a virtual time one minute apart, and the
  tray's notification policy fed each step. Pure apart from the loopback I/O.
* :class:`WatchReplay`: a real ``trayapp watch --json`` subprocess polling every
  second. It is advanced by polls, not sleeps: after a frame is installed the
  replay waits until the page was requested under it and two more cycles
  completed (each cycle asks the connectivity check exactly once, and prints
  its lines before the next cycle starts), so every line is attributed to the
  frame that caused it.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.cli_helpers import isolated_env
from tests.loopback import LoopbackServer, fixture, wait_until
from trayapp.config import Config, parse_text
from trayapp.core.policy import Notification, PolicyState, Settings, decide
from trayapp.runtime.engine import Engine, make_client

CHECK = "/generate_204"
PROBE = "/v1/models"
KEYLESS = fixture("edge-cases/anthropic-api-401-missing-key-1.json")
CHALLENGE = fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")
PAGE_HTML = fixture("incidentio/openai-statuspage-html-during-incident-1.html")
PORTAL = b"<!doctype html><html><body><form action=/login>Hotel Wi-Fi login</form></body></html>"
ENTRY = {"statuspage": "/api/v2/summary.json", "incidentio": "/api/v2/summary.json"}


@dataclass(frozen=True)
class Frame:
    name: str
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    content_length: int | None = None     # set to cut the transfer short
    portal: bool = False                  # a captive portal answers everything
    fault: bool = False                   # the page cannot be read in this frame
    probe: tuple[bytes, int] | None = None  # the probe's answer (default: keyless 401)

    def install(self, server: LoopbackServer, path: str) -> None:
        if self.portal:
            server.set(CHECK, PORTAL, status=200, content_type="text/html")
            server.set(path, PORTAL, status=200, content_type="text/html")
            server.set(PROBE, PORTAL, status=200, content_type="text/html")
            return
        server.set(CHECK, b"", status=204)
        body, status = self.probe or (KEYLESS, 401)
        server.set(PROBE, body, status=status)
        server.set(path, self.body, status=self.status, content_type=self.content_type,
                   content_length=self.content_length)


def page(name: str) -> Frame:
    """A real capture from tests/fixtures."""
    return Frame(name, fixture(name))


def edited(name: str, body: bytes) -> Frame:
    return Frame(name, body)


def faults(of: bytes) -> list[Frame]:
    """Every way a page goes unreadable, one frame each (``of``: a good body to cut)."""
    return [
        Frame("503", b"<html>503 Service Unavailable</html>", 503, "text/html", fault=True),
        Frame("html", PAGE_HTML, 200, "text/html; charset=utf-8", fault=True),
        Frame("truncated-body", of, content_length=len(of) + 500, fault=True),
        Frame("truncated-json", of[: len(of) // 2], fault=True),
        Frame("challenge", CHALLENGE, 403, "text/html; charset=UTF-8", fault=True),
        Frame("captive-portal", portal=True, fault=True),
    ]


def config_text(server: LoopbackServer, kind: str, components: list[str] | None = None,
                interval: int = 1) -> str:
    lines = [f'interval = {interval}', f'connectivity_url = "{server.url(CHECK)}"',
             "timeout = 2", "connect_timeout = 1", "[[services]]", 'id = "svc"',
             'name = "Vendor"', f'feed = {{ kind = "{kind}", url = "{server.base}" }}',
             f'probe = {{ url = "{server.url(PROBE)}" }}']
    if components is not None:
        lines.append("components = " + json.dumps(components))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ in-process replay

@dataclass
class Step:
    frame: Frame
    level: str
    stale: bool
    events: list[tuple[str, str, str]]             # (kind, old, new)
    notifications: list[Notification]
    warnings: tuple[str, ...] = ()


def replay_engine(server: LoopbackServer, frames: list[Frame], kind: str,
                  components: list[str] | None = None,
                  start: datetime = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)) -> list[Step]:
    config: Config = parse_text(config_text(server, kind, components), "timeline")
    client = make_client(config)
    engine = Engine(config, client)
    clock = [0.0]               # virtual time drives the poller's monotonic clock too (back-off)
    engine.poller.monotonic = lambda: clock[0]
    policy = PolicyState()
    settings = Settings.from_config(config, tz=UTC)
    out: list[Step] = []
    try:
        for i, frame in enumerate(frames):
            frame.install(server, ENTRY[kind])
            now = start + timedelta(minutes=i)
            clock[0] = 60.0 * i
            result = engine.cycle(now)
            decision = decide(result.events, result.snapshot, policy, settings, now)
            policy = decision.state
            svc = result.snapshot.services[0]
            out.append(Step(frame, str(svc.level), svc.stale_since is not None,
                            [(str(e.kind), str(e.old), str(e.new)) for e in result.events],
                            list(decision.notifications), result.snapshot.warnings))
    finally:
        client.close()
    return out


# ------------------------------------------------------------ a real `watch --json`

@dataclass
class WatchReplay:
    server: LoopbackServer
    tmp: Path
    kind: str
    components: list[str] | None = None
    lines: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (frame, line)

    def __post_init__(self) -> None:
        self.config = self.tmp / "config.toml"
        self.config.write_text(config_text(self.server, self.kind, self.components))
        self.env = isolated_env(self.tmp)
        self._queue: queue.Queue[str] = queue.Queue()
        self.proc: subprocess.Popen[str] | None = None

    def start(self, first: Frame) -> None:
        first.install(self.server, ENTRY[self.kind])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "watch", "--json", "--config", str(self.config)],
            env=self.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL)
        out = self.proc.stdout
        assert out is not None
        threading.Thread(target=lambda: [self._queue.put(x) for x in out], daemon=True).start()
        self._settle(first)

    def show(self, frame: Frame) -> None:
        frame.install(self.server, ENTRY[self.kind])
        self._settle(frame)

    def _settle(self, frame: Frame) -> None:
        path = CHECK if frame.portal else ENTRY[self.kind]
        seen = len(self.server.requests_to(path))
        assert wait_until(lambda: len(self.server.requests_to(path)) > seen, 30), frame.name
        cycles = self.server.hits[CHECK]
        assert wait_until(lambda: self.server.hits[CHECK] >= cycles + 2, 30), frame.name
        while True:
            try:
                raw = self._queue.get_nowait()
            except queue.Empty:
                break
            self.lines.append((frame.name, json.loads(raw)))

    def status(self) -> tuple[int, dict[str, Any]]:
        """A one-shot `trayapp status --json` against the same server, now."""
        done = subprocess.run(
            [sys.executable, "-m", "trayapp", "status", "--json", "--config", str(self.config)],
            env=self.env, text=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, json.loads(done.stdout)

    def stop(self) -> str:
        """SIGTERM (CI may ignore SIGINT); the stderr, checked for tracebacks."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read() if self.proc.stderr else ""
        assert "Traceback" not in err, err
        return err

    def changes(self) -> list[tuple[str, str, str | None, str]]:
        """(frame, kind, old, new) of every line printed."""
        return [(f, d["kind"], d.get("old"), d["new"]) for f, d in self.lines]
