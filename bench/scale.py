"""3. Scale: one poll cycle over 1, 10, 50 and 200 services.

Method: each service is a Statuspage feed and an API probe, each on an
origin of its own (a separate loopback port of the same server, as a
vendor's page and API are separate hosts), answering every request after
200 ms; plus the connectivity check, so a cycle makes 2N+1 requests.
`bench/cycle.py` runs 5 cycles (3 in --quick) in a fresh process per size;
'warm' is the median of cycles 2.., and the ratio is against one service
(target: 50 services at most 1.5x). Memory per service is the RSS growth
from 1 to 200 services / 199 (target < 100 KB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import Bench, fmt_mb, fmt_s, median
from bench.payloads import OK, UNAUTHORIZED
from bench.procs import cycle_worker
from bench.server import BenchServer


def scale_config(path: Path, server: BenchServer, n: int, ports: list[int]) -> Path:
    """n services, each with its status page and its API on origins of their own
    (separate loopback ports), as real vendors have."""
    lines = ["interval = 60", f'connectivity_url = "{server.base}/s/generate_204"',
             "timeout = 10", "connect_timeout = 5"]
    for i in range(n):
        page = f"http://127.0.0.1:{ports[(2 * i) % len(ports)]}"
        api = f"http://127.0.0.1:{ports[(2 * i + 1) % len(ports)]}"
        lines += ["[[services]]", f'id = "svc-{i}"', f'name = "Service {i}"',
                  f'feed = {{ kind = "statuspage", url = "{page}/s/{i}" }}',
                  f'probe = {{ url = "{api}/s/{i}/v1/models" }}']
    path.write_text("\n".join(lines) + "\n")
    return path


def run(b: Bench) -> None:
    print("3. scale", flush=True)
    sec = "3. Scale"
    s = b.server
    delay = 0.2
    sizes = [1, 10, 50, 200]
    cycles = 3 if b.quick else 5
    s.set("/s/generate_204", b"", status=204, delay=delay)
    for i in range(max(sizes)):
        s.set(f"/s/{i}/api/v2/summary.json", OK, etag=f'"s{i}"', delay=delay)
        s.set(f"/s/{i}/v1/models", UNAUTHORIZED, status=401, delay=delay)
    ports = s.listen(2 * max(sizes))
    res: dict[int, dict[str, Any]] = {}
    for n in sizes:
        before = s.stats.snapshot()
        res[n] = cycle_worker(b, scale_config(b.tmp / f"scale-{n}.toml", s, n, ports), cycles)
        res[n]["conns"] = s.stats.connections - before.connections
        res[n]["reqs"] = sum(s.stats.requests.values()) - sum(before.requests.values())
    warm = {n: median(r["wall"][1:]) for n, r in res.items()}
    cold = {n: r["wall"][0] for n, r in res.items()}
    for n in sizes:
        ratio = warm[n] / warm[1]
        target, ok = ("info", None)
        if n == 50:
            target, ok = "<= 1.5x one service", ratio <= 1.5
        b.row(sec, f"poll cycle, {n} service(s), 200 ms server (warm; first cycle)",
              f"{fmt_s(warm[n])} ({fmt_s(cold[n])})", target, ratio, ok)
    growth = (res[200]["rss_kb"] - res[1]["rss_kb"]) / 199
    b.row(sec, "memory growth per service (RSS, 1 -> 200 services)",
          f"{growth:.1f} KB", "< 100 KB", growth / 100, growth < 100)
    b.note(sec, f"each service = a Statuspage feed + an API probe, each on its own origin "
                f"(a loopback port of the same server, as a vendor's status page and API "
                f"are separate hosts), "
                f"which answers every request after {delay * 1000:.0f} ms; plus the "
                f"connectivity check, so a cycle makes 2N+1 requests. {cycles} cycles in a "
                "fresh process (`bench/cycle.py`); 'warm' is the median of cycles 2.., the "
                "first cycle also opens the connections. The ratio is against 1 service.")
    b.note(sec, "per size: " + "; ".join(
        f"{n}: cycles {[round(w, 3) for w in r['wall']]} s, CPU "
        f"{[round(c, 3) for c in r['cpu']]} s, RSS {fmt_mb(r['rss_kb'])}, "
        f"{r['conns']} connections for {r['reqs']} requests" for n, r in res.items()))
