"""6. Side by side: trayapp and a peer, on the same loopback server and payloads.

The peer is ``statuspage-prometheus-exporter`` (``bench/peerkit.py`` says how
it is installed, started and read); ``check_http`` is the probe-side peer.
Every ratio is trayapp / peer.

Method, per row:

- Correctness on a real timeline: two pages (Claude's Statuspage, ChatGPT's
  incident.io page read through its Statuspage-compatible summary, as both
  tools can) step through real captures in date order (the payloads in
  :data:`TIMELINE`: three Anthropic snapshots, two OpenAI ones), then a
  maintenance (Anthropic's operational summary with its
  ``scheduled_maintenances`` capture in progress and the indicator
  ``maintenance``) and a broken page (OpenAI's status page answering its HTML
  during an incident). At each step each tool reads once, state kept between
  steps (trayapp: `trayapp status --json`, same state dir; the peer:
  ``RUN_MODE=once``, same working directory and cache). A reading is right
  when it is the page's own state in the tool's vocabulary: trayapp's level
  exactly; for the peer 1 (up) for operational, 0 (down) for an incident, and
  no value for a page it cannot read (it has no "unknown" and no
  "maintenance", so a 0 there, or a cached value, is wrong).
- Page unreachable / serving HTML: a page read once when good, then failing.
- Detection latency: from the schedule (a change at a uniformly random
  moment is seen at the next poll: median half the interval, worst one
  interval; trayapp polls a quarter of its interval while something is
  wrong, not faster than 15 s for a real page; the peer polls on the minute,
  every whole minute at best), and in a full run one live flip each way at
  60 s, both tools watching their own copy of the same page.
- RSS, CPU, requests and bytes: trayapp `watch` (the page only, interval 60 s,
  its connectivity check as configured by default) and the peer daemon (every
  minute) on the same page for 300 s (20 s in --quick). RSS = VmRSS at the end.
  CPU is read every second (threads' schedstat); idle = CPU in the seconds with
  no request of that tool within 1 s, scaled to an hour. Requests and bytes
  (both directions, HTTP level) per poll of the page after the first, times
  60 polls an hour; the server sends an ETag and answers 304 to a matching
  If-None-Match.
- check_http: 20 runs (5 in --quick) of
  ``check_http -H 127.0.0.1 -p PORT -u PATH -e 401`` against the Claude API
  stand-in (401 without a key), wall time and the child's CPU (wait4 rusage),
  against trayapp's warm poll cycle of the same probe alone (`bench/cycle.py`,
  connectivity check off: one request a cycle).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import peerkit
from bench.harness import PY, SIDE_SECTION, Bench, env_for, fmt_s, median
from bench.payloads import FIXTURES, OK, UNAUTHORIZED
from bench.peer_soak import soak
from bench.procs import cycle_worker

SEC = SIDE_SECTION
HTML = (FIXTURES / "incidentio/openai-statuspage-html-during-incident-1.html").read_bytes()


def maintenance_page() -> bytes:
    """Anthropic's operational summary with its captured maintenance in progress."""
    page = json.loads(OK)
    maint = json.loads((FIXTURES / "statuspage/anthropic-scheduled-maintenances-1.json")
                       .read_bytes())["scheduled_maintenances"][0]
    maint["status"] = "in_progress"
    page["scheduled_maintenances"] = [maint]
    page["status"] = {"indicator": "maintenance", "description": "Service Under Maintenance"}
    names = {c["name"] for c in maint.get("components", [])}
    for comp in page["components"]:
        if comp["name"] in names:
            comp["status"] = "under_maintenance"
    return json.dumps(page).encode()


# (date, page, what is served, the page's own state)
TIMELINE: list[tuple[str, str, bytes, str]] = [
    ("2026-08-09", "Claude", (FIXTURES / "statuspage/anthropic-status-1.json").read_bytes(),
     "operational"),
    ("2026-09-22", "Claude", OK, "operational"),
    ("2026-09-24", "ChatGPT", (FIXTURES / "incidentio/openai-summary-compat-2.json")
     .read_bytes(), "operational"),
    ("2026-09-29", "ChatGPT", (FIXTURES / "incidentio/openai-summary-compat-1.json")
     .read_bytes(), "degraded"),
    ("2026-10-07", "Claude", (FIXTURES / "statuspage/anthropic-summary-1.json").read_bytes(),
     "degraded"),
    ("maintenance", "Claude", maintenance_page(), "maintenance"),
    ("broken page", "ChatGPT", HTML, "unknown"),
]
KIND = {"Claude": "statuspage", "ChatGPT": "incidentio"}


