"""Poll cycles in-process, timed: ``python bench/cycle.py CONFIG CYCLES`` prints one JSON line.

Run by ``bench/run.py`` in a fresh interpreter per measurement, so its RSS is
trayapp's alone (the loopback server lives in the benchmark's own process).
Each cycle is the real thing: :class:`trayapp.runtime.engine.Engine` over the real
HTTP client (poller, monitor, no state file).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(config_path: str, cycles: int) -> dict[str, object]:
    from trayapp.edges import configfile
    from trayapp.runtime.engine import Engine, make_client, wall_clock

    config = configfile.load(config_path)
    client = make_client(config)
    engine = Engine(config, client)
    wall: list[float] = []
    cpu: list[float] = []
    levels: dict[str, str] = {}
    try:
        for _ in range(cycles):
            w0, c0 = time.perf_counter(), time.process_time()
            result = engine.cycle(wall_clock())
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            levels = {s.id: s.level.value for s in result.snapshot.services}
    finally:
        client.close()
    return {"wall": wall, "cpu": cpu, "rss_kb": rss_kb(), "services": len(config.services),
            "levels": levels}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))), flush=True)
