"""Soak: `trayapp watch --json` for minutes against a loopback server that flaps.

The server follows a seeded schedule, one poll at a time (every route is hit
exactly once per cycle, so its hit count is the cycle number): segments of
HOLD polls, each a real state of the status page (operational / major outage)
and the API (200 / 529 / 500 / timeout); consecutive segments differ in one of
the two. Inside segments, single-poll faults: probe blips the thresholds must
swallow, status-page faults (5xx, timeout, garbage, truncated, invalid UTF-8)
that must change nothing, and connectivity-check failures (offline for one
poll). Asserted: exactly the scheduled changes are announced, in order;
offline/online lines match the connectivity faults; RSS, threads and file
descriptors (sampled from /proc) do not grow. TRAYAPP_SOAK_SECONDS sets the
length (default 120 s).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from statistics import median

import pytest

from tests.faults.kit import feed_entry_path, feed_service, loopback_config, watch
from tests.loopback import LoopbackServer, Route, fixture, wait_until

SECONDS = int(os.environ.get("TRAYAPP_SOAK_SECONDS", "120"))
SEED = int(os.environ.get("TRAYAPP_SOAK_SEED", "20260301"))
HOLD = 7                       # polls per real state: well past both thresholds (2)
ENTRY = feed_entry_path("/feed")
OK_PAGE = fixture("statuspage/anthropic-summary-3.json")
DOWN_PAGE = (OK_PAGE.replace(b'"indicator": "none"', b'"indicator": "critical"')
             .replace(b'"status": "operational"', b'"status": "major_outage"'))
FEED_LEVEL = {"ok": "operational", "down": "major_outage"}
PROBE_LEVEL = {"200": "operational", "529": "degraded", "500": "partial_outage",
               "timeout": "major_outage"}
RANK = ["operational", "degraded", "partial_outage", "major_outage"]
JSON = {"Content-Type": "application/json"}
FEED_FAULTS = {
    "500": Route(status=500, body=b"oops", headers=JSON),
    "502": Route(status=502, body=b"<html>bad gateway</html>", headers=JSON),
    "timeout": Route(hang=True),
    "garbage": Route(body=b'{"page": null, "status": 5}', headers=JSON),
    "truncated": Route(body=OK_PAGE, content_length=len(OK_PAGE) + 100, headers=JSON),
    "utf8": Route(body=b"\xff\xfe\xfd{", headers=JSON),
}


@dataclass(frozen=True)
class Poll:
    feed: str           # "ok", "down", or a FEED_FAULTS key
    probe: str          # a PROBE_LEVEL key, or "challenge"
    online: bool = True


def schedule(seconds: int, seed: int) -> tuple[list[Poll], list[tuple[str, str]], int]:
    """(polls, the expected (old, new) events, how many offline polls)."""
    rng = random.Random(seed)
    segments = [("ok", "200")]
    budget = seconds - 2 * HOLD
    while budget > 0:
        feed, probe = segments[-1]
        if rng.random() < 0.4:
            feed = "down" if feed == "ok" else "ok"
        else:
            probe = rng.choice([p for p in PROBE_LEVEL if p != probe])
        segments.append((feed, probe))
        budget -= HOLD * (2 if probe == "timeout" else 1)
    segments.append(("ok", "200"))
    polls: list[Poll] = []
    offline = 0
    for feed, probe in segments:
        block = [Poll(feed, probe) for _ in range(HOLD)]
        spot = rng.randrange(2, HOLD - 2)      # never next to a boundary
        fault = rng.choice(["probe", "probe", "feed", "feed", "offline", "none"])
        if fault == "probe":
            blip = rng.choice(["529", "500", "timeout", "challenge"]) if probe == "200" \
                else rng.choice(["200", "challenge"])
            block[spot] = Poll(feed, blip)
        elif fault == "feed":
            block[spot] = Poll(rng.choice(list(FEED_FAULTS)), probe)
        elif fault == "offline":
            block[spot] = Poll(feed, probe, online=False)
            offline += 1
        polls += block
    expected = []
    levels = [max(FEED_LEVEL[f], PROBE_LEVEL[p], key=RANK.index) for f, p in segments]
    for old, new in pairwise(levels):
        if old != new:
            expected.append((old, new))
    return polls, expected, offline


def serve(server: LoopbackServer, polls: list[Poll]) -> None:
    def at(n: int) -> Poll:
        return polls[min(n, len(polls)) - 1]

    def feed(n: int) -> Route:
        word = at(n).feed
        if word in FEED_FAULTS:
            return FEED_FAULTS[word]
        return Route(body=OK_PAGE if word == "ok" else DOWN_PAGE, headers=JSON)

    def probe(n: int) -> Route:
        word = at(n).probe
        if word == "timeout":
            return Route(hang=True)
        if word == "challenge":
            return Route(status=403, headers={"Content-Type": "text/html"},
                         body=fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html"))
        return Route(status=int(word), body=b'{"type": "error"}', headers=JSON)

    def check(n: int) -> Route:
        return Route(status=204) if at(n).online else Route(status=500, body=b"portal")

    server.script(ENTRY, feed)
    server.script("/v1/models", probe)
    server.script("/generate_204", check)


def test_schedule_is_what_the_soak_claims() -> None:
    """The scheduler itself: one source changes per boundary, faults stay inside."""
    polls, expected, offline = schedule(300, 1)
    assert expected and len(polls) % HOLD == 0
    for i in range(0, len(polls), HOLD):
        block = polls[i:i + HOLD]
        assert sum(p != block[0] for p in block) <= 1
        assert block[0] == block[1] == block[-1] == block[-2]
    assert offline == sum(not p.online for p in polls)


@pytest.mark.slow
def test_soak(server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    polls, expected, offline = schedule(SECONDS, SEED)
    serve(server, polls)
    config = loopback_config(
        tmp_path / "c.toml", server,
        [{**feed_service(server.url("/feed")), "probe": {"url": server.url("/v1/models")}}],
        timeout=1.0, connect_timeout=0.5)
    samples: list[tuple[float, int, int, int]] = []
    started = time.monotonic()
    with watch(env, config) as w:
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                try:
                    samples.append((time.monotonic() - started, w.proc_status("VmRSS"),
                                    w.proc_status("Threads"), w.fds()))
                except (OSError, KeyError):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        done = wait_until(lambda: server.hits["/v1/models"] >= len(polls) + 1,
                          timeout=3 * SECONDS + 120, step=0.5)
        stop.set()
        sampler.join(5)
        alive = w.proc.poll() is None
    duration = time.monotonic() - started
    assert done, f"only {server.hits['/v1/models']} of {len(polls)} polls in {duration:.0f} s"
    assert alive and w.proc.returncode == 0, w.stderr
    assert "Traceback" not in w.stderr, w.stderr

    lines = [json.loads(line) for line in w.out]
    seen = [(e["old"], e["new"]) for e in lines if e["kind"] in ("worse", "better")]
    network = [e["kind"] for e in lines if e["service"] is None]
    early = [s for s in samples if 0.2 * duration <= s[0] <= 0.35 * duration]
    late = [s for s in samples if s[0] >= 0.85 * duration]
    report = {
        "duration_s": round(duration), "polls": len(polls), "events_expected": len(expected),
        "events_seen": len(seen), "offline_polls": offline,
        "rss_kb_early": median(s[1] for s in early), "rss_kb_late": median(s[1] for s in late),
        # The fewest in each window: the idle baseline, which a leak raises for good.
        # (Not the most: a sample that lands mid-cycle counts that cycle's fetch threads
        # and sockets, so one late window that caught a cycle and an early one that did
        # not read as a leak on a busy machine.)
        "threads_early": min(s[2] for s in early), "threads_late": min(s[2] for s in late),
        "fds_early": min(s[3] for s in early), "fds_late": min(s[3] for s in late),
    }
    print("soak:", json.dumps(report))
    assert seen == expected, (seen, expected)
    assert [e for e in lines if e["kind"] not in ("worse", "better", "offline", "online")] == []
    assert network == ["offline", "online"] * offline
    assert report["rss_kb_late"] - report["rss_kb_early"] < 4 * 1024, report
    assert report["threads_late"] <= report["threads_early"] + 1, report
    assert report["fds_late"] <= report["fds_early"] + 2, report
