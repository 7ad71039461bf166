"""A history writer in a process of its own, for the kill -9 and two-writer tests.

    python -m tests.history_kit PATH SERVICE CYCLES [START]

Writes CYCLES cycles of SERVICE (one probe row each) through the real writer,
printing "started" after the first commit; CYCLES 0 means forever.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trayapp.history.record import Change, CycleRecord, IncidentSeen, ServiceCycle
from trayapp.history.store import HistoryWriter


def cycle(service: str, at: int, n: int) -> CycleRecord:
    level = "major_outage" if n % 7 == 3 else "operational"
    incidents = (IncidentSeen(f"i{n // 7}", "Errors " * 20, "major_outage", "investigating",
                              at - 60, at),) if level != "operational" else ()
    svc = ServiceCycle(service, service.title(), level, level, "operational", 100 + n % 50,
                       "operational", 401, incidents)
    changes = (Change(service, at, "operational", level, "page", "x" * 200),) \
        if level != "operational" else ()
    return CycleRecord(at, False, (svc,), changes, 180)


def main(argv: list[str]) -> int:
    path, service, cycles = Path(argv[0]), argv[1], int(argv[2])
    start = int(argv[3]) if len(argv) > 3 else 1_800_000_000
    writer = HistoryWriter(path, 90)
    n = 0
    while cycles == 0 or n < cycles:
        if not writer.record(cycle(service, start + 60 * n, n)):
            print(f"failed: {writer.disabled}", flush=True)
            return 1
        if n == 0:
            print("started", flush=True)
        n += 1
    writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
