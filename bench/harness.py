"""The benchmark's shared state: the results table (:class:`Row`), the run
(:class:`Bench`: server, work dir, rows, notes, virtual desktop), the child
environment and the small formatting and waiting helpers every section uses.

Every trayapp process the benchmark starts gets an environment of its own
(:func:`env_for`: HOME and every XDG directory under the run's temporary
directory, no API keys, no DISPLAY unless a section adds the virtual one), so
no measurement reads or writes the user's config or state.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import desktop
from bench.server import BenchServer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
SIDE_SECTION = "6. Side by side"


@dataclass
class Row:
    section: str
    name: str
    value: str
    target: str = "-"
    ratio: float | None = None
    ok: bool | None = None            # None: informational, or skipped

    @property
    def verdict(self) -> str:
        if self.value.startswith("skipped"):
            return "SKIP"
        return "-" if self.ok is None else ("PASS" if self.ok else "FAIL")


@dataclass
class Side:
    """One row of the side-by-side table: trayapp's figure, the peer's, and how."""
    name: str
    ours: str
    theirs: str
    ratio: float | None
    method: str

    @property
    def skipped(self) -> bool:
        return self.theirs.startswith("skipped") or self.ours.startswith("skipped")


@dataclass
class Bench:
    quick: bool
    server: BenchServer
    tmp: Path
    rows: list[Row] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    session: desktop.Session | None = None
    tray_skip: str | None = None
    sides: list[Side] = field(default_factory=list)

    def side(self, name: str, ours: str, theirs: str, ratio: float | None,
             method: str) -> None:
        self.sides.append(Side(name, ours, theirs, ratio, method))
        print(f"  {name}: trayapp {ours} | peer {theirs}", flush=True)

    def row(self, *args: Any, **kw: Any) -> None:
        row = Row(*args, **kw)
        self.rows.append(row)
        print(f"  {row.name}: {row.value}  [{row.target}] {row.verdict}", flush=True)

    def note(self, section: str, text: str) -> None:
        self.notes.setdefault(section, []).append(text)


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    """An environment with every trayapp directory under ``tmp`` and no API keys."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRAYAPP_", "XDG_")) and not k.endswith("_API_KEY")
           and k != "DISPLAY"}
    for d in ("home", "config", "state", "cache", "run"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    (tmp / "run").chmod(0o700)   # else platformdirs falls back to one shared runtime dir
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_STATE_HOME=str(tmp / "state"), XDG_CACHE_HOME=str(tmp / "cache"),
               XDG_RUNTIME_DIR=str(tmp / "run"), PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


stop = desktop.stop_process


def compile_bytecode() -> bool:
    """Compile trayapp's modules to ``__pycache__`` (ignored by git) first, as pip and pipx
    do when they install it, so every process measured loads bytecode as a user's does and
    as the floors' packages (installed by pip) do: with PYTHONDONTWRITEBYTECODE set and
    no ``__pycache__``, each process compiled every trayapp module from source at start,
    which cost start-up time and left the compiler's garbage in its heap (1.6 MB of
    `status`'s peak)."""
    import compileall
    return bool(compileall.compile_dir(ROOT / "trayapp", quiet=1))


def median(xs: list[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.1f} ms"


def fmt_mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def wait_for(pred: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()
