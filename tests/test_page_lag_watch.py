"""The page's lag from a history written by a real `trayapp watch` over a replayed
timeline (tests/timeline.py) where the probe sees trouble before the page, read
back by a real `trayapp history --json`; the lags are checked against the times
the watch itself printed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer, fixture
from tests.timeline import Frame, WatchReplay, page
from trayapp.core.history.lag import page_lag, problems
from trayapp.edges import history_store as store

QUIET = "statuspage/anthropic-summary-3.json"
INCIDENT = "statuspage/anthropic-summary-1.json"           # Console degraded, 1 incident
OVERLOADED = (fixture("edge-cases/anthropic-api-529-overloaded-1.json"), 529)


def failing(name: str) -> Frame:
    f = page(name)
    return Frame(f"{name} + probe 529", f.body, probe=OVERLOADED)


def _t(line: dict[str, object]) -> int:
    return int(datetime.fromisoformat(str(line["time"])).timestamp())


@pytest.mark.slow
def test_a_real_watch_history_gives_the_page_lag(server: LoopbackServer,
                                                 tmp_path: Path) -> None:
    replay = WatchReplay(server, tmp_path, "statuspage")
    # Each poll counts (no damping), so each frame is one state of the probe.
    replay.config.write_text("failure_threshold = 1\nsuccess_threshold = 1\n"
                             + replay.config.read_text())
    frames = [
        failing(QUIET),         # A: the probe fails, the page says nothing ...
        page(QUIET),            # ... and A ends, never admitted
        failing(QUIET),         # B: the probe fails first ...
        failing(INCIDENT),      # ... the page admits it a few polls later
        page(INCIDENT),         # B ends; the page still says degraded
        failing(INCIDENT),      # C: the page said so before this machine saw it: lag 0
        page(QUIET),
    ]
    replay.start(page(QUIET))
    try:
        for frame in frames:
            replay.show(frame)
    finally:
        replay.stop()
    worse = [(f, _t(d)) for f, d in replay.lines if d["kind"] == "worse"]
    new = [(f, _t(d)) for f, d in replay.lines if d["kind"] == "incident_new"]
    # (C changes nothing on the icon: the page already said degraded.)
    assert [f for f, _ in worse] == [frames[0].name, frames[2].name], replay.changes()
    assert [f for f, _ in new] == [frames[3].name]
    b_lag = new[0][1] - worse[1][1]
    assert b_lag > 0

    # The file the watch wrote, read back: three problems, their lags to the second.
    contents = store.read(tmp_path / "state" / "trayapp" / store.FILE_NAME, 0)
    assert contents is not None
    now = float(_t(replay.lines[-1][1]) + 1)
    page_spans, probe_spans = contents.spans[("svc", "page")], contents.spans[("svc", "probe")]
    found = problems(page_spans, probe_spans, now)
    assert [p.start for p in found][:2] == [w for _, w in worse]
    assert [(p.judged, p.lag) for p in found] == [(True, None), (True, b_lag), (True, 0.0)]
    expected = page_lag(page_spans, probe_spans, now)
    assert expected is not None
    assert expected.median_minutes == round(b_lag / 2 / 60, 1)

    # What `trayapp history --json` says of it, with the count it rests on.
    done = subprocess.run([sys.executable, "-m", "trayapp", "history", "--json"],
                          env=replay.env, text=True, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    (svc,) = json.loads(done.stdout)["services"]
    assert svc["page_lag"] == {"count": 3, "admitted": 2,
                               "median_minutes": round(b_lag / 2 / 60, 1), "grade": None}
    text = subprocess.run([sys.executable, "-m", "trayapp", "history"], env=replay.env,
                          text=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "Vendor's status page admitted 2 of the 3 problems this machine saw, a median " \
           "of " in text.stdout
    assert text.stdout.count("(a grade needs 5)") == 1
