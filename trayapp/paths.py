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


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write then rename, so a crash mid-write never leaves a half file.

    A directory created for it is private (0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
