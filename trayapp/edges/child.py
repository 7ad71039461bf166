"""A hook's command as a bounded child process: flat memory, and nothing left behind.

* **Output**: the first :data:`OUTPUT_BYTES` are kept (more than the log shows);
  the rest is read and dropped as it comes, so a command that writes without
  end (``yes``) neither grows trayapp's memory nor blocks on a full pipe.
  The event goes to its stdin the same way, never blocking (a command that
  does not read it simply does not get it).
* **Its own process group** (POSIX: a new session, so also no controlling
  terminal). When the command ends, times out, or trayapp exits, the whole group
  is killed with SIGKILL: whatever the command started in the background ends
  with it. The command itself is reaped only after its group has been
  signalled (``waitid(WNOWAIT)``), so the group's id cannot have been reused
  by then. A child that starts its own session (``setsid``, a daemon's double
  fork) leaves the group: it is no longer the hook's, and is not killed.
* Windows has no process groups of this kind: the command itself is killed.
"""

from __future__ import annotations

import atexit
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

OUTPUT_BYTES = 8 * 1024        # output kept, from the start (the log shows 20 lines of it)
CHUNK = 64 * 1024              # one read or write on a pipe
TICK = 0.1                     # while the command is silent, how often its end is looked for
AFTER_END = 0.5                # output still arriving after the command ended: read this long
POSIX = os.name == "posix"

_running: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Finished:
    """How a command ended: its status (None: killed at its timeout) and output."""

    returncode: int | None
    output: bytes               # the first OUTPUT_BYTES it wrote (stdout and stderr)
    dropped: int                # bytes it wrote past those, read and thrown away


def start(argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``argv`` (no shell) in its own process group, pipes on all three streams."""
    proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, start_new_session=POSIX)
    with _lock:
        _running.add(proc)
    return proc


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the command and its process group (Windows: the command)."""
    try:
        if POSIX and sys.platform != "win32":      # the platform test narrows mypy's
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass


def kill_all() -> None:
    """Every command still running, with its group (at exit)."""
    with _lock:
        procs = list(_running)
    for proc in procs:
        kill(proc)


atexit.register(kill_all)


def run(proc: subprocess.Popen[bytes], payload: bytes, timeout: float) -> Finished:
    """Give ``payload`` to a started command, keep the head of its output, and end it:
    by its own exit (then its group is killed), or killed with its group at ``timeout``.
    Always reaps it."""
    kept = bytearray()
    dropped = 0

    def take(chunk: bytes) -> None:
        nonlocal dropped
        room = max(0, OUTPUT_BYTES - len(kept))
        kept.extend(chunk[:room])
        dropped += len(chunk) - min(room, len(chunk))

    try:
        exchange = _exchange if POSIX else _exchange_threads
        ended = exchange(proc, payload, time.monotonic() + timeout, take)
        kill(proc)                      # whatever it left in its group (or all of it)
        try:
            proc.wait(None if ended else 5)
        except subprocess.TimeoutExpired:  # unkillable for now (uninterruptible I/O)
            pass
    finally:
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        with _lock:
            _running.discard(proc)
    return Finished(proc.returncode if ended else None, bytes(kept), dropped)


def _ended(proc: subprocess.Popen[bytes]) -> bool:
    """Has the command exited? Without reaping it where the system allows, so that its
    process group id stays ours until :func:`kill` has used it."""
    wnowait = getattr(os, "WNOWAIT", None)
    if sys.platform == "win32" or wnowait is None or not hasattr(os, "waitid"):
        return proc.poll() is not None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | wnowait) is not None
    except ChildProcessError:           # already reaped
        return True


def _exchange(proc: subprocess.Popen[bytes], payload: bytes, deadline: float,
              take: Callable[[bytes], None]) -> bool:
    """POSIX: stdin and stdout through one selector, without blocking. True if the
    command ended by itself before ``deadline``."""
    if sys.platform == "win32":         # never called there (also narrows mypy's check)
        raise OSError("POSIX only")
    assert proc.stdin is not None and proc.stdout is not None
    out, inp = proc.stdout.fileno(), proc.stdin.fileno()
    pending = memoryview(payload)
    with selectors.DefaultSelector() as sel:
        os.set_blocking(out, False)
        sel.register(out, selectors.EVENT_READ)
        if pending:
            os.set_blocking(inp, False)
            sel.register(inp, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        ended_at: float | None = None
        while True:
            now = time.monotonic()
            if ended_at is None and _ended(proc):
                ended_at = now
                kill(proc)              # its group: what holds the pipe open ends too
            if ended_at is not None and (out not in sel.get_map() or now - ended_at > AFTER_END):
                return True
            if now >= deadline:
                return False
            wait = min(TICK, deadline - now)
            if not sel.get_map():
                time.sleep(wait)
                continue
            for key, _ in sel.select(wait):
                if key.fd == out:
                    try:
                        chunk = os.read(out, CHUNK)
                    except BlockingIOError:
                        continue
                    except OSError:
                        chunk = b""
                    if chunk:
                        take(chunk)
                    else:
                        sel.unregister(out)
                    continue
                try:
                    pending = pending[os.write(inp, pending[:CHUNK]):]
                except BlockingIOError:
                    continue
                except OSError:         # it closed its stdin: it does not want the event
                    pending = pending[:0]
                if not pending:
                    sel.unregister(inp)
                    proc.stdin.close()


def _exchange_threads(proc: subprocess.Popen[bytes], payload: bytes, deadline: float,
                      take: Callable[[bytes], None]) -> bool:
    """Windows (no select on pipes): a thread writes, one reads; both end with the pipes."""
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def write() -> None:
        try:
            stdin.write(payload)
            stdin.close()
        except OSError:
            pass

    def read() -> None:
        try:
            while chunk := os.read(stdout.fileno(), CHUNK):
                take(chunk)
        except (OSError, ValueError):
            pass

    threads = [threading.Thread(target=f, daemon=True, name="hook pipe") for f in (write, read)]
    for t in threads:
        t.start()
    try:
        proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return False
    threads[1].join(AFTER_END)
    return True
