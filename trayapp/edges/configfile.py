"""Finding and reading the configuration file (the file-system edge of config)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trayapp.config import Config, ConfigError, default_config, parse_text
from trayapp.edges import safefile
from trayapp.edges.paths import config_file


def locate(arg: str | None) -> tuple[Path, bool]:
    """(path, explicit): explicit when named by --config or TRAYAPP_CONFIG.

    An empty ``--config`` is a ConfigError, never the default file."""
    if arg is not None:
        if not arg.strip():
            raise ConfigError("--config", "", "names no file (an empty path)")
        return Path(arg).expanduser(), True
    return config_file(), bool(os.environ.get("TRAYAPP_CONFIG"))


MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a few kB; anything over 1 MiB is refused unread."""


def read_config_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_CONFIG_BYTES, else OSError/ConfigError.

    Read through :mod:`trayapp.edges.safefile`, following a symlink (a config kept in a
    dotfiles repo): ``--config /dev/zero``, a FIFO, a socket, a directory or an
    oversized file is one line of error, never a hang."""
    try:
        return safefile.read_bytes(path, MAX_CONFIG_BYTES, follow=True)
    except safefile.Refused as exc:
        raise ConfigError(str(path), "", exc.strerror or str(exc)) from None


def load(arg: str | None = None) -> Config:
    """The config named by ``--config``/``TRAYAPP_CONFIG``, the user's file, or the default."""
    path, explicit = locate(arg)
    where = str(path)
    try:
        raw = read_config_bytes(path)
    except FileNotFoundError:
        if explicit:
            raise ConfigError(where, "", "file not found") from None
        from trayapp.edges.localserver import ollama_at_start
        return default_config(ollama_at_start())     # Ollama only if it answered at start
    except IsADirectoryError:
        raise ConfigError(where, "", "is a directory, not a file") from None
    except OSError as exc:
        raise ConfigError(where, "", f"cannot read ({exc.strerror or type(exc).__name__})") \
            from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(where, "", "not UTF-8 text") from None
    return parse_text(text, where)


def readable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


# Probe headers that carry credentials (besides any whose name says key/token/secret).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key",
                            "x-goog-api-key", "cookie"})


def _is_secret_header(name: str) -> bool:
    lower = name.lower()
    return lower in SECRET_HEADERS or any(w in lower for w in ("key", "token", "secret"))


def secret_warning(config: Config, arg: str | None = None) -> str | None:
    """One line when the config file holds a credential and others may read it.

    Names the file and the key, never the value."""
    keys = [f"services.{s.id}.probe.headers.{name}" for s in config.services if s.probe
            for name, value in s.probe.headers if value.strip() and _is_secret_header(name)]
    if not keys:
        return None
    path, _ = locate(arg)
    if not readable_by_others(path):
        return None
    return (f"{path}: {keys[0]}: the file holds an API key and is readable by other users "
            f"(chmod 600 it, or use api_key_env)")

