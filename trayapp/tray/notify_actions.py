"""Notification actions ("Details", "Open status page") where the server offers them.

* :class:`Capabilities` asks the notification server whether it has
  ``actions`` (``GetCapabilities``, through ``gdbus`` or else ``dbus-send``:
  no shell, a timeout) and caches the answer for that server (the unique bus
  name owning ``org.freedesktop.Notifications``); a new owner or a failed call
  asks again. Without either program there are no actions, never an error.
* :class:`Waiters`: ``notify-send --action`` waits until its notification is
  closed and then prints the invoked action's name. Each such process is read
  by one small daemon thread, which dispatches only a name we gave, at most
  once. One process per service key: a replacement first ends the previous one
  with SIGTERM (SIGINT would make notify-send close the notification), so an
  action on the replaced id is never dispatched twice; at most
  :data:`MAX_WAITERS` are alive; :meth:`Waiters.close` ends them all; one that
  exits (the notification expired or was closed) is reaped by its thread.
* :func:`service_actions`: what a service's notification offers. Pure.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

from trayapp.config import Config, vendor_hosts
from trayapp.domain.links import safe_link
from trayapp.domain.model import Snapshot
from trayapp.domain.text import one_line

log = logging.getLogger(__name__)
BUS_TIMEOUT = 5                 # seconds, for each gdbus/dbus-send call
MAX_WAITERS = 16                # live notify-send processes waiting for an action
MAX_OUTPUT = 65536              # bytes read from one gdbus/dbus-send answer
SERVER = "org.freedesktop.Notifications"
DETAILS, STATUS = "default", "status"  # freedesktop: "default" is a click on the body


@dataclass(frozen=True, slots=True)
class NoteAction:
    name: str                   # the action key sent to the server (ours, never feed text)
    label: str
    run: Callable[[], object]


def service_actions(snapshot: Snapshot | None, config: Config, service_id: str,
                    details: Callable[[], object],
                    open_url: Callable[[str], object]) -> tuple[NoteAction, ...]:
    """"Details" always; "Open status page" only for a page link that passes the
    safe-link rule (:func:`trayapp.domain.links.safe_link`) against the configured feed."""
    actions = [NoteAction(DETAILS, "Details", details)]
    status = snapshot.service(service_id) if snapshot is not None else None
    svc = config.service(service_id)
    base = svc.feed.url if svc is not None and svc.feed is not None else None
    url = (safe_link(status.page_url, base, vendor_hosts())
           if status is not None and status.page_url else None)
    if url is not None:
        actions.append(NoteAction(STATUS, "Open status page", lambda: open_url(url)))
    return tuple(actions)


# ------------------------------------------------------------------ capabilities
_GVARIANT_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_DBUS_SEND_STRING = re.compile(r'^\s*string "(.*)"\s*$', re.MULTILINE)


def parse_gdbus(text: str) -> list[str] | None:
    """The strings of ``gdbus call``'s answer (``(['actions', 'body'],)``), or None."""
    text = text.strip()
    if not text.startswith("(") or not text.endswith(")"):
        return None
    return [a or b for a, b in _GVARIANT_STRING.findall(text)]


def parse_dbus_send(text: str) -> list[str] | None:
    """The strings of ``dbus-send --print-reply``'s answer, or None."""
    if not text.startswith("method return"):
        return None
    return _DBUS_SEND_STRING.findall(text)


def bus_argv(program: str, dest: str, path: str, method: str,
             arg: str | None = None) -> list[str]:
    """One session-bus method call with ``gdbus`` or ``dbus-send`` (by its file name)."""
    if os.path.basename(program).startswith("gdbus"):
        return [program, "call", "--session", "--timeout", str(BUS_TIMEOUT), "--dest", dest,
                "--object-path", path, "--method", method, *([arg] if arg else [])]
    return [program, "--session", "--print-reply", f"--reply-timeout={BUS_TIMEOUT * 1000}",
            f"--dest={dest}", path, method, *([f"string:{arg}"] if arg else [])]


