"""5. Start-up: launch to a complete `trayapp status`.

Method: wall time from spawning the process to its exit, median of 9 (3 in
--quick), interleaved with the floors `python -c pass` and the terminal
import floor; `status` polls the default services' stand-ins once. No target
for the live run: the ratios are for comparing runs.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.harness import PY, Bench, env_for, fmt_s, median
from bench.payloads import (
    TERMINAL_FLOOR,
    default_config,
    default_standins,
    emoji_page,
    many_incidents_page,
)
from bench.procs import run_timed


def run(b: Bench) -> None:
    print("5. start-up", flush=True)
    sec = "5. Start-up"
    runs = 3 if b.quick else 9
    cfg = default_config(b.tmp / "startup.toml", b.server, "/w", 60)
    env = env_for(b.tmp / "startup")
    t_status, t_pass, t_floor = [], [], []
    for _ in range(runs):
        t_pass.append(run_timed([PY, "-c", "pass"], env))
        t_floor.append(run_timed([PY, "-c", TERMINAL_FLOOR], env))
        t_status.append(run_timed([PY, "-m", "trayapp", "status", "--config", str(cfg)], env))
    ms, mp, mf = median(t_status), median(t_pass), median(t_floor)
    b.row(sec, "`trayapp status`, launch to complete status (loopback)", fmt_s(ms),
          "info", ms / mp)
    b.row(sec, "floor: `python -c pass`", fmt_s(mp))
    b.row(sec, "`trayapp status` against the import floor", fmt_s(ms), "info", ms / mf)
    b.row(sec, f"floor: `python -c \"{TERMINAL_FLOOR}\"`", fmt_s(mf))
    b.note(sec, f"wall time from spawning the process to its exit, median of {runs}; the "
                "three commands interleaved. `status` polls the default services' "
                "stand-ins once and prints the table. The issue sets no target here: the "
                "ratios are reported so a change can be compared with the run before it.")
    cached(b, sec, runs)
    reported(b, sec, runs)


def reported(b: Bench, sec: str, runs: int) -> None:
    """`trayapp report claude --outcome overloaded` (what a hook runs after a failed turn)
    against `python -c pass`, with the default pages' snapshot in place (the service
    name is checked against it) and the reports file growing past its bound."""
    env = env_for(b.tmp / "startup-cached-c0")
    argv = [PY, "-m", "trayapp", "report", "claude", "--outcome", "overloaded", "--model",
            "claude-opus-4-1", "--detail", "529 Overloaded"]
    t_pass, t_report = [], []
    for _ in range(runs):
        t_pass.append(run_timed([PY, "-c", "pass"], env))
        t_report.append(run_timed(argv, env))
    mp, mr = median(t_pass), median(t_report)
    code = subprocess.run(argv, env=env, timeout=60, capture_output=True, check=False,
                          stdin=subprocess.DEVNULL).returncode
    b.row(sec, "`trayapp report claude --outcome overloaded`, launch to exit", fmt_s(mr),
          "<= 2x `python -c pass`", mr / mp, mr <= 2 * mp and code == 0)
    b.row(sec, "floor: `python -c pass` (interleaved with the report runs)", fmt_s(mp))
    b.note(sec, f"report: median of {runs}, interleaved with `python -c pass`, in the "
                f"cached runs' state dir (its snapshot checks the name); exit {code}.")


PAGES: tuple[tuple[str, Callable[[], bytes] | None], ...] = (
    ("", None), (", a 10,000-incident page", many_incidents_page),
    (", a 4 MB emoji page", emoji_page))


def cached(b: Bench, sec: str, runs: int) -> None:
    """`status --cached` and `pick SERVICE --cached` against `python -c pass`: with the
    default pages, then with Claude's page listing 10,000 incidents, then 4 MB of emoji
    (the snapshot's budget and its head keep the prompt at one interpreter start)."""
    env = env_for(b.tmp / "startup-cached")
    probe = subprocess.run([PY, "-m", "trayapp", "pick", "--help"], env=env, timeout=60,
                           capture_output=True, check=False, stdin=subprocess.DEVNULL)
    for i, (what, page) in enumerate(PAGES):
        names = (f"`trayapp status --cached`, launch to exit{what}",
                 f"`trayapp pick claude --cached`, launch to exit{what}")
        if probe.returncode != 0:
            for name in names:
                b.row(sec, name, f"skipped: not built yet (`trayapp pick --help` exits "
                                 f"{probe.returncode})")
            continue
        _cached_rows(b, sec, runs, what, f"/c{i}", page)


def _cached_rows(b: Bench, sec: str, runs: int, what: str, prefix: str,
                 page: Callable[[], bytes] | None) -> None:
    names = (f"`trayapp status --cached`, launch to exit{what}",
             f"`trayapp pick claude --cached`, launch to exit{what}")
    env = env_for(b.tmp / f"startup-cached{prefix.replace('/', '-')}")
    default_standins(b.server, prefix)
    if page is not None:
        b.server.set(f"{prefix}/claude/api/v2/summary.json", page())
    cfg = str(default_config(b.tmp / f"startup-cached{prefix[1:]}.toml", b.server, prefix, 60))
    live = subprocess.run([PY, "-m", "trayapp", "status", "--config", cfg], env=env,
                          timeout=120, capture_output=True, check=False,
                          stdin=subprocess.DEVNULL)
    snapshot = Path(env["XDG_STATE_HOME"]) / "trayapp" / "snapshot.json"
    size = snapshot.stat().st_size if snapshot.exists() else 0
    argvs = ([PY, "-m", "trayapp", "status", "--cached", "--config", cfg],
             [PY, "-m", "trayapp", "pick", "claude", "--cached", "--config", cfg])
    times: list[list[float]] = [[], [], []]
    for _ in range(runs):
        times[0].append(run_timed([PY, "-c", "pass"], env))
        for i, argv in enumerate(argvs, 1):
            times[i].append(run_timed(argv, env))
    mp = median(times[0])
    codes = []
    for name, argv, ts in zip(names, argvs, times[1:], strict=True):
        m = median(ts)
        codes.append(subprocess.run(argv, env=env, timeout=60, capture_output=True,
                                    check=False, stdin=subprocess.DEVNULL).returncode)
        b.row(sec, name, fmt_s(m), "<= 2x `python -c pass`", m / mp, m <= 2 * mp)
    b.row(sec, f"floor: `python -c pass` (interleaved with the cached runs{what})", fmt_s(mp))
    b.note(sec, f"cached{what}: `trayapp status` ran once first (exit "
                f"{live.returncode}) to write the snapshot cache ({size / 1e6:.2f} MB); then "
                f"each command median of {runs}, interleaved with `python -c pass`, same "
                "config, state and cache dirs as that live run; their exit codes: "
                f"{codes[0]} and {codes[1]}.")
