"""1b. After a wake: how long after a resume, and after the network comes back, `watch
--json` shows the truth again, against one polling interval (60 s, the default).

Method: one service on loopback, polled by `trayapp watch --json` at interval 60 s.

* Resume: after a poll, the process is stopped (SIGSTOP) for 25 s, beyond the
  loop's 15 s sleep slice (what a suspended VM or a stopped job looks like from
  inside: the monotonic clock ran on; a real suspend stops it and is caught by the
  wall-clock jump, tested in tests/test_wake.py); meanwhile the page turns to a major
  outage. Latency = from SIGCONT to the `worse` line. Without the wake check the
  next poll would come at the next tick (35 s later here; up to a whole interval).
* Network back: the connectivity check fails until `watch` says `offline`, then
  answers again at a random moment (uniform over 10 s). Latency = from the server
  answering again to the `online` line. Offline, the loop polls at a quarter of the
  interval (15 s); a real network change (new routes or addresses) polls at once at
  the next 3 s slice (tested with a fake route table in tests/test_wake.py), which a
  loopback server cannot simulate.
"""

from __future__ import annotations

import os
import random
import signal
import time

from bench.harness import Bench, fmt_s, median, stop, wait_for
from bench.payloads import DOWN, OK, UNAUTHORIZED, one_service_config
from bench.procs import start_watch

SECTION = "1. Detection latency"
INTERVAL = 60
FROZEN = 25.0
RESUME_TARGET = 5.0
OFFLINE_PACE = INTERVAL / 4


def run(b: Bench) -> None:
    print("1b. after a wake", flush=True)
    runs = 1 if b.quick else 3
    s, p = b.server, "/w"
    feed = f"{p}/svc/api/v2/summary.json"
    s.set(f"{p}/generate_204", b"", status=204)
    s.set(feed, OK, etag='"ok-0"')
    s.set(f"{p}/svc/v1/models", UNAUTHORIZED, status=401)
    cfg = one_service_config(b.tmp / "wake.toml", s, p, INTERVAL)
    rng = random.Random(29)
    resumed: list[float] = []
    back: list[float] = []
    for run in range(runs):
        home = b.tmp / f"wake-watch-{run}"
        snapshot = home / "state" / "trayapp" / "snapshot.json"
        watch, lines = start_watch(b, cfg, home)
        try:
            # the snapshot is saved at the end of a cycle: the sleep comes next
            if not wait_for(snapshot.exists, 30):
                raise RuntimeError("watch never finished a cycle")
            os.kill(watch.pid, signal.SIGSTOP)
            s.set(feed, DOWN, etag=f'"down-{run}"')
            time.sleep(FROZEN)
            t0 = time.monotonic()
            os.kill(watch.pid, signal.SIGCONT)
            got = lines.first(lambda d: d.get("kind") == "worse", INTERVAL + 10)
            if got is None:
                raise RuntimeError("no `worse` line after the resume")
            resumed.append(got[0] - t0)
            s.set(f"{p}/generate_204", b"", status=404)
            if lines.first(lambda d: d.get("kind") == "offline", INTERVAL + 10) is None:
                raise RuntimeError("watch never said offline")
            time.sleep(rng.uniform(0, 10))
            t0 = time.monotonic()
            s.set(f"{p}/generate_204", b"", status=204)
            got = lines.first(lambda d: d.get("kind") == "online", INTERVAL + 10)
            if got is None:
                raise RuntimeError("watch never said online again")
            back.append(got[0] - t0)
        finally:
            stop(watch)
            s.set(feed, OK, etag=f'"ok-{run + 1}"')
    worst = max(resumed)
    b.row(SECTION, f"after a resume (stopped {FROZEN:g} s), the truth: median (worst)",
          f"{fmt_s(median(resumed))} ({fmt_s(worst)})", f"worst <= {RESUME_TARGET:g} s",
          worst / RESUME_TARGET, worst <= RESUME_TARGET)
    b.row(SECTION, "  the same against one interval", f"{worst / INTERVAL:.2f}x of {INTERVAL} s")
    worst = max(back)
    limit = OFFLINE_PACE + 1
    b.row(SECTION, "network back (the connectivity check answers again): median (worst)",
          f"{fmt_s(median(back))} ({fmt_s(worst)})", f"worst <= {limit:g} s",
          worst / limit, worst <= limit)
    b.row(SECTION, "  the same against one interval", f"{worst / INTERVAL:.2f}x of {INTERVAL} s")
    b.note(SECTION, f"after a wake: interval {INTERVAL} s, {runs} run(s). Resume: the `watch` "
                    f"process stopped {FROZEN:g} s (SIGSTOP) while the page turned to a major "
                    "outage, then continued; latency from SIGCONT to its `worse` line. "
                    "Network back: the connectivity check failing until `offline`, then "
                    "answering again at a random moment; latency to the `online` line. "
                    "A real route or address change polls at the next 3 s slice "
                    "(tests/test_wake.py); a loopback server cannot simulate one.")