class Capabilities:
    """Whether the session's notification server offers actions, asked once per server."""

    def __init__(self, search_path: str | None = None) -> None:
        self.search_path = search_path      # None: $PATH
        self._owner: str | None = None      # the server the cached answer is for
        self._actions = False

    def _program(self) -> str | None:
        return shutil.which("gdbus", path=self.search_path) or shutil.which(
            "dbus-send", path=self.search_path)

    def _call(self, program: str, dest: str, path: str, method: str,
              arg: str | None = None) -> list[str] | None:
        try:
            done = subprocess.run(bus_argv(program, dest, path, method, arg), check=False,
                                  capture_output=True, timeout=BUS_TIMEOUT + 2,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        text = done.stdout[:MAX_OUTPUT].decode("utf-8", "replace")
        gdbus = os.path.basename(program).startswith("gdbus")
        return parse_gdbus(text) if gdbus else parse_dbus_send(text)

    def _owner_now(self, program: str) -> str | None:
        found = self._call(program, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus.GetNameOwner", SERVER)
        return found[0] if found and found[0].startswith(":") else None

    def actions(self) -> bool:
        """True when the server advertises ``actions``; False when it does not, when it
        cannot be asked, or when neither gdbus nor dbus-send exists."""
        program = self._program()
        if program is None:
            return False
        owner = self._owner_now(program)
        if owner is not None and owner == self._owner:
            return self._actions
        caps = self._call(program, SERVER, "/org/freedesktop/Notifications",
                          f"{SERVER}.GetCapabilities")
        if caps is None:
            self._owner = None              # failed: ask again next time
            return False
        # the call may have started the server (D-Bus activation): cache for its owner
        self._owner = owner or self._owner_now(program)
        self._actions = "actions" in caps
        log.info("notification server %s actions", "offers" if self._actions else "has no")
        return self._actions


# ------------------------------------------------------------------ waiters
class _Waiter:
    def __init__(self, key: str, proc: subprocess.Popen[bytes], pending: bytes,
                 actions: tuple[NoteAction, ...]) -> None:
        self.key = key
        self.proc = proc
        self.pending = pending
        self.actions = {a.name: a for a in actions}
        self.cancelled = False
        self.dispatched = False
        self.thread: threading.Thread | None = None


class Waiters:
    """The notify-send processes waiting for an action, one per service key."""

    def __init__(self, cap: int = MAX_WAITERS) -> None:
        self.cap = cap
        self._lock = threading.Lock()
        self._live: dict[str, _Waiter] = {}
        self._closed = False

    def count(self) -> int:
        with self._lock:
            return sum(1 for w in self._live.values() if w.proc.poll() is None)

    def has_room(self, key: str) -> bool:
        """Whether a notification for ``key`` may wait for an action (not after close)."""
        with self._lock:
            if self._closed:
                return False
            alive = [k for k, w in self._live.items() if w.proc.poll() is None]
            return key in alive or len(alive) < self.cap

    def retire(self, key: str) -> None:
        """End the waiter for ``key`` (before its notification is replaced)."""
        with self._lock:
            waiter = self._live.pop(key, None)
            if waiter is not None:
                waiter.cancelled = True
        if waiter is not None:
            _end(waiter.proc)

    def start(self, key: str, proc: subprocess.Popen[bytes], pending: bytes,
              actions: tuple[NoteAction, ...]) -> None:
        """Wait on ``proc`` (already past its id line; ``pending``: bytes read after it)."""
        waiter = _Waiter(key, proc, pending, actions)
        waiter.thread = threading.Thread(target=self._wait, args=(waiter,),
                                         name=f"notify-wait-{key}", daemon=True)
        with self._lock:
            old = self._live.pop(key, None)
            self._live[key] = waiter
            if self._closed:
                waiter.cancelled = True
            if old is not None:
                old.cancelled = True
        if old is not None:
            _end(old.proc)
        waiter.thread.start()
        if waiter.cancelled:
            _end(proc)

    def close(self, timeout: float = 2.0) -> None:
        """End every waiter and reap it (at quit)."""
        with self._lock:
            self._closed = True
            waiters = list(self._live.values())
            self._live.clear()
            for w in waiters:
                w.cancelled = True
        for w in waiters:
            _end(w.proc)
        for w in waiters:
            if w.thread is not None:
                w.thread.join(timeout)

    def _wait(self, waiter: _Waiter) -> None:
        proc = waiter.proc
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = waiter.pending
        try:
            while True:
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    self._dispatch(waiter, raw.decode("utf-8", "replace").strip())
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    if buf:
                        self._dispatch(waiter, buf.decode("utf-8", "replace").strip())
                    break
                buf = (buf + chunk)[-MAX_OUTPUT:]
        finally:
            proc.stdout.close()
            proc.wait()                                 # reaped: no zombie
            with self._lock:
                if self._live.get(waiter.key) is waiter:
                    del self._live[waiter.key]

    def _dispatch(self, waiter: _Waiter, name: str) -> None:
        action = waiter.actions.get(name)
        if action is None:
            return                                      # only the names we gave
        with self._lock:
            if waiter.cancelled or waiter.dispatched:
                return
            waiter.dispatched = True
        log.info("notification action: %s (%s)", action.label, one_line(waiter.key, 60))
        try:
            action.run()
        except Exception as exc:
            log.warning("notification action %s failed: %s", action.label, one_line(exc, 200))


def _end(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (never SIGINT: notify-send closes its notification on SIGINT)."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(2)
    except subprocess.TimeoutExpired:
        proc.kill()
    except OSError:
        pass


def read_id(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, bytes, str]:
    """Read a waiting notify-send's output up to its id line, for at most ``timeout`` s.

    Returns (the id, the bytes read after its line, the text before it: warnings or
    the error). The id is None when the process ended first or stayed silent."""
    import selectors
    import time
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf, before = b"", list[str]()
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0 and sel.select(left):
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                text = raw.decode("utf-8", "replace").strip()
                if text.isdigit():
                    return int(text), buf, " ".join(before)
                if text and len(before) < 20:
                    before.append(text)
            if not chunk:
                break
            buf = buf[-MAX_OUTPUT:]
    tail = buf.decode("utf-8", "replace").strip()
    if tail.isdigit():
        return int(tail), b"", " ".join(before)
    return None, b"", " ".join([*before, tail] if tail else before)
