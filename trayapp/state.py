"""The monitor's memory on disk, so a restart does not re-announce an ongoing outage.

JSON, written atomically. A corrupt or unreadable file means a fresh start
with a warning; a read-only or full directory means running on, warning once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp.levels import Level
from trayapp.monitor import MonitorState, ServiceMemory
from trayapp.paths import write_atomic

log = logging.getLogger(__name__)
VERSION = 1


def dump(state: MonitorState) -> bytes:
    data = {
        "version": VERSION,
        "last_poll": state.last_poll.isoformat() if state.last_poll else None,
        "services": {sid: _memory_json(mem) for sid, mem in state.services.items()},
    }
    return json.dumps(data, indent=1, sort_keys=True).encode()


def _memory_json(mem: ServiceMemory) -> dict[str, Any]:
    data = asdict(mem)
    data["feed_read_at"] = mem.feed_read_at.isoformat() if mem.feed_read_at else None
    return data


def _memory(raw: dict[str, Any]) -> ServiceMemory:
    names = {f.name for f in fields(ServiceMemory)}
    clean = {k: v for k, v in raw.items() if k in names}
    for key in ("known_level", "probe_level", "feed_level"):
        if key in clean:
            clean[key] = Level(clean[key])
    for key in ("incidents", "maintenances"):
        if key in clean:
            clean[key] = tuple((str(a), str(b)) for a, b in clean[key])
    read_at = clean.get("feed_read_at")
    if read_at is not None:
        when = datetime.fromisoformat(str(read_at))
        if when.tzinfo is None:
            raise ValueError("feed_read_at")
        clean["feed_read_at"] = when
    if "matched" in clean:
        clean["matched"] = tuple(str(e) for e in clean["matched"])
    for key in ("bad_streak", "good_streak", "broken_streak"):
        if key in clean and not isinstance(clean[key], int):
            raise ValueError(key)
    return ServiceMemory(**clean)


def load_bytes(data: bytes) -> MonitorState:
    """Parse a state file; raises ValueError on anything wrong."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            raise ValueError("unknown state format")
        last = raw.get("last_poll")
        services = raw.get("services") or {}
        if not isinstance(services, dict):
            raise ValueError("services")
        return MonitorState(
            last_poll=datetime.fromisoformat(last) if last else None,
            services={str(k): _memory(v) for k, v in services.items() if isinstance(v, dict)})
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(str(exc)) from None


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._warned = False
        self.was_corrupt = False    # the caller then treats its first poll as a baseline

    def load(self) -> MonitorState:
        try:
            data = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            # No file can be there (a parent is not a directory): nothing was lost,
            # and save() says once that it cannot write.
            return MonitorState()
        except OSError as exc:
            log.warning("cannot read state file %s (%s); starting fresh", self.path,
                        exc.strerror or type(exc).__name__)
            self.was_corrupt = True
            return MonitorState()
        try:
            return load_bytes(data)
        except ValueError:
            log.warning("state file %s is corrupt; starting fresh", self.path)
            self.was_corrupt = True
            return MonitorState()

    def save(self, state: MonitorState) -> None:
        try:
            write_atomic(self.path, dump(state))
            self._warned = False
        except OSError as exc:
            if not self._warned:
                log.warning("cannot write state file %s (%s); running on without saving",
                            self.path, exc.strerror or type(exc).__name__)
                self._warned = True
