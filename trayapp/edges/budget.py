"""The daily budget of model probes, shared by every trayapp process. An edge (files).

Model probes cost real tokens, so ``max_model_probes_per_day`` (per service)
is a hard limit, counted in the state directory: one small JSON file per
service (``model-probes/<service>.json``: the UTC day, the probes spent, when
the last ones ran), read and rewritten under an exclusive lock (``fcntl.flock``
on POSIX, ``msvcrt.locking`` on Windows), so the tray, ``watch`` and ``status``
running at once, or restarted, never spend more than the limit together. The
same file spaces the probes ``model_interval`` apart across those processes.
A file that cannot be opened or locked grants nothing: no probe runs rather
than one over the budget. A file that is not what trayapp writes (garbage, or
only whitespace) is damaged and counts as the day fully spent, said once; only
a file of no bytes at all is new (that is how ``O_CREAT`` makes it, and a
rewrite never leaves one: the new text is written over the old, then the rest
cut off). The clock is passed in.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from trayapp.domain.model import ModelBudget
from trayapp.edges.paths import create_private
from trayapp.edges.safefile import Refused

log = logging.getLogger(__name__)
MAX_BYTES = 4096          # {"day", "used", "last"}: a larger file is corrupt, read no further


@dataclass(frozen=True, slots=True)
class Grant:
    granted: int                 # probes the caller may send now
    use: ModelBudget             # today's count, including these


@contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    fd = create_private(path)    # 0600 in a 0700 directory; never a FIFO or symlink
    with os.fdopen(fd, "r+b") as handle:
        if sys.platform == "win32":
            import msvcrt
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield handle
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read(handle: IO[bytes], day: str) -> tuple[int, float | None]:
    """(spent today, last run as a POSIX time); ValueError when the file is damaged.
    Only a file of no bytes is new: whitespace alone is damaged, not empty."""
    handle.seek(0)
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"too large: over {MAX_BYTES} bytes")
    if not data:
        return 0, None
    try:
        raw: Any = json.loads(data)
        used, last = raw["used"], raw.get("last")
        if not isinstance(used, int) or isinstance(used, bool) or used < 0 \
                or not isinstance(raw["day"], str) \
                or not (last is None or isinstance(last, int | float)):
            raise ValueError("budget")
    except (ValueError, KeyError, TypeError):
        raise ValueError("not the count trayapp writes") from None
    return (used if raw["day"] == day else 0), (float(last) if last is not None else None)


class Budget:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._warned: set[str] = set()

    def path(self, service: str) -> Path:
        return self.directory / f"{service}.json"

    def take(self, service: str, now: datetime, limit: int, want: int,
             gap: float) -> Grant:
        """Reserve up to ``want`` probes for ``service``: none if the last ones ran less
        than ``gap`` seconds ago (by ``now``), never more than ``limit`` a UTC day."""
        day = now.astimezone(UTC).date().isoformat()
        stamp = now.timestamp()
        try:
            with _locked(self.path(service)) as handle:
                corrupt = False
                try:
                    used, last = _read(handle, day)
                except ValueError as exc:  # unreadable: spend nothing more today
                    used, last, corrupt = limit, stamp, True
                    if service not in self._warned:
                        self._warned.add(service)
                        log.warning("the model probe count %s is damaged (%s); no model "
                                    "probe of %s runs until tomorrow (UTC)",
                                    self.path(service), exc, service)
                recent = last is not None and 0 <= stamp - last < gap
                granted = 0 if recent or corrupt else max(0, min(want, limit - used))
                if granted or corrupt:
                    data = json.dumps({"day": day, "used": used + granted,
                                       "last": stamp}).encode()
                    handle.seek(0)
                    handle.write(data)            # over the old text, then cut the rest:
                    handle.truncate(len(data))    # a crash never leaves an empty file
                    handle.flush()
                    os.fsync(handle.fileno())
                return Grant(granted, ModelBudget(used + granted, limit, day))
        except OSError as exc:
            if service not in self._warned:
                why = str(exc) if isinstance(exc, Refused) else \
                    f"cannot count model probes in {self.directory} " \
                    f"({exc.strerror or type(exc).__name__})"
                log.warning("%s; none will run", why)
                self._warned.add(service)
            return Grant(0, ModelBudget(limit, limit, day))

    def spent(self, service: str, now: datetime, limit: int) -> ModelBudget:
        """Today's count without taking any."""
        return self.take(service, now, limit, 0, 0).use
