"""History store: its size per service-year and its write cost per cycle (issue 14).

Method: the real writer (`trayapp.edges.history_store.HistoryWriter`, WAL, one
transaction per cycle, hourly aggregation and daily pruning as in the tray)
is fed a simulated year of 60 s polls of 10 services on a simulated clock:
every service has a status page and an API probe (latency 80-400 ms); each
has an incident about every 5 days lasting 40-160 minutes (page and probe
changes, the incident opened, updated and resolved), the probe flaps for a
few minutes about once a day, and the laptop is offline for 20 minutes
every day. `history_days` is set above a year so nothing is pruned. The
size is the file after a WAL checkpoint (target: the year under 50 MB);
the write cost is the median and 99th percentile wall time of one cycle's
write (aggregation and pruning cycles included in the p99). `--quick`
simulates 2 weeks and scales the size to a year (indicative).

Call `measure(tmp, quick)` for the result rows (name, value, target, ratio,
ok), or `run(bench)` to add them to a `bench.harness.Bench`.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SECTION = "7. History store"
SERVICES = 10
INTERVAL = 60
TARGET_MB = 50.0
TARGET_WRITE_MS = 20.0
START = 1_798_761_600         # 2027-01-01 UTC


def _plan(days: int, rng: random.Random) -> dict[int, list[tuple[int, int, str]]]:
    """Per service: (start, end, kind) trouble periods in seconds from START."""
    plan: dict[int, list[tuple[int, int, str]]] = {}
    for n in range(SERVICES):
        events: list[tuple[int, int, str]] = []
        t = rng.randrange(0, 5 * 86400)
        while t < days * 86400:
            events.append((t, t + rng.randrange(40, 160) * 60, "incident"))
            t += rng.randrange(3, 7) * 86400 + rng.randrange(86400)
        for day in range(days):
            s = day * 86400 + rng.randrange(86400)
            events.append((s, s + rng.randrange(2, 6) * 60, "flap"))
        plan[n] = sorted(events)
    return plan


def simulate(path: Path, days: int, seed: int = 14) -> dict[str, Any]:
    from trayapp.core.history.record import Change, CycleRecord, IncidentSeen, ServiceCycle
    from trayapp.edges.history_store import HistoryWriter

    rng = random.Random(seed)
    plan = _plan(days, rng)
    writer = HistoryWriter(path, days + 30)
    levels = ["operational"] * SERVICES
    times: list[float] = []
    cycles = days * 86400 // INTERVAL
    cursor = [0] * SERVICES
    for c in range(cycles):
        t = c * INTERVAL
        offline = (t % 86400) < 20 * 60 and t >= 86400
        services = []
        changes = []
        for n in range(SERVICES):
            ev = plan[n]
            while cursor[n] < len(ev) and ev[cursor[n]][1] <= t:
                cursor[n] += 1
            active = [e for e in ev[cursor[n]:cursor[n] + 3] if e[0] <= t < e[1]]
            kind = active[0][2] if active else None
            page = "partial_outage" if kind == "incident" else "operational"
            probe = "major_outage" if kind in ("incident", "flap") else "operational"
            combined = "major_outage" if probe != "operational" else page
            sid = f"svc-{n}"
            if offline:
                services.append(ServiceCycle(sid, f"Service {n}", "offline", "offline",
                                             "offline"))
                continue
            incidents: tuple[IncidentSeen, ...] = ()
            if kind == "incident":
                s = active[0][0]
                incidents = (IncidentSeen(f"inc-{n}-{s}", "Elevated error rates on the API "
                                          "for some customers", "partial_outage",
                                          "investigating" if t - s < 1800 else "monitoring",
                                          START + s, START + t - (t - s) % 600),)
            if combined != levels[n]:
                changes.append(Change(sid, START + t, levels[n], combined,
                                      "page" if kind == "incident" else "probe",
                                      "Elevated error rates on the API for some customers"))
                levels[n] = combined
            services.append(ServiceCycle(
                sid, f"Service {n}", combined, page, probe, rng.randrange(80, 400),
                probe, 500 if probe != "operational" else 401, incidents))
        rec = CycleRecord(START + t, offline, tuple(services), tuple(changes), 180)
        began = time.perf_counter()
        writer.record(rec)
        times.append(time.perf_counter() - began)
    assert writer.disabled is None, writer.disabled
    writer.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("span", "change", "incident", "probe", "probe_hour")}
    conn.close()
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        size += wal.stat().st_size
    times.sort()
    return {"days": days, "cycles": cycles, "bytes": size, "rows": counts,
            "median_ms": statistics.median(times) * 1000,
            "p99_ms": times[int(len(times) * 0.99)] * 1000}


def measure(tmp: Path, quick: bool) -> list[tuple[str, str, str, float | None, bool | None]]:
    days = 14 if quick else 365
    res = simulate(tmp / "history-bench.sqlite3", days)
    year_mb = res["bytes"] / 1e6 * 365 / days
    per_service = year_mb / SERVICES
    rows = res["rows"]
    scaled = " (2 weeks, scaled to a year)" if quick else ""
    return [
        (f"history file, a year of 60 s polls of {SERVICES} services{scaled}",
         f"{year_mb:.1f} MB", f"< {TARGET_MB:g} MB", year_mb / TARGET_MB, year_mb < TARGET_MB),
        ("history file per service-year", f"{per_service:.2f} MB", "info", None, None),
        ("rows kept (spans / changes / incidents / raw probe 48 h / probe hours)",
         " / ".join(str(rows[k]) for k in ("span", "change", "incident", "probe",
                                            "probe_hour")), "info", None, None),
        (f"write cost per cycle ({SERVICES} services, one transaction), median",
         f"{res['median_ms']:.2f} ms", f"< {TARGET_WRITE_MS:g} ms",
         res["median_ms"] / TARGET_WRITE_MS, res["median_ms"] < TARGET_WRITE_MS),
        ("write cost per cycle, 99th percentile (with hourly aggregation, daily pruning)",
         f"{res['p99_ms']:.2f} ms", "info", None, None),
    ]


def run(b: Any) -> None:
    """For bench/run.py: add the rows to the Bench ``b`` (``b.row``, ``b.tmp``)."""
    print("history store", flush=True)
    for name, value, target, ratio, ok in measure(b.tmp, b.quick):
        b.row(SECTION, name, value, target, ratio, ok)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as d:
        for row in measure(Path(d), quick):
            print(" | ".join("" if x is None else str(x) for x in row))
