"""Running the real `trayapp` command against a loopback server."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.loopback import LoopbackServer


def isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    """An environment whose home, config, state and log dirs are all under ``tmp``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRAYAPP_", "XDG_")) and k not in ("DISPLAY",)}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_STATE_HOME=str(tmp / "state"), XDG_CACHE_HOME=str(tmp / "cache"),
               XDG_RUNTIME_DIR=str(tmp / "run"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def write_config(tmp: Path, server: LoopbackServer, *, feed: str | None = "statuspage",
                 feed_path: str = "", probe: str | None = "/v1/models",
                 components: list[str] | None = None, connectivity: str = "/generate_204",
                 top: str = "", service_extra: str = "", more: str = "") -> Path:
    lines = [f'connectivity_url = "{server.url(connectivity)}"', "timeout = 2",
             "connect_timeout = 1", top, "[[services]]", 'id = "claude"', 'name = "Claude"']
    if feed:
        lines.append(f'feed = {{ kind = "{feed}", url = "{server.base}{feed_path}" }}')
    if probe:
        lines.append(f'probe = {{ url = "{server.url(probe)}" }}')
    if components is not None:
        lines.append("components = " + json.dumps(components))
    lines += [service_extra, more]
    path = tmp / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def trayapp(*args: str, env: dict[str, str],
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trayapp", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


def status_json(config: Path, env: dict[str, str], *extra: str) -> tuple[int, dict[str, Any], str]:
    done = trayapp("status", "--json", "--config", str(config), *extra, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


class Watcher:
    """`trayapp watch` in the background, its stdout lines collected as they come."""

    def __init__(self, config: Path, env: dict[str, str], *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "watch", "--config", str(config), *extra],
            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        out = self.proc.stdout
        threading.Thread(target=lambda: [self.lines.put(line) for line in out],
                         daemon=True).start()

    def next_line(self, timeout: float = 20) -> str:
        line = self.lines.get(timeout=timeout)
        self.seen.append(line)
        return line

    def next_json(self, timeout: float = 20) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.next_line(timeout))
        return data

    def stop(self) -> tuple[int, str]:
        # SIGTERM, not SIGINT: a test run started from a job that ignores SIGINT
        # (a background job of a non-interactive shell) hands that on to watch.
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return code, err
