"""Where trayapp keeps its files (platformdirs), and atomic file writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

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


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write then rename, so a crash mid-write never leaves a half file.

    A directory created for it is private (0700)."""
    private_mkdir(path.parent)
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
