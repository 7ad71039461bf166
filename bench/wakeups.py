"""2c. Wakeups: how often an idle `watch` and an idle tray wake the CPU.

Method: `trayapp watch` and the tray on each backend (the X11 one and the one
pystray picks by itself) run side by side at the default 60 s interval against
the default services' stand-ins (all answering "operational", so the interval
stays 60 s), with history, two hooks and a model probe configured
(:mod:`bench.featured`). After each one's first cycle has been answered, the voluntary +
involuntary context switches of every thread (``/proc/PID/task/*/status``) are
summed over a window that ends before the next poll can start (the window is
checked: no request from that process reaches the server in it), and scaled
to an hour. Target: at most 10 wakeups a minute (600 an hour), so a toolkit
timer, a polling loop or a watchdog added later fails the benchmark. The count
is of events, not a timing: a loaded machine can add an involuntary switch to
a wakeup, never a wakeup.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

from bench.featured import ENV as FEATURED_ENV
from bench.featured import featured_config, featured_standins
from bench.harness import Bench, env_for, stop, wait_for
from bench.payloads import DEFAULT_INTERVAL
from bench.procs import start_tray, start_watch

LIMIT_PER_MIN = 10.0
SETTLE_S = 2.0      # after the first cycle's answers: the cycle is processed, the icon drawn


def context_switches(pid: int) -> dict[str, int]:
    """Voluntary + involuntary context switches so far, per thread of ``pid``."""
    counts: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches:",
                                    "nonvoluntary_ctxt_switches:")):
                    counts[task.name] = counts.get(task.name, 0) + int(line.split()[1])
    return counts


def switches_since(before: dict[str, int], after: dict[str, int]) -> int:
    """The switches between two readings: a thread started in between counts all of
    its own; one that ended in between cannot be read (it is said in the notes)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


def thread_names(pid: int) -> list[str]:
    names = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            names.append((task / "comm").read_text().strip())
    return sorted(names)


def window_for(b: Bench) -> float:
    """The window: ends well before the next poll at DEFAULT_INTERVAL (after the settle)."""
    return 40.0 if b.quick else DEFAULT_INTERVAL - SETTLE_S - 13.0


def run(b: Bench) -> None:
    print("2c. wakeups while idle", flush=True)
    sec = "2c. Wakeups"
    s = b.server
    procs: dict[str, subprocess.Popen[str]] = {}
    prefixes: dict[str, str] = {}

    def start(name: str, backend: str | None) -> None:
        p = f"/z-{name}"
        featured_standins(s, p)
        cfg = featured_config(b.tmp / f"wake-{name}.toml", s, p, DEFAULT_INTERVAL)
        if backend is None:
            proc: subprocess.Popen[str] | None = start_watch(b, cfg, b.tmp / f"wake-{name}",
                                                             **FEATURED_ENV)[0]
        else:
            proc = start_tray(b, cfg, b.tmp / f"wake-{name}", backend,
                              b.tmp / f"wake-{name}.log", **FEATURED_ENV)
        if proc is not None:
            procs[name], prefixes[name] = proc, p

    start("watch", None)
    backends: list[str] = []
    if b.session is not None and b.tray_skip is None:
        from bench.footprint import pystray_default
        backends = list(dict.fromkeys(["xorg", pystray_default(
            env_for(b.tmp / "which-wake", **b.session.env))]))
        for name in backends:
            start(f"tray-{name}", name)
    window = window_for(b)
    counted: dict[str, tuple[int, float, int, int, list[str]]] = {}
    try:
        # every process's first cycle answered (its connectivity check and feeds seen)
        def answered() -> bool:
            return all(s.stats.requests[f"{p}/openai/api/v2/incidents.json"] >= 1
                       and s.stats.requests[f"{p}/claude/api/v2/summary.json"] >= 1
                       for p in prefixes.values())
        wait_for(answered, 60)
        time.sleep(SETTLE_S)
        hits0 = {n: _hits(b, p) for n, p in prefixes.items()}
        start_counts = {n: context_switches(proc.pid) for n, proc in procs.items()
                        if proc.poll() is None}
        t0 = time.monotonic()
        time.sleep(window)
        t1 = time.monotonic()
        for name, c0 in start_counts.items():
            proc = procs[name]
            if proc.poll() is None:
                after = context_switches(proc.pid)
                gone = len(set(c0) - set(after))
                counted[name] = (switches_since(c0, after), t1 - t0, gone,
                                 _hits(b, prefixes[name]) - hits0[name], thread_names(proc.pid))
    finally:
        for proc in procs.values():
            stop(proc)
    for name in ["watch", *(f"tray-{n}" for n in backends)]:
        label = "`watch`" if name == "watch" else f"tray ({name[5:]} backend)"
        if name not in counted:
            b.row(sec, f"{label}: wakeups per idle hour", "skipped: it did not run")
            continue
        wakes, secs, gone, hits, threads = counted[name]
        per_min = wakes * 60 / secs
        b.row(sec, f"{label}: wakeups per idle hour (interval {DEFAULT_INTERVAL} s)",
              f"{wakes * 3600 / secs:.0f} /h",
              f"<= {LIMIT_PER_MIN * 60:.0f} /h ({LIMIT_PER_MIN:.0f} /min)",
              per_min / LIMIT_PER_MIN, per_min <= LIMIT_PER_MIN and hits == 0)
        b.note(sec, f"{label}: {wakes} context switches in {secs:.1f} s "
                    f"({per_min:.1f} a minute); {hits} requests from it in the window; "
                    f"{len(threads)} threads ({', '.join(threads)})"
                    + (f"; {gone} thread(s) ended in the window, their switches not counted"
                       if gone else "") + ".")
    if b.session is None:
        b.row(sec, "tray: wakeups per idle hour", f"skipped: {b.tray_skip}")
    b.note(sec, "a wakeup = one voluntary or involuntary context switch of any of the "
                "process's threads (/proc/PID/task/*/status), summed over the window "
                f"({window:.0f} s, starting {SETTLE_S:.0f} s after the first cycle's answers, "
                f"ending before the next poll at {DEFAULT_INTERVAL} s); a window with a request "
                "in it fails. The loop sleeps in slices of 15 s (to notice a clock jump), so "
                "about 4 a minute are expected.")


def _hits(b: Bench, prefix: str) -> int:
    return sum(v for k, v in b.server.stats.requests.items() if k.startswith(prefix + "/"))
