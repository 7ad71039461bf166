"""A simulated month through the real decision and a real SQLite file, on a clock we pass.

Every cycle goes through :func:`trayapp.core.monitor.step` and the Runner's own
history hook (:class:`trayapp.runtime.recorder.Recorder`), at times we choose:
outages, an offline day and a two-day gap (laptop asleep) land exactly where
the timeline says, so the uptime arithmetic can be checked to the second.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trayapp.config import Config, parse_text
from trayapp.core.history.report import ServiceReport, build
from trayapp.core.monitor import MonitorState, step
from trayapp.domain.levels import Level
from trayapp.domain.model import Connectivity, FeedReport, Incident, Observation, ProbeResult
from trayapp.edges import history_store as store
from trayapp.runtime.recorder import Recorder

INTERVAL = 900
DAY = 86400
START = datetime(2026, 10, 1, tzinfo=UTC)

CONFIG = f"""
interval = {INTERVAL}
connectivity_url = "http://127.0.0.1:9/generate_204"
[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "http://127.0.0.1:9" }}
probe = {{ url = "http://127.0.0.1:9/v1/models" }}
"""


def feed(level: Level, incident: Incident | None = None) -> FeedReport:
    return FeedReport(platform="statuspage", level=level, summary=level.label,
                      incidents=(incident,) if incident else ())


OK_PROBE = ProbeResult(Level.OPERATIONAL, "HTTP 401 in 80 ms", 401, 80)
BAD_PROBE = ProbeResult(Level.MAJOR_OUTAGE, "timed out", None, None, "timeout")


def run(config: Config, path: Path,
        timeline: Iterator[tuple[datetime, Connectivity, Observation]]) -> None:
    recorder = Recorder(config, path)
    state = MonitorState()
    for now, conn, obs in timeline:
        result = step(config, state, conn, {"claude": obs}, now)
        state = result.state
        assert recorder.record(result)
    recorder.close()


def report(path: Path, now: datetime) -> ServiceReport:
    contents = store.read(path, int(now.timestamp()) - 31 * DAY)
    assert contents is not None
    (only,) = build(contents, int(now.timestamp()))
    return only


def month() -> Iterator[tuple[datetime, Connectivity, Observation]]:
    """30 days of 15-minute polls: a 6 h page outage on day 10 (probe fine), offline
    all of day 15, nothing at all on days 20 and 21 (asleep), a 3 h probe outage on
    day 25 (page fine)."""
    outage = Incident("inc1", "Elevated errors", "investigating", Level.MAJOR_OUTAGE,
                      created_at=START + timedelta(days=10))
    for n in range(30 * DAY // INTERVAL + 1):
        t = n * INTERVAL
        now = START + timedelta(seconds=t)
        if 20 * DAY < t < 22 * DAY:
            continue
        if 15 * DAY <= t < 16 * DAY:
            yield now, Connectivity.NO_NETWORK, Observation()
        elif 10 * DAY <= t < 10 * DAY + 6 * 3600:
            yield now, Connectivity.ONLINE, Observation(feed(Level.MAJOR_OUTAGE, outage),
                                                        OK_PROBE)
        elif 25 * DAY <= t < 25 * DAY + 3 * 3600:
            yield now, Connectivity.ONLINE, Observation(feed(Level.OPERATIONAL), BAD_PROBE)
        else:
            yield now, Connectivity.ONLINE, Observation(feed(Level.OPERATIONAL), OK_PROBE)


def test_a_month_of_polls_gives_exact_uptimes(tmp_path: Path) -> None:
    config = parse_text(CONFIG, "test")
    path = tmp_path / "history.sqlite3"
    run(config, path, month())
    end = START + timedelta(days=30)
    r = report(path, end)
    observed = 27 * DAY                     # 30 days minus a day offline and two asleep
    # The probe's outage counts once confirmed: after its second bad poll (threshold 2),
    # and lasts until the second good one clears it.
    probe_down = 3 * 3600 - INTERVAL + INTERVAL
    page_down = 6 * 3600
    page, probe, combined = (r.uptime[s]["30d"] for s in ("page", "probe", "combined"))
    assert page.observed == observed and page.down == page_down
    assert probe.observed == observed and probe.down == probe_down
    assert combined.observed == observed and combined.down == page_down + probe_down
    assert combined.percent == 100 * (observed - page_down - probe_down) / observed
    assert round(combined.observed_percent, 6) == round(100 * 27 / 30, 6)
    # the last 7 days: fully watched, only the probe's outage
    week = r.uptime["combined"]["7d"]
    assert week.observed == 7 * DAY and week.down == probe_down
    # the last 24 h: all up
    assert r.uptime["combined"]["24h"].percent == 100.0
    # the changes, newest first: the probe's outage and recovery, then the page's
    assert [(c.old, c.new, c.source) for c in r.changes] == [
        ("major_outage", "operational", "both"), ("operational", "major_outage", "probe"),
        ("major_outage", "operational", "both"), ("operational", "major_outage", "page")]
    (inc,) = r.incidents
    assert inc.row.name == "Elevated errors" and inc.row.impact == "major_outage"
    assert inc.end is not None and inc.duration(int(end.timestamp())) == 6 * 3600
    assert inc.lead is None and inc.probe_watched     # the probe saw nothing wrong then


def test_nothing_observed_is_no_uptime_not_full_uptime(tmp_path: Path) -> None:
    config = parse_text(CONFIG, "test")
    path = tmp_path / "history.sqlite3"
    offline = ((START + timedelta(seconds=n * INTERVAL), Connectivity.NO_NETWORK,
                Observation()) for n in range(20))
    run(config, path, offline)
    r = report(path, START + timedelta(hours=5))
    day = r.uptime["combined"]["24h"]
    assert day.percent is None and day.observed == 0


def test_the_probe_seeing_it_first_is_a_lead_time(tmp_path: Path) -> None:
    config = parse_text(CONFIG.replace(f"interval = {INTERVAL}", "interval = 60"), "test")
    path = tmp_path / "history.sqlite3"
    posted = START + timedelta(minutes=30)
    inc = Incident("i2", "API errors", "investigating", Level.PARTIAL_OUTAGE, created_at=posted)

    def timeline() -> Iterator[tuple[datetime, Connectivity, Observation]]:
        for minute in range(90):
            now = START + timedelta(minutes=minute)
            bad_probe = 20 <= minute < 60          # the API fails from minute 20
            page_bad = 30 <= minute < 55           # the page says so from minute 30
            yield now, Connectivity.ONLINE, Observation(
                feed(Level.PARTIAL_OUTAGE, inc) if page_bad else feed(Level.OPERATIONAL),
                BAD_PROBE if bad_probe else OK_PROBE)
    run(config, path, timeline())
    r = report(path, START + timedelta(minutes=90))
    (i,) = r.incidents
    # confirmed at minute 21 (the second bad probe): 9 minutes before the page
    assert i.lead == 9 * 60
    from trayapp.core.history.report import lead_phrase
    assert lead_phrase(i) == "the probe saw it 9 min before the page"
