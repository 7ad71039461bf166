"""Reloading the config file while the tray runs: on mtime change, keeping the last good one."""

from __future__ import annotations

from pathlib import Path

from trayapp.config import Config, ConfigError


class ConfigWatcher:
    """Reloads the config file when its mtime changes; a bad edit keeps the last good one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.mtime = self._mtime()
        self.bad_mtime: float | None = None

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except OSError:
            return None

    def check(self) -> tuple[Config | None, str | None]:
        """(new config, None), (None, error once per bad edit), or (None, None)."""
        current = self._mtime()
        if current is None or current in (self.mtime, self.bad_mtime):
            return None, None
        from trayapp.edges.configfile import load
        try:
            config = load(str(self.path))
        except ConfigError as exc:
            self.bad_mtime = current
            return None, str(exc)
        self.mtime, self.bad_mtime = current, None
        return config, None
