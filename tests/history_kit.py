"""A history writer in a process of its own, for the kill -9 and two-writer tests.

    python -m tests.history_kit PATH SERVICE CYCLES [START]

Writes CYCLES cycles of SERVICE (one probe row each) through the real writer,
printing "started" after the first commit; CYCLES 0 means forever.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trayapp.core.history.record import Change, CycleRecord, IncidentSeen, ServiceCycle
from trayapp.core.monitor import StepResult
from trayapp.edges.history_store import HistoryWriter


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


WEEK_CONFIG = """
interval = 300
connectivity_url = "http://127.0.0.1:9/generate_204"
[[services]]
id = "claude"
name = "Claude"
feed = { kind = "statuspage", url = "http://127.0.0.1:9" }
probe = { url = "http://127.0.0.1:9/v1/models" }
fallbacks = ["openai"]
[[services]]
id = "openai"
name = "ChatGPT"
role = "fallback"
feed = { kind = "statuspage", url = "http://127.0.0.1:9/o" }
"""


def populate_week(path: Path, now: float) -> StepResult:
    """A realistic week through the real decision, ending at ``now``: Claude's 4 h
    outage 20 h ago (its probe failing 20 min before the page said so), offline for
    2 h two days ago, asleep for 10 h three days ago, degraded for 1 h five days ago;
    ChatGPT in maintenance for 2 h. Returns the last StepResult."""
    from datetime import UTC, datetime, timedelta

    from trayapp.config import parse_text
    from trayapp.core.monitor import MonitorState, step
    from trayapp.domain.levels import Level
    from trayapp.domain.model import Connectivity, FeedReport, Incident, Observation, ProbeResult
    from trayapp.runtime.recorder import Recorder

    config = parse_text(WEEK_CONFIG, "kit")
    rec = Recorder(config, path)
    end = datetime.fromtimestamp(now, UTC)
    outage_at = end - timedelta(hours=20)
    inc = Incident("inc-1", "Elevated errors on Claude Opus", "investigating",
                   Level.MAJOR_OUTAGE, created_at=outage_at)
    ok_probe = ProbeResult(Level.OPERATIONAL, "HTTP 401 in 90 ms", 401, 90)
    bad_probe = ProbeResult(Level.MAJOR_OUTAGE, "HTTP 500", 500, 2400, "HTTP 500")

    def page(level: Level, incident: Incident | None = None) -> FeedReport:
        return FeedReport("statuspage", level, level.label,
                          incidents=(incident,) if incident else ())

    state = MonitorState()
    result = None
    t = end - timedelta(days=7)
    while t <= end:
        ago = end - t
        hours = ago.total_seconds() / 3600
        t_next = t + timedelta(seconds=300)
        if 72 <= hours < 82:                         # asleep: no cycles at all
            t = t_next
            continue
        conn = Connectivity.NO_NETWORK if 48 <= hours < 50 else Connectivity.ONLINE
        claude_page = page(Level.OPERATIONAL)
        probe = ok_probe
        if 16 <= hours < 20:
            claude_page = page(Level.MAJOR_OUTAGE, inc)
        if 16.2 <= hours < 20 + 1 / 3:
            probe = bad_probe
        if 120 <= hours < 121:
            claude_page = page(Level.DEGRADED)
        openai = page(Level.MAINTENANCE if 100 <= hours < 102 else Level.OPERATIONAL)
        obs = {} if conn is not Connectivity.ONLINE else {
            "claude": Observation(claude_page, probe), "openai": Observation(openai)}
        result = step(config, state, conn, obs, t)
        state = result.state
        rec.record(result)
        t = t_next
    rec.close()
    assert result is not None
    return result
