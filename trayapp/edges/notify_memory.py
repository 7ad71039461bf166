"""The notification policy's memory on disk (JSON, written atomically).

A restart does not re-announce an ongoing outage: what the user was told is
kept in the state dir. A corrupt file means a warning and a fresh start in
``baseline`` mode (learn the current state silently, announce nothing).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp.core.policy import PolicyState, Told
from trayapp.domain.levels import Level
from trayapp.edges import safefile
from trayapp.edges.paths import write_atomic

log = logging.getLogger(__name__)
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024    # a few kB per service; a larger file is refused unread


def dump(state: PolicyState) -> bytes:
    data = {
        "version": VERSION,
        "paused_until": state.paused_until.isoformat() if state.paused_until else None,
        "told": {sid: {"level": str(t.level), "incidents": sorted(t.incidents),
                       "maintenances": sorted(t.maintenances),
                       "last_sent": t.last_sent.isoformat() if t.last_sent else None}
                 for sid, t in state.told.items()},
    }
    return json.dumps(data, indent=1, sort_keys=True).encode()


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError("naive time")
    return parsed


def _names(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        raise ValueError("list expected")
    return frozenset(str(v) for v in value)


def load_bytes(data: bytes) -> PolicyState:
    """Parse the file; raises ValueError on anything wrong."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            raise ValueError("unknown format")
        told = {str(sid): Told(level=Level(t["level"]), incidents=_names(t["incidents"]),
                               maintenances=_names(t["maintenances"]),
                               last_sent=_time(t.get("last_sent")))
                for sid, t in raw["told"].items()}
        return PolicyState(told=told, paused_until=_time(raw.get("paused_until")))
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(str(exc)) from None


class PolicyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._last: bytes | None = None
        self._warned = False

    def load(self) -> PolicyState:
        try:
            data = safefile.read_bytes(self.path, MAX_BYTES)
        except FileNotFoundError:
            return PolicyState()
        except OSError as exc:
            log.warning("%s; notifications start fresh", safefile.reason(exc, self.path))
            return PolicyState(baseline=True)
        try:
            state = load_bytes(data)
        except ValueError:
            log.warning("notification memory %s is corrupt; starting fresh "
                        "(the current state is not re-announced)", self.path)
            return PolicyState(baseline=True)
        self._last = data
        return state

    def save(self, state: PolicyState) -> None:
        data = dump(state)
        if data == self._last:
            return
        try:
            write_atomic(self.path, data)
            self._last = data
        except OSError as exc:
            if not self._warned:
                log.warning("cannot write %s (%s); running on without saving", self.path,
                            exc.strerror or type(exc).__name__)
                self._warned = True
