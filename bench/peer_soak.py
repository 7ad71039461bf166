"""6. Side by side, the long part: trayapp `watch` and the peer daemon polling the
same page side by side (RSS, CPU, requests and bytes) and, in a full run,
one live flip each way of a second page both watch. The method is in
``bench/peer.py``'s docstring; this module only runs it.
"""

from __future__ import annotations

import random
import re
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench import peerkit
from bench.harness import SIDE_SECTION, Bench, fmt_mb, stop, wait_for
from bench.payloads import DOWN, OK
from bench.procs import LineReader, proc_cpu_s, proc_rss_kb, start_watch
from bench.server import BenchServer, Stats

SEC = SIDE_SECTION
PAGE = "/claude/api/v2/summary.json"


class Sampler:
    """Every second: each process's CPU time and the requests on its routes."""

    def __init__(self, b: Bench, procs: dict[str, tuple[int, str]]) -> None:
        self.b, self.procs = b, procs
        self.samples: list[tuple[float, dict[str, float], dict[str, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            reqs = self.b.server.stats.requests
            cpu, seen = {}, {}
            for key, (pid, prefix) in self.procs.items():
                try:
                    cpu[key] = proc_cpu_s(pid)
                except OSError:
                    continue
                seen[key] = sum(v for k, v in list(reqs.items()) if k.startswith(prefix))
            self.samples.append((time.monotonic(), cpu, seen))
            self._stop.wait(1.0)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(3)

    def per_hour(self, key: str, since: float) -> tuple[float, float]:
        """(idle CPU s/h: seconds with no request within 1 s; all CPU s/h) after ``since``."""
        s = [x for x in self.samples if x[0] >= since and key in x[1]]
        idle_cpu = idle_t = 0.0
        for i in range(1, len(s) - 2):
            quiet = s[i - 1][2][key] == s[i + 2][2][key]
            if quiet:
                idle_cpu += s[i + 1][1][key] - s[i][1][key]
                idle_t += s[i + 1][0] - s[i][0]
        total_t = s[-1][0] - s[0][0] if len(s) > 1 else 0.0
        total = (s[-1][1][key] - s[0][1][key]) * 3600 / total_t if total_t else float("nan")
        return (idle_cpu * 3600 / idle_t if idle_t else float("nan")), total


def is_kind(kind: str, line: dict[str, Any]) -> bool:
    """A watch JSON line of this kind ("worse", "better")."""
    return line.get("kind") == kind


def was_asked(s: BenchServer, path: str) -> bool:
    return s.stats.requests[path] >= 1


def one_page(b: Bench, p: str) -> Path:
    s = b.server
    s.set(f"{p}/generate_204", b"", status=204)
    s.set(f"{p}{PAGE}", OK, etag='"soak-1"')
    path = b.tmp / f"peer{p.replace('/', '-')}.toml"
    path.write_text(f'interval = 60\nconnectivity_url = "{s.base}{p}/generate_204"\n'
                    f'[[services]]\nid = "claude"\nname = "Claude"\n'
                    f'feed = {{ kind = "statuspage", url = "{s.base}{p}/claude" }}\n')
    return path


def flips(b: Bench, ours: LineReader, theirs: LineReader | None) -> dict[str, Any]:
    """One outage and one recovery of the /pd-* pages, each at a random moment."""
    rng, out = random.Random(18), {}
    for kind, body, raw in (("worse", DOWN, re.compile(r"Claude: (minor|major|critical) ")),
                            ("better", OK, re.compile(r"Claude: none "))):
        time.sleep(rng.uniform(0, 60))
        t0 = time.monotonic()
        for p in ("/pd-t", "/pd-p"):
            b.server.set(f"{p}{PAGE}", body, etag=f'"{kind}"')
        got = ours.first(partial(is_kind, kind), 75)
        seen = theirs.first_match(raw, max(75 - (time.monotonic() - t0), 1)) if theirs else None
        out[kind] = (got[0] - t0 if got else None, seen[0] - t0 if seen else None)
    return out


def soak(b: Bench, peer: Path | None, skip: str) -> dict[str, Any]:
    s = b.server
    soak_s = 20.0 if b.quick else 300.0
    cfg_t, _ = one_page(b, "/ps-t"), one_page(b, "/ps-p")
    watch, _ = start_watch(b, cfg_t, b.tmp / "peer-soak-watch")
    procs: dict[str, Any] = {"trayapp": watch}
    live: dict[str, Any] = {}
    started = []
    try:
        if peer is not None:
            work = peerkit.peer_workdir(b.tmp / "peer-soak", {"Claude": f"{s.base}/ps-p{PAGE}"})
            procs["peer"] = peerkit.start_peer(peer, work)
        if not b.quick:
            det = start_watch(b, one_page(b, "/pd-t"), b.tmp / "peer-det-watch")
            started.append(det[0])
            their_lines = None
            if peer is not None:
                work = peerkit.peer_workdir(b.tmp / "peer-det",
                                            {"Claude": f"{s.base}/pd-p{PAGE}"})
                one_page(b, "/pd-p")
                dp = peerkit.start_peer(peer, work)
                started.append(dp)
                their_lines = LineReader(dp, dp.stderr)
        prefixes = {"trayapp": "/ps-t/", "peer": "/ps-p/"}
        sampler = Sampler(b, {k: (p.pid, prefixes[k]) for k, p in procs.items()})
        t0 = time.monotonic()
        for key in procs:
            wait_for(partial(was_asked, s, f"{prefixes[key]}{PAGE[1:]}"), 30)
        time.sleep(1.0)
        first, t_first = s.stats.snapshot(), time.monotonic()
        if not b.quick:
            wait_for(lambda: s.stats.requests[f"/pd-t{PAGE}"] >= 1, 30)
            live = flips(b, det[1], their_lines)
        time.sleep(max(0.0, soak_s - (time.monotonic() - t0)))
        rss = {k: proc_rss_kb(p.pid) for k, p in procs.items() if p.poll() is None}
        sampler.close()
        last = s.stats.snapshot()
    finally:
        for proc in [*procs.values(), *started]:
            stop(proc)
    report(b, peer, skip, rss, sampler, t_first, first, last)
    return live


def report(b: Bench, peer: Path | None, skip: str, rss: dict[str, int], sampler: Sampler,
           t_first: float, first: Stats, last: Stats) -> None:
    def ratio(a: float, z: float | None) -> float | None:
        return a / z if peer is not None and z else None

    theirs_rss = rss.get("peer")
    mins = "5 minutes" if not b.quick else "20 s"
    b.side(f"RSS after {mins} polling one page every 60 s", fmt_mb(rss["trayapp"]),
           fmt_mb(theirs_rss) if theirs_rss else skip, ratio(rss["trayapp"], theirs_rss),
           "VmRSS of the process at the end")
    cpu = {k: sampler.per_hour(k, t_first) for k in rss}
    t_idle, t_all = cpu["trayapp"]
    p_idle, p_all = cpu.get("peer", (None, None))
    b.side("CPU per hour while idle", f"{t_idle:.3f} s/h",
           f"{p_idle:.3f} s/h" if p_idle is not None else skip, ratio(t_idle, p_idle),
           "threads' CPU in the seconds with no request, per hour")
    b.side("CPU per hour, polls included", f"{t_all:.2f} s/h",
           f"{p_all:.2f} s/h" if p_all is not None else skip, ratio(t_all, p_all),
           "all CPU after the first poll, per hour")
    # a quick run is too short for a second poll at 60 s: count the first one too
    net = {k: per_page(Stats() if b.quick else first, last, f"/ps-{k[0]}") for k in rss}
    for what, unit in (("requests", "req"), ("bytes", "KB"), ("connections", "new")):
        ours, them = net["trayapp"][what], net.get("peer", {}).get(what)
        b.side(f"{what} per hour for one page", show(ours, unit),
               show(them, unit) if them is not None else skip, ratio(ours, them),
               "per poll of the page, times 60 polls an hour")
    share = {k: n["304"] for k, n in net.items()}
    b.side("page polls answered 304 (conditional requests)", f"{share['trayapp']:.0f} %",
           f"{share['peer']:.0f} %" if "peer" in share else skip, None,
           "the server sends an ETag; If-None-Match or not")
    conn = net["trayapp"]["check"]
    b.side("its own connectivity check, bytes per hour (once a cycle, for all pages)",
           f"{conn / 1024:.1f} KB", "none (it has no offline check)" if peer else skip, None,
           "trayapp's offline check, not counted in the page rows above")
    b.note(SEC, "the soak: both tools side by side on their own copy of the same page "
                "(the same payload and ETag). Polls counted "
                f"{'(the first included)' if b.quick else 'after the first'}: "
                f"trayapp {net['trayapp']['polls']}"
                + (f", peer {net['peer']['polls']}." if "peer" in net else "."))


def show(v: float, unit: str) -> str:
    return f"{v / 1024:.1f} KB" if unit == "KB" else f"{v:.0f} {unit}"


def per_page(first: Stats, last: Stats, p: str) -> dict[str, float]:
    page = f"{p}{PAGE}"
    polls = last.requests[page] - first.requests[page]
    scale = 60 / polls if polls else 0.0
    nbytes = (last.bytes_in[page] + last.bytes_out[page]
              - first.bytes_in[page] - first.bytes_out[page])
    conns = sum(last.opened_by[k] - first.opened_by[k] for k in last.opened_by
                if k.startswith(p + "/"))
    check = f"{p}/generate_204"
    cbytes = (last.bytes_in[check] + last.bytes_out[check]
              - first.bytes_in[check] - first.bytes_out[check])
    n304 = last.not_modified[page] - first.not_modified[page]
    return {"polls": polls, "requests": polls * scale, "bytes": nbytes * scale,
            "connections": conns * scale, "check": cbytes * scale,
            "304": 100 * n304 / polls if polls else 0.0}
