"""The last snapshot on disk, for ``status --cached`` and ``pick --cached``.

Every cycle of the tray and ``watch``, and every full live ``status``, saves
the snapshot's JSON (what ``status --json`` prints, within the budget of
:mod:`trayapp.core.snapbudget`: bounded whatever a page lists) atomically as
UTF-8 ``snapshot.json`` in the state dir. Its first line is the *head*, all that
``status --cached`` and ``pick --cached`` need, read alone (:func:`read`), so a
prompt costs the same whatever the pages hold; the file is still one JSON
object (``{"head": {...},`` then the snapshot's keys). It is read through
:mod:`trayapp.edges.safefile` (a FIFO, a device, a symlink or an oversized file
is one line, never a hang). Reading it is the hot path of a shell
prompt, so this module imports only ``os`` and ``json`` at the top: the state
dir is worked out from the environment the way platformdirs does it, and only
if no file is found there is platformdirs asked (slower, never wrong).
"""

from __future__ import annotations

import json
import os
import sys

from trayapp.edges import safefile

TYPE_CHECKING = False
if TYPE_CHECKING:      # typing costs a prompt ~4 ms; annotations are strings anyway
    from typing import Any

FILE_NAME = "snapshot.json"
NO_SNAPSHOT = "no snapshot saved yet (run the tray or `trayapp watch`)"


def guess_state_dir() -> str:
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


HEAD_PREFIX = b'{"head": '
HEAD_LIMIT = 256 * 1024        # the head line: a few hundred bytes per service
FILE_LIMIT = 8 * 1024 * 1024   # the whole file (the budget keeps it far below)


def encode(data: dict[str, Any]) -> bytes:
    """The file's bytes: the snapshot within its budget, as UTF-8 JSON whose first line
    is ``{"head": {...},`` (:func:`trayapp.core.snapbudget.head`), so the prompt reads
    that line alone and the file stays one JSON object for everyone else."""
    from trayapp.core.snapbudget import budgeted, head
    kept = budgeted(data)
    text = HEAD_PREFIX.decode() + json.dumps(head(kept), ensure_ascii=False) + ",\n" \
        + json.dumps(kept, ensure_ascii=False)[1:]
    return text.encode("utf-8", "replace")     # a lone surrogate from a page becomes "?"


def save(data: dict[str, Any]) -> str | None:
    """Write the snapshot atomically. A failure is returned as one line, never raised."""
    from pathlib import Path

    from trayapp.edges.paths import write_atomic
    path = cache_file()
    try:
        write_atomic(Path(path), encode(data), mode=0o600)
    except OSError as exc:
        return f"cannot write the snapshot cache {path} ({exc.strerror or type(exc).__name__})"
    return None


def _valid(data: object) -> dict[str, Any] | None:
    if not isinstance(data, dict) or not isinstance(data.get("checked_at"), str) or \
            not isinstance(data.get("services"), list):
        return None
    return data


def _parse(raw: bytes, full: bool) -> dict[str, Any] | None:
    """The head (from the first line) or, with ``full`` or an older file, the whole."""
    if not full and raw.startswith(HEAD_PREFIX) and raw.endswith(b","):
        try:
            return _valid(json.loads(raw[len(HEAD_PREFIX):-1]))
        except ValueError:
            return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict):
        data.pop("head", None)
    return _valid(data)


def _read(path: str, full: bool) -> bytes:
    if full:
        return safefile.read_bytes(path, FILE_LIMIT)
    first = safefile.read_head(path, HEAD_LIMIT)
    if first is not None and first.startswith(HEAD_PREFIX):
        return first
    return safefile.read_bytes(path, FILE_LIMIT)     # an older file, without a head


def read(full: bool = False) -> tuple[dict[str, Any] | None, str]:
    """(the saved snapshot, "") or (None, why not, one line). Without ``full`` only the
    head (the file's first line) is read: what the prompt prints."""
    guess = os.path.join(guess_state_dir(), FILE_NAME)
    try:
        try:
            raw = _read(guess, full)
        except FileNotFoundError:
            real = cache_file()
            if real == guess:
                raise
            raw = _read(real, full)
    except FileNotFoundError:
        return None, NO_SNAPSHOT
    except safefile.Refused as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot read the snapshot ({exc.strerror or type(exc).__name__})"
    data = _parse(raw, full)
    if data is None:
        return None, "the saved snapshot is not readable JSON"
    return data, ""


def load() -> dict[str, Any] | None:
    """The whole saved snapshot dict, or None when there is none (or it is unreadable)."""
    return read(full=True)[0]


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