def pages_config(path: Path, b: Bench, p: str, bases: dict[str, str]) -> Path:
    """trayapp with only the pages (no probe), like the peer."""
    lines = ["interval = 60", f'connectivity_url = "{b.server.base}{p}/generate_204"']
    for name, base in bases.items():
        lines += ["[[services]]", f'id = "{name.lower()}"', f'name = "{name}"',
                  f'feed = {{ kind = "{KIND[name]}", url = "{base}" }}']
    path.write_text("\n".join(lines) + "\n")
    return path


def trayapp_levels(config: Path, env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run([PY, "-m", "trayapp", "status", "--json", "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    try:
        return {s["name"]: s["level"] for s in json.loads(done.stdout)["services"]}
    except (ValueError, KeyError, TypeError):
        return {}


def peer_reading(gauges: dict[str, dict[str, float]], name: str) -> str:
    value = gauges.get(name, {}).get("statuspage_service_status")
    return "no value" if value is None else f"{value:g}"


def peer_right(reading: str, truth: str) -> bool:
    want = {"operational": "1", "degraded": "0", "partial_outage": "0", "major_outage": "0",
            "unknown": "no value"}.get(truth)          # maintenance: it cannot say it
    return reading == want


def mark(right: bool) -> str:
    return "" if right else " (wrong)"


def serve(b: Bench, p: str, name: str, body: bytes, n: int) -> None:
    html = body.lstrip().startswith(b"<")
    path = f"{p}/{name.lower()}/api/v2/summary.json"
    b.server.set(path, body, etag=f'"{name}-{n}"',
                 content_type="text/html" if html else "application/json")


def timeline(b: Bench, peer: Path | None, skip: str) -> None:
    s, p = b.server, "/pc"
    s.set(f"{p}/generate_204", b"", status=204)
    s.set(f"{p}/chatgpt/api/v2/incidents.json", b'{"incidents": []}')
    bases = {name: f"{s.base}{p}/{name.lower()}" for name in KIND}
    cfg = pages_config(b.tmp / "peer-timeline.toml", b, p, bases)
    env = env_for(b.tmp / "peer-timeline")
    work = peerkit.peer_workdir(b.tmp / "peer-timeline-peer",
                                {n: f"{u}/api/v2/summary.json" for n, u in bases.items()})
    first = {page: body for _, page, body, _ in reversed(TIMELINE)}
    for name, body in first.items():
        serve(b, p, name, body, 0)
    ours = theirs = 0
    steps = []
    for n, (date, page, body, truth) in enumerate(TIMELINE, 1):
        serve(b, p, page, body, n)
        got = trayapp_levels(cfg, env).get(page, "no answer")
        said = peer_reading(peerkit.peer_once(peer, work), page) if peer else "-"
        ours += got == truth
        theirs += peer is not None and peer_right(said, truth)
        steps.append(f"{date} {page}: page {truth}; trayapp {got}{mark(got == truth)}; "
                     f"peer {said}{mark(peer_right(said, truth)) if peer else ''}")
    n = len(TIMELINE)
    b.side(f"right readings on a real timeline ({n} steps, 2 pages)", f"{ours}/{n}",
           f"{theirs}/{n}" if peer else skip, ours / theirs if peer and theirs else None,
           "the page's state in each tool's vocabulary, read once per step")
    b.side("levels it can express", "6 (5 levels + unknown)",
           "2 (1 up, 0 down; no value when never read)" if peer else skip,
           3.0 if peer else None, "from each tool's output format")
    b.note(SEC, "timeline: " + "; ".join(steps) + ".")


def failures(b: Bench, peer: Path | None, skip: str) -> None:
    """A page read once when good, then serving HTML, then unreachable."""
    s = b.server
    for label, fault in (("page serves HTML (after a good read)", "html"),
                         ("page unreachable (after a good read)", "down")):
        p = f"/pf-{fault}"
        port = s.listen(1)[0]
        s.set(f"{p}/generate_204", b"", status=204)
        base = f"http://127.0.0.1:{port}{p}/claude"
        cfg = pages_config(b.tmp / f"peer-{fault}.toml", b, p, {"Claude": base})
        env = env_for(b.tmp / f"peer-{fault}")
        work = peerkit.peer_workdir(b.tmp / f"peer-{fault}-peer",
                                    {"Claude": f"{base}/api/v2/summary.json"})
        serve(b, p, "Claude", OK, 0)
        trayapp_levels(cfg, env)
        if peer:
            peerkit.peer_once(peer, work)
        if fault == "html":
            serve(b, p, "Claude", HTML, 1)
        else:
            s.unlisten(port)
        got = trayapp_levels(cfg, env).get("Claude", "no answer")
        said = skip
        if peer:
            gauges = peerkit.peer_once(peer, work)
            said = peer_reading(gauges, "Claude")
            check = gauges.get("Claude", {}).get("statuspage_probe_check")
            if said != "no value":
                said += " (its last good answer, from its cache"
                said += f"; probe_check {check:g})" if check is not None else ")"
        b.side(label, got, said, None, "then one more read each")


def probes(b: Bench) -> None:
    tool = peerkit.check_http()
    runs = 5 if b.quick else 20
    s, p = b.server, "/pk"
    s.set(f"{p}/v1/models", UNAUTHORIZED, status=401)
    cfg = b.tmp / "probe-only.toml"
    cfg.write_text(f'interval = 60\nconnectivity_url = ""\n[[services]]\nid = "claude"\n'
                   f'name = "Claude"\nprobe = {{ url = "{s.base}{p}/v1/models" }}\n')
    cyc = cycle_worker(b, cfg, runs + 1)
    wall, cpu = median(cyc["wall"][1:]), median(cyc["cpu"][1:])
    if tool is None:
        b.side("API probe (vs check_http): latency / CPU per probe",
               f"{fmt_s(wall)} / {fmt_s(cpu)}",
               "skipped: check_http not installed (Debian: monitoring-plugins-basic)", None,
               "check_http against trayapp's warm cycle of the probe alone")
        return
    walls, cpus = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen([tool, "-H", "127.0.0.1", "-p", str(s.port), "-u",
                                 f"{p}/v1/models", "-e", "401", "-t", "10"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
        _, status, ru = os.wait4(proc.pid, 0)       # its own rusage, not all children's
        proc.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
        walls.append(time.perf_counter() - t0)
        cpus.append(ru.ru_utime + ru.ru_stime)
    cw, cc = median(walls), median(cpus)
    b.side("API probe (vs check_http): latency per probe", fmt_s(wall), fmt_s(cw), wall / cw,
           "trayapp's warm in-process cycle; check_http spawned per probe, as Nagios does")
    b.side("API probe (vs check_http): CPU per probe", fmt_s(cpu), fmt_s(cc),
           cpu / cc if cc else None, "trayapp: process_time of the cycle; check_http: "
           "the child's user + system time (wait4)")


def run(b: Bench) -> None:
    print("6. side by side with a peer", flush=True)
    peer, how = peerkit.peer_python(install=not b.quick)
    skip = how if peer is None else "-"
    how = how.replace(str(peerkit.cache_dir()), "the bench cache dir")
    b.note(SEC, f"peer: {how}." if peer else f"peer: {how}; trayapp's side is measured "
                "all the same.")
    timeline(b, peer, skip)
    failures(b, peer, skip)
    live = soak(b, peer, skip)
    detection(b, peer, skip, live)
    probes(b)


def detection(b: Bench, peer: Path | None, skip: str, live: dict[str, Any]) -> None:
    def sched(i: float) -> str:
        return f"{i / 2:g} s ({i:g} s)"
    theirs = sched(60) if peer else skip
    b.side("page outage seen at 60 s: median (worst)", sched(60), theirs,
           1.0 if peer else None, "from the schedule: the next poll after a random moment")
    b.side("page recovery seen at 60 s: median (worst)", sched(15), theirs,
           0.25 if peer else None, "from the schedule: trayapp polls at 15 s while wrong")
    b.side("page outage at each one's shortest interval (trayapp 15 s, peer 1 min)",
           sched(15), theirs, 0.25 if peer else None, "from the schedule")
    for key, label in (("worse", "outage"), ("better", "recovery")):
        got = live.get(key)
        if got is None:
            continue
        ours, them = got
        b.side(f"page {label} at 60 s: one live flip", fmt_s(ours) if ours else "not seen",
               (fmt_s(them) if them else "not seen") if peer else skip,
               ours / them if ours and them else None,
               "the server switches the page; to `watch --json`'s line / the peer's log line")

