"""Writing the config file: Preferences' Save and ``trayapp init``.

A save is validated by the real parser before anything is written, then
written atomically (write, fsync, rename) after the previous file is copied
to ``config.toml.bak`` (one backup, replaced each time). The file is private
(0600): it may name environment variables of keys, and a user may add headers.

A ``config.toml`` that is a symlink (a dotfiles repository) is written through
to its target: the temporary file is made next to the target and renamed over
it, with the target's mode; the symlink stays a symlink (:func:`write_config`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trayapp.config import (
    OLLAMA_URL,
    Config,
    ConfigError,
    default_toml,
    load_presets,
    parse_text,
)
from trayapp.edges.configfile import read_config_bytes
from trayapp.edges.paths import replace_file, write_atomic


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def current_text(path: Path) -> tuple[str, bool]:
    """(the file's text, True), or (the built-in default, False) when there is no file
    (with Ollama if it answered at start: :func:`trayapp.edges.localserver.ollama_at_start`).

    A file that cannot be read or is not UTF-8 raises ConfigError (one line)."""
    try:
        raw = read_config_bytes(path)
    except FileNotFoundError:
        from trayapp.edges.localserver import ollama_at_start
        return default_toml(ollama_at_start()), False
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read ({exc.strerror or type(exc).__name__})") \
            from None
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        raise ConfigError(str(path), "", "not UTF-8 text") from None


def save(path: Path, text: str) -> Config:
    """Validate ``text`` as ``path``'s config, back up the old file, write it. ConfigError
    (naming the field) or OSError, and then nothing was written."""
    config = parse_text(text, str(path))
    data = text.encode("utf-8")
    try:
        old = read_config_bytes(path)
    except FileNotFoundError:
        old = None
    if old == data:
        return config
    if old is not None:
        write_atomic(backup_path(path), old)
    write_config(path, data)
    return config


def write_config(path: Path, data: bytes) -> None:
    """Write ``data`` as the config at ``path``, atomically. A symlink is written through:
    its target (resolved, even when it does not exist yet) is replaced, keeping the
    target's mode, and no directory is created for it; a plain path is written 0600."""
    if not path.is_symlink():
        write_atomic(path, data)
        return
    target = path.resolve()
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o600
    replace_file(target, data, mode)


def starter_text(presets: Mapping[str, Mapping[str, Any]] | None = None,
                 ollama: str | None = OLLAMA_URL) -> str:
    """The built-in default, commented, with every preset listed (for ``trayapp init``);
    ``ollama``: as for :func:`trayapp.config.default_toml`."""
    presets = load_presets() if presets is None else presets
    lines = [
        "# trayapp configuration (TOML). Every key is described in the manual,",
        "# docs/reference/configuration.md; `trayapp preferences` edits this file and keeps",
        "# your comments. The running tray reloads it at its next check.",
        "",
        "# interval = 60              # seconds between polls",
        "# min_level = \"degraded\"     # notify from this level up",
        "# quiet_hours = \"22:00-07:00\"",
        "",
        default_toml(ollama).rstrip("\n"),
        "",
        "# More vendors: copy a block like this one, with one of the presets below.",
        "# [[services]]",
        "# id = \"cursor\"",
        "# preset = \"cursor\"",
        "# role = \"fallback\"        # or \"watch\"",
        "#",
    ]
    width = max((len(p) for p in presets), default=0)
    for pid, p in presets.items():
        feed, probe = p.get("feed") or {}, p.get("probe") or {}
        what = feed.get("kind", "probe only") + (", API probe" if feed and probe else "")
        lines.append(f"#   {pid.ljust(width)}  {p.get('name', pid)} ({what})")
    return "\n".join(lines) + "\n"


def init(path: Path, ollama: str | None = OLLAMA_URL) -> str | None:
    """Write the starter config at ``path``; None when done, else why not (one line).
    ``ollama``: the URL where Ollama answered at set-up, or None (left commented out)."""
    if path.exists() or path.is_symlink():
        return f"{path} already exists; not overwritten"
    try:
        write_config(path, starter_text(ollama=ollama).encode("utf-8"))
    except OSError as exc:
        return f"cannot write {path} ({exc.strerror or type(exc).__name__})"
    return None
