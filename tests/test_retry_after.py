"""Retry-After: a vendor that asks clients to back off is obeyed.

The rule (:mod:`trayapp.core.retryafter`) as a table; the poller against a real
loopback server on a virtual monotonic clock (the requests counted by the
server: none before the time, one after); a one-shot `status` that does not
retry; and a real `trayapp watch --json`, the server noting when each request
arrived.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.cli_helpers import Watcher, isolated_env
from tests.fakevendor import FakeVendor
from tests.loopback import LoopbackServer, Route, fixture, wait_until
from trayapp.config import Config, parse_text
from trayapp.core.monitor import MonitorState, step
from trayapp.core.render import snapshot_json, snapshot_text
from trayapp.core.retryafter import MAX_WAIT, wait_seconds, wait_words
from trayapp.domain.levels import Level
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed
from trayapp.edges.budget import Budget
from trayapp.edges.http import HttpClient
from trayapp.runtime.engine import Engine, make_client
from trayapp.runtime.poller import Poller

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
URL = "https://api.example.com/v1/models"
CHECK, PROBE = "/generate_204", "/v1/models"
OVERLOADED = fixture("edge-cases/anthropic-api-529-overloaded-1.json")


def http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)


# ---------------------------------------------------------------- the rule, as a table

RULES = [
    # (why, status, Retry-After, Date, seconds)
    ("delta-seconds on 503", 503, "30", None, 30.0),
    ("on 429", 429, "5", None, 5.0),
    ("on 529", 529, "120", None, 120.0),
    ("bounded to 1 h", 503, "86400", None, MAX_WAIT),
    ("zero: ask when you like", 503, "0", None, None),
    ("negative: garbage", 503, "-5", None, None),
    ("not a number nor a date", 503, "soon", None, None),
    ("a fraction is not delta-seconds", 503, "1.5", None, None),
    ("absurdly long", 503, "9" * 80, None, None),
    ("another status", 500, "30", None, None),
    ("a good answer", 200, "30", None, None),
    ("HTTP-date, against the answer's Date", 503, http_date(NOW + timedelta(minutes=5)),
     http_date(NOW + timedelta(minutes=3)), 120.0),       # this clock is 3 min behind
    ("HTTP-date, no Date: against now", 503, http_date(NOW + timedelta(minutes=2)), None, 120.0),
    ("HTTP-date already past", 503, http_date(NOW - timedelta(minutes=1)), None, None),
    ("HTTP-date days ahead: bounded", 503, http_date(NOW + timedelta(days=2)), None, MAX_WAIT),
    ("a date without a zone", 503, "2026-12-07 14:05", None, None),
]


@pytest.mark.parametrize(("why", "status", "value", "date", "seconds"), RULES,
                         ids=[r[0] for r in RULES])
def test_retry_after_rule(why: str, status: int, value: str, date: str | None,
                          seconds: float | None) -> None:
    headers = {"retry-after": value, **({"date": date} if date else {})}
    assert wait_seconds(Fetched(URL, status, b"", 10, headers), NOW) == seconds, why


def test_no_answer_asks_nothing_and_the_words() -> None:
    assert wait_seconds(FetchFailed(URL, FailKind.TIMEOUT, "timed out"), NOW) is None
    assert wait_words(NOW + timedelta(minutes=5), NOW, UTC) == \
        "the vendor asked to wait until 14:05"
    assert wait_words(NOW + timedelta(seconds=30), NOW, UTC) == \
        "the vendor asked to wait until 14:00:30"
    assert wait_words(NOW - timedelta(seconds=1), NOW, UTC) == ""


# ---------------------------------------------------------------- the poller, a virtual clock

def probe_config(server: LoopbackServer, extra: str = "") -> Config:
    return parse_text(f'connectivity_url = ""\ntimeout = 2\nconnect_timeout = 1\n{extra}\n'
                      '[[services]]\nid = "svc"\nname = "Vendor"\n'
                      f'probe = {{ url = "{server.url(PROBE)}" }}\n', "t")


class Clocked:
    """A poller whose monotonic clock the test moves."""

    def __init__(self, config: Config) -> None:
        self.config, self.clock = config, [0.0]
        self.client = HttpClient(timeout=2)
        self.poller = Poller(config, self.client, {}, monotonic=lambda: self.clock[0])
        self.state = MonitorState()

    def at(self, seconds: float, retry: bool = False):  # type: ignore[no-untyped-def]
        self.clock[0] = seconds
        now = NOW + timedelta(seconds=seconds)
        poll = self.poller.poll(now, retry_probes=retry)
        result = step(self.config, self.state, poll.connectivity, poll.observations, now)
        self.state = result.state
        return result.snapshot

    def close(self) -> None:
        self.client.close()


@pytest.mark.parametrize(("value", "quiet_until", "asks_at"), [
    ("120", 119.0, 121.0),
    ("86400", 3599.0, 3601.0),                      # bounded to 1 h
    ("HTTP-DATE+120", 100.0, 122.0),                # against the answer's own Date
])
def test_the_probe_is_not_asked_before_the_time(server: LoopbackServer, value: str,
                                                quiet_until: float, asks_at: float) -> None:
    if value.startswith("HTTP-DATE"):   # the server's Date is the real clock, not NOW
        value = http_date(datetime.now(UTC) + timedelta(seconds=120))
    server.set(PROBE, OVERLOADED, status=503, headers={"Retry-After": value})
    run = Clocked(probe_config(server))
    try:
        first = run.at(0).services[0]
        assert server.hits[PROBE] == 1 and first.probe is not None
        assert first.probe.level is Level.DEGRADED and not first.probe.held
        for t in (1.0, 30.0, quiet_until):
            held = run.at(t).services[0]
            assert server.hits[PROBE] == 1, t                  # nothing sent meanwhile
            assert held.probe is not None and held.probe.held
            assert held.probe.level is Level.DEGRADED          # what the last answer said
            assert held.retry_at is not None
        run.at(asks_at)
        assert server.hits[PROBE] == 2
    finally:
        run.close()


def test_a_held_answer_neither_confirms_nor_clears(server: LoopbackServer) -> None:
    server.set(PROBE, OVERLOADED, status=503, headers={"Retry-After": "100"})
    run = Clocked(probe_config(server))
    try:
        run.at(0)
        snaps = [run.at(t) for t in (15, 30, 45, 90)]
        assert all(s.services[0].level is Level.UNKNOWN for s in snaps)  # one answer: unconfirmed
        assert run.state.services["svc"].bad_streak == 1
        text = snapshot_text(snaps[-1])
        assert "the vendor asked to wait until" in text
        data = snapshot_json(snaps[-1])["services"][0]
        assert data["retry_at"] and data["probe"]["held"] is True
        run.at(101)                                          # asked again: confirmed now
        assert run.state.services["svc"].bad_streak == 2 and server.hits[PROBE] == 2
    finally:
        run.close()


def test_garbage_is_ignored(server: LoopbackServer) -> None:
    server.set(PROBE, OVERLOADED, status=503, headers={"Retry-After": "-5"})
    run = Clocked(probe_config(server))
    try:
        run.at(0)
        run.at(15)
        assert server.hits[PROBE] == 2
    finally:
        run.close()


def test_a_status_page_that_asks_to_wait(server: LoopbackServer) -> None:
    page = "/api/v2/summary.json"
    server.set(page, b"<html>503</html>", status=503, content_type="text/html",
               headers={"Retry-After": "120"})
    config = parse_text('connectivity_url = ""\ntimeout = 2\n[[services]]\nid = "svc"\n'
                        f'feed = {{ kind = "statuspage", url = "{server.base}" }}\n', "t")
    run = Clocked(config)
    try:
        run.at(0)
        feed = run.at(60).services[0].feed
        assert server.hits[page] == 1 and feed is not None and feed.retry_at is not None
        run.at(121)
        assert server.hits[page] == 2
    finally:
        run.close()


def test_status_does_not_retry_a_vendor_that_asked_to_wait(server: LoopbackServer) -> None:
    for asked, requests in (({"Retry-After": "30"}, 1), ({}, 2)):       # with, and without
        server.set(PROBE, OVERLOADED, status=503, headers=asked)
        before = server.hits[PROBE]
        config = probe_config(server, "failure_threshold = 1")
        client = make_client(config)
        try:
            snap = Engine(config, client).cycle(NOW, retry_probes=True).snapshot
        finally:
            client.close()
        assert server.hits[PROBE] - before == requests
        assert snap.services[0].level is Level.DEGRADED


def test_a_model_that_asks_to_wait_is_not_sent_nor_counted(tmp_path: Path) -> None:
    key = "sk-ant-test-" + "7" * 20
    vendor = FakeVendor(key=key)
    vendor.set("claude-opus-4-1", 529, headers={"Retry-After": "600"}, body=OVERLOADED)
    config = parse_text(f'connectivity_url = ""\ntimeout = 2\n[[services]]\nid = "claude"\n'
                        f'[services.probe]\nurl = "{vendor.base}/v1/models"\n'
                        'api_key_env = "K"\napi_key_header = "x-api-key"\n'
                        'dialect = "anthropic"\nmodels = ["claude-opus-4-1"]\n'
                        "model_interval = 60\n", "t")
    client = HttpClient(timeout=2)
    clock = [0.0]
    poller = Poller(config, client, {"K": key}, monotonic=lambda: clock[0],
                    budget=Budget(tmp_path))
    try:
        first = poller.poll(NOW).observations["claude"]
        clock[0] = 120.0
        later = poller.poll(NOW + timedelta(minutes=2)).observations["claude"]
    finally:
        client.close()
        vendor.close()
    assert vendor.counts["claude-opus-4-1"] == 1                  # not sent again
    assert first.models is not None and first.models[0].level is Level.DEGRADED
    assert later.models is not None and later.models[0].held
    assert later.budget is not None and later.budget.used == 1     # nor counted


# ---------------------------------------------------------------- a real `watch --json`

def test_watch_obeys_retry_after(server: LoopbackServer, tmp_path: Path) -> None:
    """The server answers 503 with Retry-After: 2 and notes when each probe and each
    cycle (its connectivity check) arrived: polls go on every second, the probe is
    asked no sooner than two seconds after the answer that asked to wait."""
    wait = 2.0
    lock = threading.Lock()
    probes: list[float] = []
    cycles: list[float] = []

    def noted(times: list[float], route: Route):  # type: ignore[no-untyped-def]
        def answer(_n: int) -> Route:
            with lock:
                times.append(time.monotonic())
            return route
        return answer

    server.script(CHECK, noted(cycles, Route(status=204)))
    server.script(PROBE, noted(probes, Route(
        status=503, body=OVERLOADED, headers={"Retry-After": str(int(wait)),
                                              "Content-Type": "application/json"})))
    config = tmp_path / "config.toml"
    config.write_text(f'interval = 1\nconnectivity_url = "{server.url(CHECK)}"\ntimeout = 2\n'
                      '[[services]]\nid = "svc"\nname = "Vendor"\n'
                      f'probe = {{ url = "{server.url(PROBE)}" }}\n')
    watcher = Watcher(config, isolated_env(tmp_path), "--json")
    try:
        assert wait_until(lambda: len(probes) >= 3, 40), probes
        event = watcher.next_json(timeout=20)
    finally:
        code, err = watcher.stop()
    assert code == 0 and "Traceback" not in err, err
    with lock:
        asked, polled = list(probes), list(cycles)
    for before, after in itertools.pairwise(asked):
        assert after - before >= wait, (asked, polled)             # none before the time
        assert any(before < c < after for c in polled), (asked, polled)  # polls went on
    assert (event["kind"], event["new"]) == ("worse", "degraded"), event
