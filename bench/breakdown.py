"""2b. Memory breakdown: what each process's MB above its import floor are.

Method: `watch` (after polling every second for 120 s, 10 s in --quick),
`status` (at its exit) and the tray on each backend (after the same polling)
run with the configuration of the footprint section (history, two hooks and a
model probe on: :mod:`bench.featured`), under ``python -X importtime``
and with a small reporter (:data:`SHIM`): a thread blocked on opening a FIFO
(it never wakes by itself) that, when the benchmark opens the FIFO (or at exit),
writes the process's RSS (anonymous and file-backed), its modules, its Python
threads and where each one waits, its native threads, SQLite's own allocator
(``sqlite3_memory_used``: page caches and statements), the C heap (glibc's
mallinfo2) and the Python objects. Then, in a fresh process, the floor is
imported and then every module the process had, in the order their imports
finished (importtime's order: a module after what it imports), reading RSS
after each: what each group of modules adds (RSS, so C libraries count too).
The rest = RSS - floor - those imports: heap, connections, threads' stacks.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.featured import ENV as FEATURED_ENV
from bench.featured import featured_config, featured_standins
from bench.harness import PY, Bench, env_for, fmt_mb, stop, wait_for
from bench.payloads import TERMINAL_FLOOR, TRAY_FLOOR
from bench.procs import as_module, floor_rss

SHIM = r'''
import atexit as _a, os as _o, sys as _s, threading as _t
def _bench_report():
    path = _o.environ["TRAYAPP_BENCH_REPORT"]
    if _o.path.exists(path):
        return
    mods = list(_s.modules)
    st = {l.split(":")[0]: int(l.split()[1]) for l in open("/proc/self/status")
          if l.startswith(("VmRSS", "VmHWM", "RssAnon", "RssFile"))}
    import collections, ctypes, gc, traceback
    frames = _s._current_frames()
    threads = []
    for th in _t.enumerate():
        if th.name == "bench-report":
            continue
        f = frames.get(th.ident)
        stack = traceback.extract_stack(f)[-3:] if f is not None else []
        threads.append(th.name + ": " + " < ".join(
            _o.path.basename(x.filename) + ":" + x.name for x in reversed(stack)))
    tasks = []
    for t in _o.listdir("/proc/self/task"):
        try:
            tasks.append(open("/proc/self/task/" + t + "/comm").read().strip())
        except OSError:
            pass
    sqlite = None
    lib = next((l.split()[-1] for l in open("/proc/self/maps") if "libsqlite3" in l), None)
    if "_sqlite3" in _s.modules and lib:
        so = ctypes.CDLL(lib)
        so.sqlite3_memory_used.restype = so.sqlite3_memory_highwater.restype = ctypes.c_int64
        sqlite = [so.sqlite3_memory_used(), so.sqlite3_memory_highwater(0)]
    class MI(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                    "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MI
    mi = libc.mallinfo2()
    types = collections.Counter(type(o).__name__ for o in gc.get_objects())
    out = dict(status=st, modules=mods, threads=threads, tasks=sorted(tasks),
               sqlite=sqlite, malloc=[mi.uordblks + mi.hblkhd, mi.fordblks],
               blocks=_s.getallocatedblocks(), objects=sum(types.values()),
               types=types.most_common(6))
    with open(path + ".tmp", "w") as fh:
        fh.write(__import__("json").dumps(out))
    _o.replace(path + ".tmp", path)
def _bench_wait():
    with open(_o.environ["TRAYAPP_BENCH_REPORT"] + ".go") as fh:
        fh.read()
    _bench_report()
_o.mkfifo(_o.environ["TRAYAPP_BENCH_REPORT"] + ".go")
_t.Thread(target=_bench_wait, name="bench-report", daemon=True).start()
_a.register(_bench_report)
'''

COST = r'''
import json, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4
exec(sys.argv[1])
base = prev = rss()
added = []
for name in json.load(open(sys.argv[2])):
    if name in sys.modules:
        continue
    try:
        __import__(name)
    except BaseException:
        continue
    now = rss()
    added.append([name, now - prev])
    prev = now
print(json.dumps({"floor": base, "added": added}))
'''
SKIP = ("__main__", "trayapp.__main__", "runpy", "_bench")


def group(module: str) -> str:
    """``trayapp.core.monitor`` -> ``trayapp.core``; ``_sqlite3`` -> ``sqlite3``."""
    parts = module.split(".")
    top = parts[0].lstrip("_")
    return ".".join(parts[:2]) if top == "trayapp" and len(parts) > 1 else top


def _post_order(stderr: str) -> list[str]:
    """Modules in the order their imports finished, from ``-X importtime``'s lines."""
    return [line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2
            and not line.rstrip().endswith("package")]


def _launch(b: Bench, name: str, code: str, env: dict[str, str]) -> tuple[
        subprocess.Popen[str], Path, Path]:
    report = b.tmp / f"bd-{name}.json"
    err = b.tmp / f"bd-{name}.err"
    with open(err, "w") as fh:
        proc = subprocess.Popen([PY, "-X", "importtime", "-c", SHIM + code],
                                env={**env, "TRAYAPP_BENCH_REPORT": str(report)}, text=True,
                                stdout=subprocess.DEVNULL, stderr=fh, stdin=subprocess.DEVNULL)
    return proc, report, err


