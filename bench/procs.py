"""Process sampling: start trayapp's processes and read what they cost.

- RSS is VmRSS from ``/proc/PID/status``; peak RSS is the child's own VmHWM,
  read at its exit by an atexit hook (:data:`HWM_SHIM`), not wait4's
  ru_maxrss (see :func:`peak_rss`).
- CPU time of a live process is the sum of its threads' schedstat run time
  (ns precision), falling back to utime + stime from ``/proc/PID/stat``.
- Wall time of a command is from spawning it to its exit (perf_counter).
- A child's stdout lines are stamped with the monotonic time they arrive
  (:class:`LineReader`), which is how detection latencies are read.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from bench.harness import HERE, PY, Bench, env_for, stop

T = TypeVar("T")


def proc_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def proc_cpu_s(pid: int) -> float:
    """CPU time of a live process: its threads' schedstat run time (ns precision)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LineReader:
    """A child's stdout (or ``stream``) lines, each stamped with the monotonic
    time it arrived."""

    def __init__(self, proc: subprocess.Popen[str], stream: IO[str] | None = None) -> None:
        self.q: queue.Queue[tuple[float, str]] = queue.Queue()
        out = stream or proc.stdout
        assert out is not None

        def pump() -> None:
            for line in out:
                self.q.put((time.monotonic(), line))
        threading.Thread(target=pump, daemon=True).start()

    def first(self, pred: Callable[[dict[str, Any]], bool],
              timeout: float) -> tuple[float, dict[str, Any]] | None:
        """The first JSON object line for which ``pred`` holds, and when it came."""
        def parse(line: str) -> dict[str, Any] | None:
            with contextlib.suppress(ValueError):
                data = json.loads(line)
                if isinstance(data, dict) and pred(data):
                    return data
            return None
        return self._first(parse, timeout)

    def first_match(self, pattern: re.Pattern[str],
                    timeout: float) -> tuple[float, re.Match[str]] | None:
        """The first line ``pattern`` finds something in, and when it came."""
        return self._first(pattern.search, timeout)

    def _first(self, parse: Callable[[str], T | None], timeout: float) -> tuple[float, T] | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                t, line = self.q.get(timeout=left)
            except queue.Empty:
                return None
            got = parse(line)
            if got is not None:
                return t, got


def start_watch(b: Bench, config: Path, tmp: Path,
                **extra: str) -> tuple[subprocess.Popen[str], LineReader]:
    proc = subprocess.Popen([PY, "-m", "trayapp", "watch", "--json", "--config", str(config)],
                            env=env_for(tmp, **extra), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return proc, LineReader(proc)


def start_tray(b: Bench, config: Path, tmp: Path, backend: str | None = None,
               log: Path | None = None, **more: str) -> subprocess.Popen[str] | None:
    """The tray under the virtual desktop; ``backend`` forces a pystray backend,
    ``log`` keeps its stderr."""
    if b.session is None:
        return None
    extra = {**more, "TRAYAPP_TRAY_BACKEND": backend} if backend else more
    with open(log or os.devnull, "w") as err:
        return subprocess.Popen([PY, "-m", "trayapp", "--config", str(config)],
                                env=env_for(tmp, **extra, **b.session.env), text=True,
                                stdout=subprocess.DEVNULL, stderr=err,
                                stdin=subprocess.DEVNULL)


def floor_rss(code: str, env: dict[str, str]) -> int:
    """VmRSS of ``python -c code`` once it has done its imports (kB)."""
    kb = settled_rss([PY, "-c", code + "\nimport time\nprint('ready', flush=True)\n"
                      "time.sleep(600)"], env, 0.3)
    return kb or 0


HWM_SHIM = ("import atexit, sys\n"
            "def _bench_hwm():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            sys.stderr.write('bench-hwm ' + line.split()[1] + '\\n')\n"
            "atexit.register(_bench_hwm)\n")


def peak_rss(code: str, env: dict[str, str]) -> tuple[int, int]:
    """(peak RSS kB, exit code) of ``python -c code``: its VmHWM, read at exit.

    Not ``ru_maxrss`` from wait4: CPython starts children with vfork, and Linux
    folds the parent's peak (this benchmark's, server included) into the
    child's at exec, so every child looked as big as the benchmark.
    """
    run = subprocess.run([PY, "-c", HWM_SHIM + code], env=env, text=True, timeout=300,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, check=False)
    kb = [int(line.split()[1]) for line in run.stderr.splitlines()
          if line.startswith("bench-hwm ")]
    return (kb[-1] if kb else 0), run.returncode


def run_timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall seconds from spawning ``argv`` to its exit."""
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, timeout=300, check=False)
    return time.perf_counter() - t0


def as_module(module: str, *args: str) -> str:
    """``python -m module args`` as code for ``python -c`` (for :func:`peak_rss`)."""
    return (f"import runpy, sys\nsys.argv = {[module, *args]!r}\n"
            f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n")


def settled_rss(argv: list[str], env: dict[str, str], settle: float) -> int | None:
    """VmRSS of a long-running process ``settle`` s after it prints its first line."""
    proc = subprocess.Popen(argv, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        out = proc.stdout
        threading.Thread(target=lambda: lines.put(out.readline()), daemon=True).start()
        try:
            lines.get(timeout=30)
        except queue.Empty:
            return None
        time.sleep(settle)
        return proc_rss_kb(proc.pid) if proc.poll() is None else None
    finally:
        stop(proc)


def cycle_worker(b: Bench, config: Path, cycles: int) -> dict[str, Any]:
    out = subprocess.run([PY, str(HERE / "cycle.py"), str(config), str(cycles)],
                         env=env_for(b.tmp / "cycle"), capture_output=True, text=True,
                         timeout=300, check=True)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data
