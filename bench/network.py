"""4. Network cost: requests, bytes and connections per hour per service.

Method: counted on the loopback server during the footprint soak (section
2), after the first cycle, with nothing changing: requests, both directions'
bytes at the HTTP level (heads and bodies; TLS and TCP not included) and new
connections, scaled to the default 60 s interval. The stand-ins send ETags
and answer 304 to a matching If-None-Match (target: at least 95 % of feed
polls answered 304) and gzip bodies for clients that accept it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.harness import Bench
from bench.payloads import DEFAULT_INTERVAL


def run(b: Bench, soak: dict[str, Any]) -> None:
    print("4. network cost", flush=True)
    sec = "4. Network cost"
    first, last, interval = soak["first"], soak["last"], soak["interval"]
    cycles = last.requests["/w/generate_204"] - first.requests["/w/generate_204"]
    if cycles <= 0:
        b.row(sec, "requests per hour", "no cycles measured", "-", None, False)
        return
    per_hour = 3600 / DEFAULT_INTERVAL / cycles

    def delta(counter: str, prefix: str) -> int:
        a: Counter[str] = getattr(first, counter)
        z: Counter[str] = getattr(last, counter)
        return sum(v for k, v in z.items() if k.startswith(prefix)) - \
            sum(v for k, v in a.items() if k.startswith(prefix))

    for sid, name in (("claude", "Claude (Statuspage feed + probe)"),
                      ("openai", "ChatGPT (incident.io feed + probe)"),
                      ("ollama", "Ollama (probe only)")):
        p = f"/w/{sid}/"
        reqs = delta("requests", p) * per_hour
        nbytes = (delta("bytes_in", p) + delta("bytes_out", p)) * per_hour
        b.row(sec, f"{name}: requests, bytes per hour", f"{reqs:.0f} req, "
              f"{nbytes / 1024:.1f} KB", "info")
    conn = (delta("bytes_in", "/w/generate_204") + delta("bytes_out", "/w/generate_204"))
    b.row(sec, "connectivity check (once per cycle, not per service): bytes per hour",
          f"{conn * per_hour / 1024:.1f} KB", "info")
    opened = (last.connections - first.connections) * per_hour
    b.row(sec, "new connections (TCP, and TLS on the real hosts) per hour, all services",
          f"{opened:.0f}", "info")
    feeds = [f"/w/{sid}/api/v2/summary.json" for sid in ("claude", "openai")]
    n_feed = sum(last.requests[f] - first.requests[f] for f in feeds)
    n_304 = sum(last.not_modified[f] - first.not_modified[f] for f in feeds)
    share = n_304 / n_feed if n_feed else 0.0
    b.row(sec, "feed polls answered 304 (server with ETag, nothing changes)",
          f"{share * 100:.1f} % ({n_304}/{n_feed})", ">= 95 %", share / 0.95, share >= 0.95)
    b.note(sec, f"counted on the loopback server during the footprint soak: {cycles} cycles "
                f"(every {interval} s) after the first, nothing changing; bytes are both "
                f"directions at the HTTP level (request and response heads and bodies; "
                f"TLS and TCP overhead not included), scaled to {3600 // DEFAULT_INTERVAL} "
                "cycles per hour (the default 60 s interval). The stand-ins gzip bodies "
                "for clients that accept it, as the real pages do.")
