"""At once after a wake or a network change: the loop polls within seconds, not at its
next tick, and says first that it is checking again.

* A frozen process (SIGSTOP beyond the slice, then SIGCONT: what a suspended VM or a
  stopped job looks like from inside; the monotonic clock ran on) polls as soon as it
  runs again, through a real ``trayapp watch`` whose interval is 10 minutes.
* A resume from sleep (the wall clock jumps ahead of the monotonic one, which stops
  while the machine sleeps) and a new network (the routes change in a /proc/net tree
  in the kernel's format) each make a real Runner against a loopback server poll at
  once and call ``on_checking`` first.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import Watcher, isolated_env, write_config
from tests.loopback import LoopbackServer, fixture, wait_until
from tests.test_netchange import HEADER, TETHER, WIFI
from trayapp.config import Config, parse_text
from trayapp.core.monitor import StepResult
from trayapp.edges import netchange
from trayapp.runtime.engine import Runner

OK = fixture("statuspage/anthropic-summary-3.json")
FEED = "/api/v2/summary.json"
FROZEN = 25.0            # seconds stopped: beyond the 15 s slice and the 5 s allowance


def serve(server: LoopbackServer) -> None:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)


@pytest.mark.slow
def test_a_frozen_watch_polls_as_soon_as_it_runs_again(server: LoopbackServer,
                                                       tmp_path: Path) -> None:
    serve(server)
    config = write_config(tmp_path, server, top="interval = 600")
    watcher = Watcher(config, isolated_env(tmp_path), "--json")
    snapshot = tmp_path / "state" / "trayapp" / "snapshot.json"
    try:
        assert wait_until(lambda: server.hits[FEED] >= 1 and snapshot.exists(), 30)
        os.kill(watcher.proc.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            wait_until(lambda: time.monotonic() - stopped >= FROZEN, FROZEN + 5, step=0.5)
            assert server.hits[FEED] == 1           # nothing polls while it is stopped
        finally:
            os.kill(watcher.proc.pid, signal.SIGCONT)
        assert wait_until(lambda: server.hits[FEED] >= 2, 10), \
            "no poll within 10 s of running again (the next tick is 10 min away)"
    finally:
        code, err = watcher.stop()
    assert code == 0 and "Traceback" not in err


def loop_config(server: LoopbackServer) -> Config:
    return parse_text(
        f'interval = 600\nconnectivity_url = "{server.url("/generate_204")}"\n'
        f'[[services]]\nid = "claude"\nname = "Claude"\n'
        f'feed = {{ kind = "statuspage", url = "{server.base}" }}\n', "t.toml")


class Loop:
    """A real Runner on a thread, its slices short so a test need not wait 15 s."""

    def __init__(self, server: LoopbackServer, **kwargs: object) -> None:
        self.results: list[StepResult] = []
        self.checking: list[str] = []
        self.runner = Runner(loop_config(server), self.results.append,
                             on_checking=self.checking.append, slice_seconds=0.2,
                             power=lambda: None, **kwargs)
        self.thread = threading.Thread(target=self.runner.run, daemon=True)
        self.thread.start()
        assert wait_until(lambda: len(self.results) >= 1, 20)

    def close(self) -> None:
        self.runner.stop()
        self.thread.join(20)


@pytest.fixture
def routes(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "net"
    root.mkdir()
    (root / "route").write_text(HEADER + WIFI)
    (root / "if_inet6").write_text("")
    yield root


def test_a_new_network_polls_at_once(server: LoopbackServer, routes: Path) -> None:
    serve(server)
    loop = Loop(server, network=lambda: netchange.fingerprint("linux", root=routes))
    try:
        (routes / "route").write_text(HEADER + TETHER)  # Wi-Fi to tethering
        assert wait_until(lambda: len(loop.results) >= 2, 10)
        assert loop.checking == ["the network changed"]
    finally:
        loop.close()


def test_a_resume_from_sleep_polls_at_once(server: LoopbackServer) -> None:
    serve(server)
    ahead = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + ahead[0]

    loop = Loop(server, clock=clock, network=lambda: "same")
    try:
        ahead[0] = timedelta(hours=2)                   # the machine slept two hours
        assert wait_until(lambda: len(loop.results) >= 2, 10)
        assert loop.checking == ["after a sleep"]
        assert len(loop.results) == 2                   # once, not a poll per slice
    finally:
        loop.close()


def test_an_unchanged_network_and_clock_do_not_poll_early(server: LoopbackServer,
                                                          routes: Path) -> None:
    serve(server)
    loop = Loop(server, network=lambda: netchange.fingerprint("linux", root=routes))
    try:
        threading.Event().wait(2.0)         # ten slices with nothing new: none may poll
        assert len(loop.results) == 1 and loop.checking == []
    finally:
        loop.close()
