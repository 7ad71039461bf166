"""1. Detection latency: how long after a page or API changes `watch --json`
(and the tray icon) says so.

Method: one service (a Statuspage feed and an API probe on loopback) polled
by `trayapp watch --json` at interval 8 s (2 s in --quick), so the adaptive
interval is a quarter of it (not below the loopback floor of 1 s). Each flip
(feed operational -> major outage and back; the API answering 529 and back
to 401) happens at a random moment, uniform over one polling period; the
latency is from the server switching its answer to `watch` printing the
`worse`/`better` line (stdout lines are timestamped as they arrive), or to
the tray icon's centre pixel changing colour (a screenshot every 25 ms).
Targets: a feed change within one interval + 1 s; a recovery within the
adaptive interval + 1 s; a probe outage (2 bad probes) within one interval +
the adaptive interval + 1 s; a probe recovery (2 good probes) within twice
the adaptive interval + 1 s.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from functools import partial

from bench import desktop
from bench.harness import Bench, fmt_s, median, stop, wait_for
from bench.payloads import DOWN, OK, OVERLOADED, UNAUTHORIZED, one_service_config
from bench.procs import start_tray, start_watch


class IconWatcher:
    """The tray icon's level, read from its centre pixel every 25 ms."""

    def __init__(self, centre: tuple[int, int]) -> None:
        self.centre = centre
        self.samples: list[tuple[float, str | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            level = desktop.level_at(self.centre)
            self.samples.append((time.monotonic(), level))
            self._stop.wait(0.025)

    def level(self) -> str | None:
        return self.samples[-1][1] if self.samples else None

    def first_change(self, since: float, before: str | None, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, lv in list(self.samples):
                if t >= since and lv is not None and lv != before:
                    return t
            time.sleep(0.02)
        return None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


def run(b: Bench) -> None:
    print("1. detection latency", flush=True)
    interval = 2 if b.quick else 8
    runs = 1 if b.quick else 5
    fast = max(interval / 4, 1)          # adaptive polling: a quarter, not below min_interval
    s = b.server
    p = "/d"
    s.set(f"{p}/generate_204", b"", status=204)
    s.set(f"{p}/svc/api/v2/summary.json", OK, etag='"ok-0"')
    s.set(f"{p}/svc/v1/models", UNAUTHORIZED, status=401)
    feed, probe = f"{p}/svc/api/v2/summary.json", f"{p}/svc/v1/models"
    cfg = one_service_config(b.tmp / "detect.toml", s, p, interval)
    watch, lines = start_watch(b, cfg, b.tmp / "detect-watch")
    tray = start_tray(b, cfg, b.tmp / "detect-tray")
    icon: IconWatcher | None = None
    lat: dict[str, list[float]] = {k: [] for k in
                                   ("feed", "feed_rec", "probe", "probe_rec")}
    icon_lat: dict[str, list[float]] = {k: [] for k in lat}
    try:
        if tray is not None:
            assert b.session is not None
            centre = b.session.find_icon()
            if centre is None:
                b.tray_skip = "the tray icon window was not found with xdotool search --name"
                stop(tray)
                tray = None
            else:
                icon = IconWatcher(centre)
        # The baseline cycle is over once the feed was asked twice.
        if not wait_for(lambda: s.stats.requests[feed] >= 2, 30):
            raise RuntimeError("watch never polled the loopback feed")
        rng = random.Random(1234)
        step = 0

        def flip(key: str, route: Callable[[], None], kind: str, wait: float,
                 phase: float) -> None:
            nonlocal step
            time.sleep(rng.uniform(0, phase))
            before = icon.level() if icon else None
            t0 = time.monotonic()
            route()
            got = lines.first(lambda d: d.get("kind") == kind, wait)
            if got is None:
                raise RuntimeError(f"watch printed no {kind!r} line within {wait:.0f} s")
            lat[key].append(got[0] - t0)
            if icon is not None:
                t = icon.first_change(t0, before, wait)
                if t is not None:
                    icon_lat[key].append(t - t0)
            step += 1
            time.sleep(0.3)          # let the incident lines that follow drain

        for run in range(runs):
            flip("feed", partial(s.set, feed, DOWN, etag=f'"down-{run}"'),
                 "worse", interval * 3 + 5, interval)
            flip("feed_rec", partial(s.set, feed, OK, etag=f'"ok-{run + 1}"'),
                 "better", interval * 3 + 5, fast)
            flip("probe", lambda: s.set(probe, OVERLOADED, status=529),
                 "worse", interval * 4 + 5, interval)
            flip("probe_rec", lambda: s.set(probe, UNAUTHORIZED, status=401),
                 "better", interval * 4 + 5, fast)
    finally:
        if icon is not None:
            icon.close()
        stop(watch)
        if tray is not None:
            stop(tray)
    sec = "1. Detection latency"
    targets = {
        "feed": ("feed outage seen by `watch --json`", interval + 1),
        "feed_rec": ("feed recovery seen by `watch --json`", fast + 1),
        "probe": ("probe outage (HTTP 529, 2-failure threshold) seen", interval + fast + 1),
        "probe_rec": ("probe recovery (2-success threshold) seen", 2 * fast + 1),
    }
    for key, (name, limit) in targets.items():
        worst = max(lat[key])
        m = median(lat[key])
        b.row(sec, f"{name}: median (worst)", f"{fmt_s(m)} ({fmt_s(worst)})",
              f"worst <= {limit:g} s", worst / limit, worst <= limit)
    for key, (name, limit) in targets.items():
        label = name.replace("seen by `watch --json`", "").replace(" seen", "").strip()
        if b.tray_skip is not None:
            b.row(sec, f"tray icon: {label}", f"skipped: {b.tray_skip}")
        elif not icon_lat[key]:
            b.row(sec, f"tray icon: {label}", "no icon change seen", f"worst <= {limit:g} s",
                  None, False)
        else:
            worst = max(icon_lat[key])
            b.row(sec, f"tray icon: {label}: median (worst)",
                  f"{fmt_s(median(icon_lat[key]))} ({fmt_s(worst)})",
                  f"worst <= {limit:g} s", worst / limit, worst <= limit)
    b.note(sec, f"interval = {interval} s (loopback allows 1 s), so the adaptive interval "
                f"is {fast:g} s; {runs} run(s) of each flip, each at a random moment "
                "(uniform over one polling period). Latency = from the server switching "
                "its answer to `watch --json` printing the `worse`/`better` line "
                "(or the icon's centre pixel changing colour).")
    b.note(sec, "targets: a feed change within one interval + 1 s; a recovery within the "
                "adaptive interval + 1 s; a probe outage needs 2 bad probes in a row: one "
                "interval to see the first, the adaptive interval to confirm it; a probe "
                "recovery needs 2 good probes, both at the adaptive interval.")
    b.note(sec, "raw (s): " + json.dumps({k: [round(x, 3) for x in v] for k, v in lat.items()}))
