"""The reports of real requests (``trayapp report``, hooks, agents): one file, one edge.

``reports.jsonl`` in the state dir, one JSON object a line (``{"at": 1765000000.0,
"service": "claude", "outcome": "overloaded", "model": ..., "detail": ...}``),
appended under an exclusive lock (``flock``; ``msvcrt.locking`` on Windows, unverified
there) and bounded: past :data:`MAX_BYTES` it is compacted, under the same lock, to its
newest half, so a torrent of reports never grows it. Never the network.

:func:`record` is the hot path of a hook (it runs after every failed turn of a coding
tool): it imports only ``os``, ``json`` and :mod:`trayapp.edges.safefile`; the text it
gets is cleaned by the caller's rules here (:func:`trayapp.domain.text.one_line`:
one line, bounded, invisible characters stripped). :func:`read_recent` is for the loop.
"""

from __future__ import annotations

import json
import os
import sys

from trayapp.domain.reported import DETAIL_CHARS, MODEL_CHARS, OUTCOMES, SERVICE_CHARS
from trayapp.edges import safefile

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket

    from trayapp.core.reports import Report

FILE_NAME = "reports.jsonl"
MAX_BYTES = 64 * 1024       # about 500 reports; compacted to the newest half past this
LINE_CHARS = 600            # one line's cap (the fields' caps, with room for the keys)


def default_path() -> str:
    """``reports.jsonl`` in the state dir (worked out as :mod:`trayapp.edges.snapcache`
    does: from the environment, platformdirs only when that directory is missing)."""
    from trayapp.edges.snapcache import guess_state_dir
    guess = guess_state_dir()
    if os.path.isdir(guess):
        return os.path.join(guess, FILE_NAME)
    from trayapp.edges.paths import state_dir
    return str(state_dir() / FILE_NAME)


def _lock(fd: int) -> None:
    """An exclusive lock on the open file, released when it is closed."""
    if sys.platform == "win32":                 # unverified on real Windows hardware
        import msvcrt
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
    else:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX)


def _compact(fd: int) -> None:
    """Keep the newest whole lines within half of :data:`MAX_BYTES` (under the lock)."""
    os.lseek(fd, 0, os.SEEK_SET)
    data = safefile.read_fd(fd, "reports", MAX_BYTES * 4)
    tail = data[-(MAX_BYTES // 2):]
    cut = tail.find(b"\n")
    kept = tail[cut + 1:] if cut >= 0 and len(data) > len(tail) else tail
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, kept)
    os.ftruncate(fd, len(kept))


def record(path: str, service: str, outcome: str, model: str | None, detail: str | None,
           now: float) -> None:
    """Append one report. ``outcome`` one of :data:`trayapp.domain.reported.OUTCOMES`
    (ValueError otherwise); the texts are untrusted and cleaned here; OSError when the
    file cannot be written (the caller says it in one line)."""
    from trayapp.domain.text import one_line
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    name = one_line(service, SERVICE_CHARS).lower()
    if not name:
        raise ValueError("no service named")
    entry = {"at": round(now, 3), "service": name, "outcome": outcome,
             "model": one_line(model, MODEL_CHARS) or None if model else None,
             "detail": one_line(detail, DETAIL_CHARS) or None if detail else None}
    line = (json.dumps(entry, ensure_ascii=True) + "\n").encode("ascii")
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
    fd = safefile.open_own(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
    try:
        _lock(fd)                               # released by close
        os.write(fd, line)
        if os.fstat(fd).st_size > MAX_BYTES:
            _compact(fd)
    finally:
        os.close(fd)


def _report(raw: bytes) -> Report | None:
    from trayapp.core.reports import Report
    try:
        item = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(item, dict):
        return None
    at, service, outcome = item.get("at"), item.get("service"), item.get("outcome")
    model, detail = item.get("model"), item.get("detail")
    if not isinstance(at, (int, float)) or isinstance(at, bool) or not 0 <= at < 1e11 \
            or not isinstance(service, str) or outcome not in OUTCOMES:
        return None
    return Report(float(at), service[:SERVICE_CHARS], str(outcome),
                  model[:MODEL_CHARS] if isinstance(model, str) else None,
                  detail[:DETAIL_CHARS] if isinstance(detail, str) else None)


def read_recent(path: str, since: float) -> tuple[Report, ...]:
    """The readable reports at ``since`` or later, oldest first; () when the file is
    missing or unreadable (a broken line is skipped: it is one report, not the file)."""
    try:
        data = safefile.read_bytes(path, MAX_BYTES * 4)
    except OSError:
        return ()
    reports = (_report(line[:LINE_CHARS * 4]) for line in data.splitlines() if line.strip())
    return tuple(r for r in reports if r is not None and r.at >= since)


def mtime(path: str) -> float | None:
    """The file's change time, or None: the loop re-reads only when it moved."""
    try:
        return os.stat(path).st_mtime_ns / 1e9
    except OSError:
        return None


# -- the poke: a running tray or `watch` hears of a report at once -------------------
# Each running loop listens on a UDP port on 127.0.0.1 (any platform has one) and writes
# it to ``wake-<pid>`` next to the reports; :func:`poke` sends every such port one
# datagram. A poke only makes the loop read this file again, so a stray one is harmless;
# a loop that missed it still sees the file move at its next wake (15 s).
WAKE_PREFIX = "wake-"


def listen(directory: str) -> tuple[socket.socket, str]:
    """A bound UDP socket on 127.0.0.1 and the file that names its port (remove it
    with :func:`stop_listening`). OSError when neither can be made."""
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        name = os.path.join(directory, f"{WAKE_PREFIX}{os.getpid()}")
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = safefile.open_own(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            os.write(fd, str(sock.getsockname()[1]).encode())
        finally:
            os.close(fd)
    except OSError:
        sock.close()
        raise
    return sock, name


def stop_listening(sock: socket.socket, name: str) -> None:
    """Close it (a datagram to itself first: a thread blocked in ``recv`` returns)."""
    try:
        sock.sendto(b"", sock.getsockname())
    except OSError:
        pass
    sock.close()
    try:
        os.unlink(name)
    except OSError:
        pass


def poke(directory: str) -> int:
    """One datagram to every listening loop; how many were sent. Never raises."""
    try:
        names = [n for n in os.listdir(directory) if n.startswith(WAKE_PREFIX)]
    except OSError:
        return 0
    if not names:
        return 0
    import socket
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names[:16]:
            try:
                port = int(safefile.read_bytes(os.path.join(directory, name), 16))
                if 0 < port < 65536:
                    sock.sendto(b"r", ("127.0.0.1", port))
                    sent += 1
            except (OSError, ValueError):
                continue
    return sent
