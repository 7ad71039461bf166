"""The details window as the tray sees it: one child process, raised when asked again.

``python -m trayapp.windows.details PAYLOAD`` runs the window (Tk, its own
process, so the tray never imports Tk). Its first snapshot comes in a private
payload file; afterwards it follows ``snapshot.json`` itself. A second
:meth:`DetailsWindow.open` while it runs asks it to raise (a line on its
stdin). One reader thread turns its stdout's JSON lines into log lines and
into the tray's menu actions (the xorg backend's buttons).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from trayapp.domain.text import one_line
from trayapp.edges import paths
from trayapp.edges.selfrun import module_argv
from trayapp.tray import children
from trayapp.tray.appfiles import private_dir
from trayapp.tray.menu import Act, Action

log = logging.getLogger(__name__)


class DetailsWindow:
    def __init__(self, payload: Callable[[], dict[str, Any]],
                 on_action: Callable[[Action], None],
                 died: Callable[[str], None] | None = None) -> None:
        self.payload = payload          # what the window shows first (tray state, JSON)
        self.on_action = on_action      # a button of the window that is a tray action
        self.died = died or (lambda _m: None)   # it stopped before showing (notification)
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Open the window, or raise it: from any thread (menu, notification action),
        one at a time, so two clicks never make two windows."""
        with self._lock:
            self._open()

    def _open(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            with contextlib.suppress(OSError):   # one window: raise it (it updates itself)
                proc.stdin.write(b'{"raise": true}\n')
                proc.stdin.flush()
                return
        data = json.dumps(self.payload()).encode()
        target = private_dir() / f"details-{os.getpid()}-{threading.get_ident()}.json"
        paths.write_atomic(target, data, 0o600)
        env = dict(os.environ)
        env.setdefault("NO_AT_BRIDGE", "1")
        self.proc = children.start(
            module_argv("trayapp.windows.details", str(target)), "The details window",
            paths.log_dir() / "trayapp.log", self.died,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        if self.proc is None:
            return
        threading.Thread(target=self._read, args=(self.proc,),
                         name="details-reader", daemon=True).start()

    def close(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if isinstance(msg, dict):
                self._handle(msg)
        proc.wait()

    def _handle(self, msg: dict[str, Any]) -> None:
        if "shown" in msg or "updated" in msg:
            log.info("details window shown: %s",
                     one_line(msg.get("shown") or msg.get("updated"), 120))
            log.debug("details text: %s", one_line(msg.get("text"), 4000))
            log.debug("details buttons: %s", json.dumps(msg.get("bar"))[:4000])
        elif "raised" in msg:
            log.info("details window raised")
        elif "failed" in msg:
            log.warning("details window: %s", one_line(msg.get("failed"), 300))
        elif "action" in msg:
            try:
                kind = Act(str(msg["action"]))
            except ValueError:
                return
            if kind not in (Act.DETAILS, Act.OPEN_URL):   # the window opens its own links
                self.on_action(Action(kind, str(msg.get("arg") or "")))
