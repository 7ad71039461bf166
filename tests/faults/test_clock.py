"""Back-off pauses run on the monotonic clock (issue 12, item 7).

After a status page refuses us (429), its feed is paused. The pause used to
end at a wall-clock time, so setting the clock back a day after a 429 stopped
the feed's polls for a day (and setting it forward ended the pause at once).
The real poller and HTTP client against a real loopback server; the wall
clock is the ``now`` every cycle is given, the monotonic clock the poller's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.faults.kit import feed_entry_path
from tests.loopback import LoopbackServer, Route, fixture
from trayapp.config import parse_text
from trayapp.domain.levels import Level
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller

OK_PAGE = fixture("statuspage/anthropic-summary-3.json")
ENTRY = feed_entry_path("/feed")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def poller_for(server: LoopbackServer, interval: int, clock: list[float] | None = None
               ) -> tuple[Poller, HttpClient]:
    config = parse_text(f'interval = {interval}\ntimeout = 2\nconnect_timeout = 1\n'
                        f'connectivity_url = ""\n[[services]]\nid = "svc"\nname = "Svc"\n'
                        f'probe = false\nfeed = {{ kind = "statuspage", '
                        f'url = "{server.base}/feed" }}\n', "test")
    client = HttpClient(timeout=2, connect_timeout=1)
    if clock is None:
        return Poller(config, client, {}), client
    return Poller(config, client, {}, monotonic=lambda: clock[0]), client


def refuse_first(server: LoopbackServer, refusals: int = 1) -> None:
    server.script(ENTRY, lambda n: Route(status=429, body=b"slow down") if n <= refusals
                  else Route(body=OK_PAGE, headers={"Content-Type": "application/json"}))


@pytest.mark.parametrize("back", [timedelta(days=1), timedelta(hours=3),
                                  timedelta(days=400)])
def test_setting_the_clock_back_does_not_stop_the_feed(server: LoopbackServer,
                                                       back: timedelta) -> None:
    refuse_first(server, refusals=2)
    clock = [5000.0]
    poller, client = poller_for(server, interval=30, clock=clock)
    try:
        first = poller.poll(NOON).observations["svc"].feed
        assert first is not None and first.problem is not None     # blocked: paused 60 s
        wall = NOON - back                                          # the clock set back
        polled, hits = [], []
        for _ in range(10):                                         # 10 cycles, 30 s apart
            clock[0] += 30
            wall += timedelta(seconds=30)
            polled.append(poller.poll(wall).observations["svc"].feed)
            hits.append(server.hits[ENTRY])
    finally:
        client.close()
    # Strike 1 pauses 60 s (read again at +60 s: refused), strike 2 pauses 120 s
    # (read at +180 s: the page is back), then every cycle reads it.
    assert hits == [1, 2, 2, 2, 2, 3, 4, 5, 6, 7]
    last = polled[-1]
    assert last is not None and last.problem is None and last.level is Level.OPERATIONAL


def test_setting_the_clock_forward_does_not_end_the_pause(server: LoopbackServer) -> None:
    """The other way round: a day ahead is not a pause served (with the real
    monotonic clock: a 60 s pause has not passed during this test)."""
    refuse_first(server)
    poller, client = poller_for(server, interval=30)
    try:
        poller.poll(NOON)
        held = poller.poll(NOON + timedelta(days=1)).observations["svc"].feed
    finally:
        client.close()
    assert server.hits[ENTRY] == 1
    assert held is not None and held.problem is not None and "backing off" in held.summary
