"""The one way to read a file trayapp did not just write: config, state, snapshot, budget,
keyring ids, notification memory, the lock's PID, autostart entries, window geometry.

Rules, whoever calls:

* **regular files only**: opened with ``O_NONBLOCK`` (a FIFO never blocks the open)
  and checked with ``fstat`` before a byte is read, so a FIFO, a device
  (``/dev/zero``), a socket or a directory is refused, never read;
* **no symlink** where trayapp owns the file (``O_NOFOLLOW``: the state dir);
  the user's own files (``config.toml``, which may live in a dotfiles repo) are
  followed with ``follow=True`` and still checked as above;
* **size-capped**: a file over ``limit`` bytes is refused by its size, unread
  (a 200 MB sparse file costs nothing), and a file that grows while read is cut
  off at ``limit + 1`` bytes and refused;
* **one clear line** when refused: :class:`Refused` is an ``OSError`` (every
  existing ``except OSError`` already handles it), whose text names the file and
  why: ``snapshot.json is not a regular file (a FIFO): /home/u/.local/state/...``.

A missing file is ``FileNotFoundError`` as usual. Standard library only
(``os``, ``stat``, both loaded by every interpreter): the shell prompt's path
(:mod:`trayapp.cli.quick`) imports this.
"""

from __future__ import annotations

import errno
import os
import stat

CHUNK = 65536
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symlink"))
_OPEN = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Refused(OSError):
    """A file trayapp will not read: not a regular file, a symlink, or too large.

    ``str()`` is the one line to show; ``strerror`` the reason alone."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, path)
        self.line = f"{os.path.basename(path) or path} {reason}: {path}"

    def __str__(self) -> str:
        return self.line


def kind(mode: int) -> str:
    """``"a FIFO"``, ``"a directory"``...: what a non-regular file is."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def not_regular(path: str, mode: int) -> Refused:
    return Refused(path, f"is not a regular file ({kind(mode)})")


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n // 1024} kB" if n >= 1024 \
        else f"{n} bytes"


def too_large(path: str, size: int | None, limit: int) -> Refused:
    what = f"{_size(size)}, " if size is not None else ""
    return Refused(path, f"is too large ({what}over the {_size(limit)} limit)")


def _open_error(path: str, exc: OSError, follow: bool) -> OSError:
    """Say what is there when the open itself was refused (a symlink, a socket)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return exc
    if stat.S_ISLNK(mode) and not follow:
        return Refused(path, "is a symlink (not followed in trayapp's own directory)")
    if exc.errno in (errno.ENXIO, errno.ELOOP, errno.EOPNOTSUPP) or not stat.S_ISREG(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return exc
        if not stat.S_ISREG(mode):
            return not_regular(path, mode)
    return exc


def _open(name: str, flags: int, follow: bool, mode: int = 0o600) -> int:
    """``os.open`` without blocking, then fstat: a regular file's descriptor, blocking
    again, else OSError/Refused (and nothing left open)."""
    try:
        fd = os.open(name, flags | _OPEN | (0 if follow else _NOFOLLOW), mode)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _open_error(name, exc, follow) from None
    try:
        st_mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(st_mode):
            raise not_regular(name, st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_regular(path: str | os.PathLike[str], *, follow: bool = False) -> int:
    """A read-only descriptor on a regular file, else OSError/Refused. The caller closes it."""
    return _open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NOCTTY", 0), follow)


def open_own(path: str | os.PathLike[str], flags: int = os.O_RDWR | os.O_CREAT,
             mode: int = 0o600) -> int:
    """A file trayapp owns, opened to write (``flags``; a lock, a counter, the log):
    created ``mode``, never through a symlink, never a FIFO, device or socket.
    OSError/Refused otherwise; the caller closes it."""
    return _open(os.fspath(path), flags, False, mode)


def read_fd(fd: int, path: str, limit: int) -> bytes:
    """At most ``limit`` bytes from an open regular file, else Refused (too large)."""
    size = os.fstat(fd).st_size
    if size > limit:
        raise too_large(path, size, limit)
    chunks: list[bytes] = []
    total = 0
    while chunk := os.read(fd, min(CHUNK, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(path, None, limit)
    return b"".join(chunks)


def read_bytes(path: str | os.PathLike[str], limit: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    FileNotFoundError when there is none; Refused (an OSError, one line) when it is
    not a regular file, is a symlink and ``follow`` is false, or is over ``limit``."""
    fd = open_regular(path, follow=follow)
    try:
        return read_fd(fd, os.fspath(path), limit)
    finally:
        os.close(fd)


def read_head(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """The file's first line (without its newline), read alone: at most ``limit`` bytes
    are read, whatever the file holds after it. None when no newline comes by then."""
    name = os.fspath(path)
    fd = open_regular(name)
    try:
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - len(data)))
            if not chunk:
                return data
            data += chunk
            end = data.find(b"\n")
            if end >= 0:
                return data[:end]
        return None
    finally:
        os.close(fd)


def reason(exc: OSError, path: object) -> str:
    """One line for a warning: a refusal's own line, else "cannot read PATH (the OS's words)"."""
    if isinstance(exc, Refused):
        return exc.line
    return f"cannot read {path} ({exc.strerror or type(exc).__name__})"


def check_regular(path: str | os.PathLike[str]) -> None:
    """Before a library opens ``path`` itself (sqlite): nothing, a regular file, or Refused
    (a symlink is not followed: the file is in trayapp's own directory)."""
    name = os.fspath(path)
    try:
        mode = os.stat(name, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise Refused(name, "is a symlink (not followed in trayapp's own directory)")
    if not stat.S_ISREG(mode):
        raise not_regular(name, mode)
