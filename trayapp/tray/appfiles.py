"""The tray's files and optional parts: where the lock goes, each level's icon for
notifications, the autostart module when this platform has one."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from trayapp.config import Config
from trayapp.domain.levels import Level
from trayapp.domain.text import one_line
from trayapp.edges import paths

log = logging.getLogger("trayapp.tray.app")


NOTIFY_ICON = "notify-icon-{level}.png"


def level_icon_file(state: Path, level: Level | None) -> str:
    """The icon of ``level`` as a PNG for a notification (drawn by trayapp.icon), or "".

    A notification's icon is the icon of the level it announces (a major outage is a
    red cross, never the green check); one that announces no level (trayapp's own
    messages) gets the grey "?" of ``unknown``.
    """
    from trayapp.icon import render_icon
    level = level or Level.UNKNOWN
    target = state / NOTIFY_ICON.format(level=level.value)
    try:
        if not target.exists():
            import io
            buf = io.BytesIO()
            render_icon(level, size=64).save(buf, "PNG")
            paths.write_atomic(target, buf.getvalue(), 0o600)
    except OSError as exc:
        log.info("no icon for notifications (%s)", one_line(exc, 200))
        return ""
    return str(target)


def private_dir() -> Path:
    """Where the lock and the details window's hand-over file go: the runtime dir
    on Linux; without ``XDG_RUNTIME_DIR`` (no login session) the state dir, said
    once in one line instead of platformdirs' raw warning."""
    if sys.platform.startswith("linux"):
        if os.environ.get("XDG_RUNTIME_DIR"):
            return paths.runtime_dir()
        if not _SAID:
            _SAID.add("runtime")
            log.warning("XDG_RUNTIME_DIR is not set (no login session?): keeping the "
                        "lock and temporary files in %s", paths.state_dir())
    return paths.state_dir()


_SAID: set[str] = set()


def autostart_module() -> Any:
    try:
        from trayapp.edges import autostart
        return autostart
    except Exception:
        return None


def autostart_state(module: Any) -> bool | None:
    """Whether start at login is on; None where it is not available or cannot be read."""
    try:
        return None if module is None else bool(module.is_enabled())
    except Exception:
        return None


def written_config(path: Path, config: Config) -> Path:
    """``path``, written first with the built-in default that runs when it is missing
    ("Open config file" then shows what is watched, commented)."""
    if not path.exists():
        from trayapp.config import default_toml
        from trayapp.edges.configwrite import write_config
        ollama = config.service("ollama")
        write_config(path, default_toml(ollama.probe.url if ollama and ollama.probe
                                        else None).encode())
    return path
