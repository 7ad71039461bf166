"""The details window on its own X server, for its desktop tests (no tests here).

* :func:`xvfb`: a bare Xvfb at a given dpi (``-dpi``), no panel needed;
* :func:`outage_snapshot`: a realistic snapshot as the tray writes it (Claude
  in a major outage with a three-update incident, a Markdown link, an
  overloaded probe; ChatGPT and Ollama up as fallbacks);
* :class:`Window`: ``python -m trayapp.windows.details`` started the way the tray
  starts it (payload file, stdin and stdout pipes), its JSON lines read.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.desktop.session import links_go_to_browser_variable
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import ProbeResult, Update

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


def missing() -> list[str]:
    return [p for p in ("Xvfb", "xdotool", "xdpyinfo") if shutil.which(p) is None]


@contextmanager
def xvfb(dpi: int, size: str = "1600x1200x24") -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size,
                             "-dpi", str(dpi), "-nolisten", "tcp", "-noreset"],
                            pass_fds=(write_fd,), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            raise RuntimeError("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def outage_snapshot(now: datetime) -> dict[str, Any]:
    from tests.test_tray_builders import claude, fallbacks, incident, snapshot
    start = now - timedelta(minutes=38)
    inc = incident("Elevated errors on Claude Opus", level=Level.PARTIAL_OUTAGE, at=start,
                   url="https://status.example.com/incidents/abc")
    from dataclasses import replace
    inc = replace(inc, updates=(
        Update("monitoring", "A fix is rolling out; see [the post-mortem draft]"
               "(https://status.example.com/pm) for details.", start + timedelta(minutes=30)),
        Update("identified", "Fix in progress.", start + timedelta(minutes=12)),
        Update("investigating", "We are investigating.", start)))
    probe = ProbeResult(Level.DEGRADED, "API overloaded (HTTP 529)", status_code=529,
                        latency_ms=84)
    from trayapp.domain.past import Eta, Figures
    usual = Eta(Figures(Level.PARTIAL_OUTAGE, 45, 20, 95, 31, 50, "page"), start,
                start + timedelta(minutes=45), 38)      # the line under the level
    snap = snapshot(replace(claude(Level.MAJOR_OUTAGE, inc, probe=probe,
                                   summary="Elevated errors on Claude Opus"), eta=usual),
                    *fallbacks(), at=now)
    return json.loads(json.dumps(snapshot_json(snap)))


ACTIONS = [{"text": t, "kind": k, "arg": ""} for t, k in (
    ("Check now", "check_now"), ("For 1 hour", "pause_hour"),
    ("Until tomorrow", "pause_tomorrow"), ("Start at login", "autostart"),
    ("Preferences\u2026", "preferences"), ("Open config file", "open_config"),
    ("Open log", "open_log"), ("About", "about"),
    ("Quit", "quit"))]


class Window:
    def __init__(self, display: str, tmp: Path, snap: dict[str, Any],
                 actions: list[dict[str, str]] | None = None, banner: str | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        self.tmp = tmp
        self.display = display
        self.snap_file = tmp / "snapshot.json"
        self.snap_file.write_text(json.dumps(snap))
        payload = {"snapshot": snap, "actions": ACTIONS if actions is None else actions,
                   "banner": banner, "config": str(tmp / "config.toml"),
                   "snapshot_file": str(self.snap_file),
                   "policy_file": str(tmp / "notify-state.json")}
        target = tmp / "payload.json"
        target.write_text(json.dumps(payload))
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env.update(DISPLAY=display, NO_AT_BRIDGE="1", HOME=str(tmp / "home"),
                   XDG_STATE_HOME=str(tmp / "state"), XDG_CONFIG_HOME=str(tmp / "config"),
                   XDG_DATA_HOME=str(tmp / "data"), PYTHONPATH=str(ROOT))
        links_go_to_browser_variable(tmp / "data", tmp / "config")
        env.update(extra_env or {})
        self.proc = subprocess.Popen([sys.executable, "-m", "trayapp.windows.details", str(target)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(tmp / "details.err", "wb"),  # noqa: SIM115
                                     env=env, cwd=tmp)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                self.lines.put(json.loads(raw))
            except ValueError:
                continue

    def next(self, key: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next JSON line from the window that has ``key``."""
        seen = []
        while True:
            try:
                msg = self.lines.get(timeout=timeout)
            except queue.Empty:
                err = (self.tmp / "details.err").read_text(errors="replace")[-2000:]
                raise AssertionError(f"no {key!r} line from the window in {timeout} s; "
                                     f"seen {seen}; exit {self.proc.poll()}; "
                                     f"stderr: {err}") from None
            if key in msg:
                return msg
            seen.append({k: str(v)[:80] for k, v in msg.items()})

    def write_snapshot(self, snap: dict[str, Any]) -> None:
        """As the tray's Runner does: atomically."""
        part = self.snap_file.with_suffix(".part")
        part.write_text(json.dumps(snap))
        os.replace(part, self.snap_file)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def xdotool(self, *args: str) -> str:
        env = dict(os.environ, DISPLAY=self.display)
        return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False).stdout

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
