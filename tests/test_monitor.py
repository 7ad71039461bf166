"""The decision engine, table-style, with explicit `now` values (no clock, no patching)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from trayapp.config import parse_text
from trayapp.core.monitor import MonitorState, StepResult, step
from trayapp.core.render import offered
from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Component,
    Connectivity,
    EventKind,
    FeedReport,
    Incident,
    Maintenance,
    Observation,
    ProbeResult,
    SourceProblem,
    failed_feed,
)

CONFIG = parse_text("""
interval = 60
[[services]]
id = "claude"
name = "Claude"
fallbacks = ["local"]
feed = { kind = "statuspage", url = "https://status.example.com" }
probe = { url = "https://api.example.com/v1/models" }
[[services]]
id = "local"
name = "Local"
role = "fallback"
probe = { url = "http://127.0.0.1:9/v1/models" }
""", "test")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ON = Connectivity.ONLINE


def feed(level: Level, *incidents: Incident, maint: tuple[Maintenance, ...] = ()) -> FeedReport:
    return FeedReport("statuspage", level, "All good" if not incidents else incidents[0].name,
                      components=(Component("c", "API", level),), incidents=incidents,
                      maintenances=maint)


def probe(level: Level) -> ProbeResult:
    return ProbeResult(level, f"probe says {level}", status_code=529 if level.is_problem else 401)


OK_FEED, OK_PROBE = feed(Level.OPERATIONAL), probe(Level.OPERATIONAL)
UP = {"local": Observation(probe=OK_PROBE)}


class Run:
    """Feeds a sequence of polls through `step`, one interval apart."""

    def __init__(self) -> None:
        self.state = MonitorState()
        self.now = T0
        self.last: StepResult | None = None

    def poll(self, f: FeedReport | None = OK_FEED, p: ProbeResult | None = OK_PROBE,
             conn: Connectivity = ON, gap: timedelta = timedelta(seconds=60)) -> StepResult:
        if self.last is not None:
            self.now += gap
        obs = {"claude": Observation(feed=f, probe=p), **UP}
        self.last = step(CONFIG, self.state, conn, obs, self.now)
        self.state = self.last.state
        return self.last

    def level(self) -> Level:
        assert self.last is not None
        s = self.last.snapshot.service("claude")
        assert s is not None
        return s.level


def kinds(result: StepResult) -> list[EventKind]:
    return [e.kind for e in result.events if e.service == "claude"]


def test_first_healthy_poll_is_a_quiet_baseline() -> None:
    r = Run().poll()
    assert r.events == ()
    assert r.snapshot.overall is Level.OPERATIONAL


def test_feed_changes_count_at_once() -> None:
    run = Run()
    run.poll()
    r = run.poll(f=feed(Level.MAJOR_OUTAGE))
    assert kinds(r) == [EventKind.WORSE]
    assert (r.events[0].old, r.events[0].new) == (Level.OPERATIONAL, Level.MAJOR_OUTAGE)
    r = run.poll()
    assert kinds(r) == [EventKind.BETTER]


def test_probe_needs_two_bad_results_and_two_good_ones_to_clear() -> None:
    run = Run()
    run.poll()
    assert kinds(run.poll(p=probe(Level.DEGRADED))) == []
    assert run.level() is Level.OPERATIONAL
    summary = run.last.snapshot.service("claude").summary  # type: ignore[union-attr]
    assert summary  # says something even while unconfirmed
    r = run.poll(p=probe(Level.DEGRADED))
    assert kinds(r) == [EventKind.WORSE] and run.level() is Level.DEGRADED
    assert kinds(run.poll()) == [] and run.level() is Level.DEGRADED
    assert kinds(run.poll()) == [EventKind.BETTER] and run.level() is Level.OPERATIONAL


def test_single_blips_never_announce() -> None:
    run = Run()
    run.poll()
    seen = []
    for p in [Level.MAJOR_OUTAGE, Level.OPERATIONAL] * 5:
        seen += kinds(run.poll(p=probe(p)))
    assert seen == []


def test_unknown_probe_neither_starts_nor_clears() -> None:
    run = Run()
    run.poll()
    run.poll(p=probe(Level.MAJOR_OUTAGE))
    assert kinds(run.poll(p=probe(Level.UNKNOWN))) == []
    assert kinds(run.poll(p=probe(Level.MAJOR_OUTAGE))) == [EventKind.WORSE]
    run.poll()
    assert kinds(run.poll(p=probe(Level.UNKNOWN))) == []
    assert run.level() is Level.MAJOR_OUTAGE          # one good result does not clear it


def test_probe_failing_while_the_page_says_operational_is_the_early_warning() -> None:
    run = Run()
    run.poll(p=probe(Level.DEGRADED))
    run.poll(p=probe(Level.DEGRADED))
    s = run.last.snapshot.service("claude")  # type: ignore[union-attr]
    assert s is not None
    assert s.level is Level.DEGRADED and s.probe_disagrees
    assert "the status page still says operational" in s.summary
    assert s.feed is not None and s.feed.level is Level.OPERATIONAL


def test_offline_makes_every_remote_service_unknown_and_announces_nothing() -> None:
    run = Run()
    run.poll()
    for conn in (Connectivity.NO_NETWORK, Connectivity.CAPTIVE_PORTAL):
        r = run.poll(f=failed_feed("statuspage", SourceProblem.UNREACHABLE, "unreachable"),
                     p=probe(Level.MAJOR_OUTAGE), conn=conn)
        assert r.snapshot.offline and r.events == ()
        claude, local = r.snapshot.service("claude"), r.snapshot.service("local")
        assert claude is not None and claude.level is Level.UNKNOWN
        # the remote probe is unknown too, not an outage under an unknown service
        assert claude.probe is not None and claude.probe.level is Level.UNKNOWN
        assert claude.summary == f"offline: {r.snapshot.reason}"
        # the local server is still assessed, and offered as the fallback
        assert local is not None and local.local and local.level is Level.OPERATIONAL
        assert offered(r.snapshot, "claude") == (local,)
        assert r.snapshot.reason is not None and str(conn) in r.snapshot.reason
        assert not r.snapshot.reason.startswith("offline")      # said once, by each surface
        assert r.snapshot.overall is Level.UNKNOWN
    assert kinds(run.poll()) == []                   # back online, nothing changed


def test_unreadable_feed_between_two_readable_ones_causes_no_events() -> None:
    run = Run()
    run.poll(f=feed(Level.PARTIAL_OUTAGE), p=None)
    r = run.poll(f=failed_feed("statuspage", SourceProblem.BROKEN, "status source broken"),
                 p=None)
    assert r.events == () and run.level() is Level.PARTIAL_OUTAGE     # stale, not green
    s = r.snapshot.service("claude")
    assert s is not None and s.source_broken and s.stale_since == T0
    assert kinds(run.poll(f=feed(Level.PARTIAL_OUTAGE), p=None)) == []


def test_a_broken_feed_with_no_memory_is_unknown_whatever_a_keyless_probe_says() -> None:
    run = Run()
    r = run.poll(f=failed_feed("statuspage", SourceProblem.BLOCKED, "blocked"))
    s = r.snapshot.service("claude")
    assert s is not None and s.level is Level.UNKNOWN          # a 401 proves nothing more
    assert s.summary == "blocked; API probe: probe says operational"
    assert r.events == ()


def test_outage_already_there_on_the_first_poll_is_announced_once() -> None:
    run = Run()
    assert kinds(run.poll(f=feed(Level.MAJOR_OUTAGE))) == [EventKind.WORSE]
    assert kinds(run.poll(f=feed(Level.MAJOR_OUTAGE))) == []


def test_incidents_and_maintenance_events() -> None:
    inc = Incident("i1", "Elevated errors", "investigating", Level.DEGRADED)
    m = Maintenance("m1", "DB upgrade", "in_progress", True)
    run = Run()
    run.poll()
    r = run.poll(f=feed(Level.DEGRADED, inc))
    assert kinds(r) == [EventKind.WORSE, EventKind.INCIDENT_NEW]
    assert r.events[1].incident == "Elevated errors"
    r = run.poll(f=feed(Level.OPERATIONAL))
    assert kinds(r) == [EventKind.BETTER, EventKind.INCIDENT_RESOLVED]
    assert kinds(run.poll(f=feed(Level.MAINTENANCE, maint=(m,)))) == [
        EventKind.WORSE, EventKind.MAINTENANCE_STARTED]
    assert kinds(run.poll()) == [EventKind.BETTER, EventKind.MAINTENANCE_ENDED]


def test_incidents_present_at_the_first_poll_are_the_baseline() -> None:
    inc = Incident("i1", "Old incident", "monitoring", Level.OPERATIONAL)
    run = Run()
    assert kinds(run.poll(f=feed(Level.OPERATIONAL, inc))) == []
    assert kinds(run.poll(f=feed(Level.OPERATIONAL, inc))) == []


def test_sleep_resume_resets_half_counted_probe_failures() -> None:
    run = Run()
    run.poll()
    run.poll(p=probe(Level.MAJOR_OUTAGE))
    r = run.poll(p=probe(Level.MAJOR_OUTAGE), gap=timedelta(hours=8))
    assert r.resumed and kinds(r) == []
    assert kinds(run.poll(p=probe(Level.MAJOR_OUTAGE))) == [EventKind.WORSE]


def test_clock_set_back_is_a_jump_too() -> None:
    run = Run()
    run.poll()
    assert run.poll(gap=-timedelta(hours=1)).resumed


def test_the_fallbacks_offered_are_the_ones_up() -> None:
    run = Run()
    r = run.poll(f=feed(Level.MAJOR_OUTAGE))
    assert [s.id for s in offered(r.snapshot, "claude")] == ["local"]
    obs = {"claude": Observation(feed=feed(Level.MAJOR_OUTAGE)),
           "local": Observation(probe=probe(Level.MAJOR_OUTAGE))}
    r = step(replace(CONFIG, failure_threshold=1), MonitorState(), ON, obs, T0)
    assert offered(r.snapshot, "claude") == ()


def test_filter_matching_nothing_makes_the_service_unknown() -> None:
    svc = replace(CONFIG.services[0], components=("Nope",))
    cfg = replace(CONFIG, services=(svc, CONFIG.services[1]))
    r = step(cfg, MonitorState(), ON, {"claude": Observation(feed=OK_FEED, probe=OK_PROBE)}, T0)
    s = r.snapshot.service("claude")
    assert s is not None and s.level is Level.UNKNOWN
    assert "component filter matches nothing" in s.summary
    assert r.snapshot.warnings == ("claude: component filter entry 'Nope' matches nothing "
                                   "on the page",)


def test_a_bad_probe_awaiting_confirmation_is_polled_again_sooner() -> None:
    from trayapp.core.cadence import next_poll

    config = parse_text(
        'interval = 60\n[[services]]\nid = "a"\nname = "A"\n'
        'probe = { url = "https://api.example.com/v1/models" }\n', "t.toml")
    now = datetime(2025, 1, 1, tzinfo=UTC)
    good = {"a": Observation(probe=ProbeResult(Level.OPERATIONAL, "HTTP 401"))}
    bad = {"a": Observation(probe=ProbeResult(Level.DEGRADED, "HTTP 529"))}
    first = step(config, MonitorState(), Connectivity.ONLINE, good, now)
    assert next_poll(first, config).every == 60
    pending = step(config, first.state, Connectivity.ONLINE, bad, now + timedelta(seconds=60))
    assert pending.snapshot.services[0].level is Level.OPERATIONAL     # not yet confirmed
    assert next_poll(pending, config).every == 15
    confirmed = step(config, pending.state, Connectivity.ONLINE, bad, now + timedelta(seconds=75))
    assert confirmed.snapshot.services[0].level is Level.DEGRADED
    assert next_poll(confirmed, config).every == 15
