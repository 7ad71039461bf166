"""Where trayapp keeps its files (platformdirs), and atomic file writes.

Every file trayapp creates is private: 0600, in a directory created 0700
(:func:`private_mkdir`, :func:`write_atomic`, :func:`create_private`). A
directory of trayapp's that already exists wider (an older version made it
0755) is left as it is (it may be the user's choice) and named once per
process in the log (:func:`note_if_wider`); what trayapp creates in it is 0600
all the same.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from trayapp.edges.safefile import open_own

if TYPE_CHECKING:
    import platformdirs

APP = "trayapp"


def _dirs() -> platformdirs.PlatformDirs:
    import platformdirs
    return platformdirs.PlatformDirs(APP, appauthor=False)


def config_file() -> Path:
    override = os.environ.get("TRAYAPP_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(_dirs().user_config_dir) / "config.toml"


def config_dir() -> Path:
    """The platform's config directory of trayapp (where ``config.toml`` is by default)."""
    return Path(_dirs().user_config_dir)


def state_dir() -> Path:
    return Path(_dirs().user_state_dir)


def log_dir() -> Path:
    return Path(_dirs().user_log_dir)


def runtime_dir() -> Path:
    return Path(_dirs().user_runtime_dir)


def private_mkdir(path: Path) -> None:
    """Create ``path`` and any missing parent, each 0700 (Path.mkdir gives parents the
    umask's mode): nobody else may plant a file or symlink in trayapp's directories."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            pass
    if not path.is_dir():
        raise NotADirectoryError(str(path))


_noted: set[str] = set()


def wider_than_private(path: Path) -> str | None:
    """How a directory is wider than 0700 ("writable by other users", "readable by
    other users"), or None (private, missing, or not POSIX)."""
    if os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable by other users"
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return "readable by other users"
    return None


def note_if_wider(path: Path) -> None:
    """Say once per process that one of trayapp's directories is wider than 0700.

    Writable by others: a warning (another user could plant a file or a symlink
    there). Only readable or searchable (an older trayapp made it 0755): one log
    line, since every file trayapp writes there is 0600 anyway. Directories are
    not chmod-ed: a shared or dotfiles directory may be wide on purpose."""
    key = str(path)
    if key in _noted:
        return
    how = wider_than_private(path)
    if how is None:
        return
    _noted.add(key)
    logger = logging.getLogger("trayapp")
    if how.startswith("writable"):
        logger.warning("warning: %s is %s (chmod 700 it)", path, how)
    else:
        logger.info("%s is %s (mode %o); trayapp's files in it are private (0600); "
                    "chmod 700 it to hide their names too", path, how,
                    stat.S_IMODE(path.stat().st_mode))


def create_private(path: Path, flags: int = os.O_RDWR) -> int:
    """Open ``path``, creating it 0600 (whatever the umask) in a 0700 directory when
    missing: the descriptor (through :func:`trayapp.edges.safefile.open_own`: never a
    symlink, a FIFO or a device). An existing file of ours that is wider (an older version
    made it with the umask) is narrowed to 0600; its contents are kept."""
    private_mkdir(path.parent)
    fd = open_own(path, flags | os.O_CREAT)     # never a symlink, FIFO or device
    try:
        info = os.fstat(fd)
        if info.st_mode & 0o077 and hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write then rename, so a crash mid-write never leaves a half file.

    A directory created for it is private (0700)."""
    private_mkdir(path.parent)
    replace_file(path, data, mode)


def replace_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to a temporary file next to ``path``, fsync it, give it ``mode``
    and rename it over ``path`` (which is replaced, even when it is a symlink). The
    directory must exist."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
