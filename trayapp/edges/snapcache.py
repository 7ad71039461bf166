"""The last snapshot on disk, for ``status --cached`` and ``pick --cached``.

Every cycle of the tray and ``watch``, and every full live ``status``, saves
the snapshot's JSON (exactly what ``status --json`` prints) atomically as
``snapshot.json`` in the state dir. Reading it is the hot path of a shell
prompt, so this module imports only ``os`` and ``json`` at the top: the state
dir is worked out from the environment the way platformdirs does it, and only
if no file is found there is platformdirs asked (slower, never wrong).
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:      # typing costs a prompt ~4 ms; annotations are strings anyway
    from typing import Any

FILE_NAME = "snapshot.json"


def _guess_state_dir() -> str:
    """platformdirs' ``user_state_dir`` for "trayapp", from the environment alone."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_STATE_HOME", "").strip() or os.path.expanduser("~/.local/state")
    return os.path.join(base, "trayapp")


def cache_file() -> str:
    """Where the snapshot is written: the real state dir (platformdirs)."""
    from trayapp.edges.paths import state_dir
    return str(state_dir() / FILE_NAME)


def save(data: dict[str, Any]) -> str | None:
    """Write the snapshot's JSON atomically. A failure is returned as one line, never raised."""
    from pathlib import Path

    from trayapp.edges.paths import write_atomic
    path = cache_file()
    try:
        write_atomic(Path(path), json.dumps(data, ensure_ascii=True).encode(), mode=0o600)
    except OSError as exc:
        return f"cannot write the snapshot cache {path} ({exc.strerror or type(exc).__name__})"
    return None


def _read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(8 * 1024 * 1024)
    except OSError:
        return None


def load() -> dict[str, Any] | None:
    """The saved snapshot dict, or None when there is none (or it is unreadable)."""
    raw = _read_file(os.path.join(_guess_state_dir(), FILE_NAME))
    if raw is None:
        raw = _read_file(cache_file())
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("checked_at"), str) or \
            not isinstance(data.get("services"), list):
        return None
    return data


def age_seconds(data: dict[str, Any], now: float) -> float | None:
    """Seconds since the snapshot's ``checked_at`` (``now`` is a Unix time), or None."""
    try:
        # The C module directly: datetime.py first builds its pure-Python twin (~3 ms).
        module = __import__("_datetime")
    except ImportError:     # pragma: no cover - not CPython
        module = __import__("datetime")
    try:
        checked = module.datetime.fromisoformat(str(data["checked_at"]))
    except (KeyError, ValueError, TypeError):
        return None
    if checked.tzinfo is None:
        return None
    return float(now - checked.timestamp())
