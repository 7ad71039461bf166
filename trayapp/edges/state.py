"""The monitor's memory on disk, so a restart does not re-announce an ongoing outage.

JSON, written atomically. A corrupt or unreadable file, or one that parses but
could not be used (a naive or out-of-range time, a field of the wrong type),
means a fresh start with a warning; a read-only or full directory means running on, warning once.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trayapp.core.modelwatch import ModelMemory
from trayapp.core.monitor import MonitorState, ServiceMemory
from trayapp.domain.levels import Level
from trayapp.edges import safefile
from trayapp.edges.paths import write_atomic

log = logging.getLogger(__name__)
VERSION = 1
MAX_BYTES = 32 * 1024 * 1024    # a few kB per service; a larger file is refused unread


def dump(state: MonitorState) -> bytes:
    data = {
        "version": VERSION,
        "last_poll": state.last_poll.isoformat() if state.last_poll else None,
        "services": {sid: _memory_json(mem) for sid, mem in state.services.items()},
    }
    return json.dumps(data, indent=1, sort_keys=True).encode()


_COUNT_LIMIT = 1_000_000
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _memory_json(mem: ServiceMemory) -> dict[str, Any]:
    data = asdict(mem)
    for name in _TIMES:
        when = getattr(mem, name)
        data[name] = when.isoformat() if when else None
    data["models"] = [{**asdict(m), "failing_since": m.failing_since.isoformat()
                       if m.failing_since else None} for m in mem.models]
    return data


_TIMES = frozenset({"feed_read_at"})          # ServiceMemory's datetime fields


def _field(name: str, value: Any, default: Any) -> Any:
    """One ServiceMemory field checked against the type of its default (ValueError if wrong),
    so that a state that loads can also be used: nothing here can raise later in the monitor."""
    if name in _TIMES:
        return _when(value, name)
    if name == "latencies":
        return _counts(name, value)
    if name == "models":
        if not isinstance(value, list) or len(value) > 100:
            raise ValueError(name)
        return tuple(_model(item) for item in value)
    if isinstance(default, Level):
        if not isinstance(value, str):
            raise ValueError(name)
        return Level(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(name)
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 <= value <= _COUNT_LIMIT:
            raise ValueError(name)
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValueError(name)
        return float(value)
    if isinstance(default, tuple):
        return _strings(name, value, pairs=name in _PAIRS)
    if isinstance(default, str | None):
        if value is not None and not isinstance(value, str):
            raise ValueError(name)
        return value
    if type(value) is not type(default):
        raise ValueError(name)
    return value


_PAIRS = frozenset({"incidents", "maintenances"})


def _counts(name: str, value: Any) -> tuple[int, ...]:
    """A list of whole numbers in range (latencies in ms)."""
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _COUNT_LIMIT
            for v in value):
        raise ValueError(name)
    return tuple(value)


def _model(raw: Any) -> ModelMemory:
    """One model's memory, every field checked (ValueError if anything is wrong)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("model"), str):
        raise ValueError("models")
    out: dict[str, Any] = {"model": raw["model"]}
    for f in fields(ModelMemory):
        name, value = f.name, raw.get(f.name, f.default)
        if name == "model" or name not in raw:
            continue
        if name == "failing_since":
            out[name] = _when(value, "models.failing_since")
        elif name == "latencies":
            out[name] = _counts("models.latencies", value)
        elif name == "level":
            out[name] = Level(value) if isinstance(value, str) else _bad(name)
        elif name in ("bad_streak", "good_streak"):
            out[name] = _counts("models." + name, [value])[0]
        elif name in ("status_code", "latency_ms"):
            out[name] = None if value is None else _counts("models." + name, [value])[0]
        elif name == "detail":
            out[name] = value if isinstance(value, str) else _bad(name)
        elif name in ("your_side", "reason", "blame"):
            out[name] = value if value is None or isinstance(value, str) else _bad(name)
    return ModelMemory(**out)


def _bad(name: str) -> Any:
    raise ValueError(f"models.{name}")


def _strings(name: str, value: Any, pairs: bool) -> tuple[Any, ...]:
    """A list of strings, or of lists of strings ((id, name) pairs), as tuples."""
    if not isinstance(value, list):
        raise ValueError(name)
    out: list[Any] = []
    for item in value:
        if isinstance(item, str) and not pairs:
            out.append(item)
        elif isinstance(item, list) and all(isinstance(x, str) for x in item) \
                and (len(item) == 2 or not pairs):
            out.append(tuple(item))
        else:
            raise ValueError(name)
    return tuple(out)


def _memory(raw: dict[str, Any]) -> ServiceMemory:
    defaults = {f.name: f.default for f in fields(ServiceMemory)}
    clean = {k: _field(k, v, defaults[k]) for k, v in raw.items() if k in defaults}
    return ServiceMemory(**clean)


def _when(value: Any, name: str = "last_poll") -> datetime | None:
    """An aware time between 2000 and 2200, else ValueError (a naive or extreme time would
    break every later comparison with ``now``)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(name)
    when = datetime.fromisoformat(value)
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name}: no time zone")
    if not _EARLIEST <= when < _LATEST:
        raise ValueError(f"{name}: out of range")
    return when


def load_bytes(data: bytes) -> MonitorState:
    """Parse and validate a state file; raises ValueError on anything wrong or unusable."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            raise ValueError("unknown state format")
        services = raw.get("services") or {}
        if not isinstance(services, dict):
            raise ValueError("services")
        return MonitorState(
            last_poll=_when(raw.get("last_poll")),
            services={str(k): _memory(v) for k, v in services.items() if isinstance(v, dict)})
    except (TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        raise ValueError(str(exc)) from None


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._warned = False
        self.was_corrupt = False    # the caller then treats its first poll as a baseline

    def load(self) -> MonitorState:
        try:
            data = safefile.read_bytes(self.path, MAX_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            # No file can be there (a parent is not a directory): nothing was lost,
            # and save() says once that it cannot write.
            return MonitorState()
        except OSError as exc:
            log.warning("%s; starting fresh", safefile.reason(exc, f"state file {self.path}"))
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