def _ask(proc: subprocess.Popen[str], report: Path) -> None:
    """Open the FIFO: the reporter thread wakes and writes the report."""
    fd = os.open(str(report) + ".go", os.O_WRONLY | os.O_NONBLOCK)
    os.close(fd)
    wait_for(lambda: report.exists() or proc.poll() is not None, 60, 0.1)


def run(b: Bench) -> None:
    print("2b. memory breakdown", flush=True)
    s = b.server
    polls_s = 10.0 if b.quick else 120.0
    backends: list[str] = []
    if b.session is not None and b.tray_skip is None:
        from bench.footprint import pystray_default
        backends = list(dict.fromkeys(["xorg", pystray_default(
            env_for(b.tmp / "which-bd", **b.session.env))]))
    featured_standins(s, "/bd")
    cfg = str(featured_config(b.tmp / "bd.toml", s, "/bd", 1))
    runs = {"watch": (as_module("trayapp", "watch", "--json", "--config", cfg),
                      env_for(b.tmp / "bd-watch", **FEATURED_ENV), TERMINAL_FLOOR)}
    for name in backends:
        assert b.session is not None
        runs[f"tray ({name})"] = (as_module("trayapp", "--config", cfg), env_for(
            b.tmp / f"bd-tray-{name}", TRAYAPP_TRAY_BACKEND=name, PYSTRAY_BACKEND=name,
            **b.session.env, **FEATURED_ENV), TRAY_FLOOR)
    started = {n: _launch(b, n.split()[-1].strip("()"), code, env)
               for n, (code, env, _) in runs.items()}
    status = _launch(b, "status", as_module("trayapp", "status", "--config", cfg),
                     env_for(b.tmp / "bd-status", **FEATURED_ENV))
    try:
        status[0].wait(120)
        time.sleep(polls_s)
        for proc, report, _ in started.values():
            if proc.poll() is None:
                _ask(proc, report)
    finally:
        for proc, _, _ in [*started.values(), status]:
            stop(proc)
    started["status"] = status
    runs["status"] = ("", env_for(b.tmp / "bd-status"), TERMINAL_FLOOR)
    for name, (_proc, report, err) in started.items():
        _describe(b, name, report, err.read_text(errors="replace"), runs[name][1],
                  runs[name][2], polls_s)


def _describe(b: Bench, name: str, report: Path, stderr: str, env: dict[str, str],
              floor_code: str, polls_s: float) -> None:
    sec = "2b. Memory breakdown"
    if not report.exists():
        b.row(sec, f"{name}: RSS", "skipped: it wrote no report")
        return
    rep: dict[str, Any] = json.loads(report.read_text())
    had = set(rep["modules"])       # not what the reporter itself imported
    order = [m for m in _post_order(stderr) if m in had and not m.startswith(SKIP)]
    listing = report.with_suffix(".modules")
    listing.write_text(json.dumps(order))
    cost = subprocess.run([PY, "-c", COST, floor_code, str(listing)], env=env, text=True,
                          capture_output=True, timeout=300, check=False)
    costs: dict[str, Any] = json.loads(cost.stdout) if cost.returncode == 0 else {
        "floor": 0, "added": []}
    by_group: Counter[str] = Counter()
    for module, kb in costs["added"]:
        by_group[group(module)] += kb
    imports = sum(by_group.values())
    floor = floor_rss(floor_code, env)
    key = "VmHWM" if name == "status" else "VmRSS"
    rss = rep["status"].get(key, 0)
    when = "peak, whole run" if name == "status" else f"after {polls_s:.0f} s of polls every 1 s"
    b.row(sec, f"{name}: RSS ({when})", fmt_mb(rss), "info", rss / floor if floor else None)
    b.row(sec, f"{name}: its import floor (`{floor_code}`)", fmt_mb(floor))
    b.row(sec, f"{name}: modules beyond the floor ({len(costs['added'])}), imported on it",
          fmt_mb(imports), "info")
    b.row(sec, f"{name}: the rest (heap, SQLite, connections, stacks)",
          fmt_mb(rss - floor - imports), "info")
    top = ", ".join(f"{g} {kb / 1024:.2f}" for g, kb in by_group.most_common(10) if kb > 0)
    sqlite = rep.get("sqlite")
    b.note(sec, f"{name}: RSS {fmt_mb(rss)} ({fmt_mb(rep['status'].get('RssAnon', 0))} "
                f"anonymous, {fmt_mb(rep['status'].get('RssFile', 0))} file-backed: code "
                f"and libraries). Imports beyond the floor by group (MB): {top}. Threads: "
                + "; ".join(rep["threads"]) + f". Native threads: {', '.join(rep['tasks'])}. "
                + ("SQLite's allocator: " + fmt_mb(sqlite[0] / 1024) + " in use (peak "
                   + fmt_mb(sqlite[1] / 1024) + "). " if sqlite else "SQLite not loaded. ")
                + f"C heap (malloc): {fmt_mb(rep['malloc'][0] / 1024)} in use, "
                f"{fmt_mb(rep['malloc'][1] / 1024)} free in its arenas; Python: "
                f"{rep['blocks']} allocated blocks, {rep['objects']} objects tracked by the GC "
                f"(most: {', '.join(f'{t} {n}' for t, n in rep['types'])}).")
