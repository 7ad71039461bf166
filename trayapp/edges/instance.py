"""One tray per user: an OS file lock that dies with its process.

The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows, held
on ``trayapp.lock`` in a directory the caller passes (the platformdirs
runtime or state dir). The OS drops the lock when the holder exits or is
killed, so a crash never leaves a stale lock behind. The holder writes its
PID into the file so a second instance can say who is running.

The file is never deleted: unlinking a lock file while another process has
it open lets two processes each lock a different file of the same name.

    lock = acquire(state_dir)
    if lock is None:
        print(already_running_message(state_dir)); return 1
    with lock:
        run_tray()
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from trayapp.edges.paths import create_private
from trayapp.edges.safefile import Refused, open_regular

LOCK_NAME = "trayapp.lock"
# Windows locks a byte range and then refuses reads of it, so the lock byte
# sits past the PID text, which stays readable by the second instance.
_WIN_LOCK_OFFSET = 4096
_PID_BYTES = 32


class InstanceLockError(Exception):
    """The lock file could not be created or opened (one-line message)."""


class InstanceLock:
    """A held instance lock; release it, or use it as a context manager."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Drop the lock (harmless when already released)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        except OSError:
            pass  # closing below releases the lock anyway
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        # A lock that is garbage-collected is released: keep a reference to
        # it for as long as the app runs. Quiet at interpreter shutdown.
        with contextlib.suppress(Exception):
            self.release()


def acquire(directory: Path) -> InstanceLock | None:
    """Take the lock in ``directory``; None when another instance holds it.

    Keep the returned lock referenced while the app runs (dropping it
    releases the lock).

    Raises InstanceLockError when the directory or file cannot be made.
    """
    path = Path(directory) / LOCK_NAME
    try:
        fd = create_private(path)          # 0600 in a 0700 directory
    except Refused as exc:
        raise InstanceLockError(str(exc)) from None
    except OSError as exc:
        raise InstanceLockError(
            f"cannot create the lock file {path}: {exc.strerror or exc}"
        ) from None
    try:
        locked = _try_lock(fd)
    except OSError as exc:
        os.close(fd)
        raise InstanceLockError(f"cannot lock {path}: {exc.strerror or exc}") from None
    if not locked:
        os.close(fd)
        return None
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # the lock is what matters; the PID is only for the message
    return InstanceLock(path, fd)


def holder_pid(directory: Path) -> int | None:
    """The PID written by the lock's holder, if it can be read."""
    try:
        fd = open_regular(Path(directory) / LOCK_NAME)
        try:
            text = os.read(fd, _PID_BYTES)
        finally:
            os.close(fd)
    except OSError:
        return None
    try:
        pid = int(text.strip() or b"0")
    except ValueError:
        return None
    return pid if pid > 0 else None


def already_running_message(directory: Path) -> str:
    """One line for the user: ``trayapp is already running (pid 1234)``."""
    pid = holder_pid(directory)
    return "trayapp is already running" + (f" (pid {pid})" if pid else "")


if sys.platform == "win32":

    def _try_lock(fd: int) -> bool:
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:
            return False
        except OSError as exc:
            if exc.errno in (13, 36):  # EACCES, EDEADLOCK: someone else holds it
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:

    def _try_lock(fd: int) -> bool:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
