"""The stale rule at its edges: an unreadable page keeps what it last said, never green.

Pure: `step` with explicit `now` values, the state file's real (de)serialisation
for restarts, and the tray's notification policy fed the same steps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trayapp.config import Config, parse_text
from trayapp.core.monitor import MonitorState, StepResult, step
from trayapp.core.policy import PolicyState, Settings, decide
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Component,
    Connectivity,
    EventKind,
    FeedReport,
    Incident,
    Observation,
    ProbeResult,
    SourceProblem,
    failed_feed,
)
from trayapp.edges.state import dump, load_bytes

CONFIG = parse_text("""
interval = 60
stale_after = 1800
[[services]]
id = "claude"
name = "Claude"
feed = { kind = "statuspage", url = "https://status.example.com" }
probe = { url = "https://api.example.com/v1/models" }
""", "test")
FILTERED = parse_text("""
interval = 60
[[services]]
id = "claude"
name = "Claude"
components = ["Claude API"]
feed = { kind = "statuspage", url = "https://status.example.com" }
""", "test")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def page(level: Level, *incidents: Incident) -> FeedReport:
    return FeedReport("statuspage", level, incidents[0].name if incidents else level.label,
                      components=(Component("c1", "Claude API (api.anthropic.com)", level),),
                      incidents=incidents)


BROKEN = failed_feed("statuspage", SourceProblem.BROKEN,
                     "status source broken: the page no longer serves Statuspage JSON")
BLOCKED = failed_feed("statuspage", SourceProblem.BLOCKED, "blocked: bot challenge")
KEYLESS = ProbeResult(Level.OPERATIONAL, "HTTP 401 in 80 ms", status_code=401)
TIMEOUT = ProbeResult(Level.MAJOR_OUTAGE, "timed out after 10 s", error="timeout")
OUTAGE = Incident("i1", "Elevated errors on the API", "investigating", Level.MAJOR_OUTAGE)


class Run:
    def __init__(self, config: Config = CONFIG, state: MonitorState | None = None,
                 min_gap: timedelta = timedelta(minutes=10)) -> None:
        self.config = config
        self.state = state or MonitorState()
        self.policy = PolicyState()
        self.settings = Settings(min_gap=min_gap)
        self.now = T0
        self.results: list[StepResult] = []
        self.sent: list[str] = []

    def at(self, now: datetime, f: FeedReport | None, p: ProbeResult | None = KEYLESS,
           conn: Connectivity = Connectivity.ONLINE) -> StepResult:
        self.now = now
        r = step(self.config, self.state, conn, {"claude": Observation(feed=f, probe=p)}, now,
                 tz=UTC)
        self.state = r.state
        d = decide(r.events, r.snapshot, self.policy, self.settings, now)
        self.policy = d.state
        self.sent += [f"{n.kind}:{n.level}" for n in d.notifications]
        self.results.append(r)
        return r

    def next(self, f: FeedReport | None, p: ProbeResult | None = KEYLESS,
             gap: timedelta = MINUTE) -> StepResult:
        return self.at(self.now + gap, f, p)


def svc(r: StepResult):  # type: ignore[no-untyped-def]
    s = r.snapshot.service("claude")
    assert s is not None
    return s


def changes(r: StepResult) -> list[tuple[EventKind, Level, Level]]:
    return [(e.kind, e.old, e.new) for e in r.events]


def test_an_unreadable_page_keeps_the_last_level_read_marked_stale_never_green() -> None:
    run = Run()
    r = run.at(T0, page(Level.MAJOR_OUTAGE, OUTAGE))
    assert changes(r) == [(EventKind.WORSE, Level.UNKNOWN, Level.MAJOR_OUTAGE)]
    for fault in (BROKEN, BLOCKED, failed_feed("statuspage", SourceProblem.HTTP_ERROR, "HTTP 503"),
                  failed_feed("statuspage", SourceProblem.UNREACHABLE, "timed out")):
        r = run.next(fault)                             # the keyless probe answers 401
        s = svc(r)
        assert s.level is Level.MAJOR_OUTAGE and s.stale_since == T0
        assert s.summary.startswith(
            "status page unreadable since 09:00; last known: major outage")
        assert r.events == ()
        assert snapshot_json(r.snapshot)["services"][0]["feed"]["stale_since"] == \
            "2026-11-25T09:00:00+00:00"
    assert run.sent == ["problem:major_outage"]        # no "back to operational"


def test_just_before_stale_after_it_still_counts_just_after_it_is_unknown() -> None:
    run = Run()
    run.at(T0, page(Level.PARTIAL_OUTAGE))
    run.at(T0 + MINUTE, BROKEN)
    r = run.at(T0 + timedelta(seconds=1800), BROKEN)
    assert svc(r).level is Level.PARTIAL_OUTAGE
    r = run.at(T0 + timedelta(seconds=1801), BROKEN)
    s = svc(r)
    assert s.level is Level.UNKNOWN and s.stale_since == T0
    assert "last known: partial outage (too long ago to count)" in s.summary
    assert r.events == ()                              # unknown is never announced
    r = run.next(page(Level.OPERATIONAL))              # readable again: the real recovery
    assert changes(r) == [(EventKind.BETTER, Level.PARTIAL_OUTAGE, Level.OPERATIONAL)]
    assert svc(r).stale_since is None
    assert snapshot_json(r.snapshot)["services"][0]["feed"]["stale_since"] is None
    assert run.sent == ["problem:partial_outage", "recovered:operational"]


def test_a_probe_can_make_a_stale_level_worse_never_better() -> None:
    run = Run(min_gap=timedelta(0))
    run.at(T0, page(Level.DEGRADED))
    assert svc(run.next(BROKEN, TIMEOUT)).level is Level.DEGRADED   # not yet confirmed
    r = run.next(BROKEN, TIMEOUT)                                   # confirmed: worse
    assert changes(r) == [(EventKind.WORSE, Level.DEGRADED, Level.MAJOR_OUTAGE)]
    assert svc(r).level is Level.MAJOR_OUTAGE and "API probe: timed out" in svc(r).summary
    for _ in range(3):                                # the probe recovers; the page is still
        r = run.next(BROKEN, KEYLESS)                 # unreadable: no recovery announced
        assert svc(r).level is Level.MAJOR_OUTAGE and r.events == ()
    r = run.next(page(Level.OPERATIONAL))
    assert changes(r) == [(EventKind.BETTER, Level.MAJOR_OUTAGE, Level.OPERATIONAL)]
    assert run.sent == ["problem:degraded", "problem:major_outage", "recovered:operational"]


def test_a_good_probe_never_lifts_a_stale_outage() -> None:
    run = Run()
    run.at(T0, page(Level.MAJOR_OUTAGE))
    for _ in range(5):
        assert svc(run.next(BLOCKED, KEYLESS)).level is Level.MAJOR_OUTAGE


def test_a_restart_during_staleness_keeps_the_last_read_and_its_time() -> None:
    run = Run()
    run.at(T0, page(Level.MAJOR_OUTAGE, OUTAGE))
    run.next(BROKEN)
    restored = load_bytes(dump(run.state))             # the real state file round trip
    mem = restored.services["claude"]
    assert mem.feed_read_at == T0 and mem.feed_level is Level.MAJOR_OUTAGE
    again = Run(state=restored)
    r = again.at(T0 + timedelta(minutes=10), BROKEN)
    assert svc(r).level is Level.MAJOR_OUTAGE and svc(r).stale_since == T0
    assert r.events == ()
    r = again.at(T0 + timedelta(minutes=31), BROKEN)    # the age counts across the restart
    assert svc(r).level is Level.UNKNOWN
    r = again.next(page(Level.OPERATIONAL))
    assert changes(r)[0] == (EventKind.BETTER, Level.MAJOR_OUTAGE, Level.OPERATIONAL)
    assert (EventKind.INCIDENT_RESOLVED, Level.MAJOR_OUTAGE, Level.OPERATIONAL) in changes(r)


def test_no_good_read_yet_is_unknown_whatever_a_keyless_probe_says() -> None:
    run = Run()
    for fault in (BROKEN, BLOCKED):
        s = svc(run.next(fault, KEYLESS))
        assert s.level is Level.UNKNOWN and s.stale_since is None
        assert "API probe: HTTP 401" in s.summary
    assert all(r.events == () for r in run.results) and run.sent == []


def test_no_good_read_yet_but_a_confirmed_failing_probe_is_the_early_warning() -> None:
    run = Run()
    assert svc(run.next(BROKEN, TIMEOUT)).level is Level.UNKNOWN      # not yet confirmed
    r = run.next(BROKEN, TIMEOUT)
    assert svc(r).level is Level.MAJOR_OUTAGE and svc(r).stale_since is None
    assert changes(r) == [(EventKind.WORSE, Level.UNKNOWN, Level.MAJOR_OUTAGE)]
    r = run.next(BROKEN, KEYLESS)                      # one good probe clears nothing
    assert svc(r).level is Level.MAJOR_OUTAGE and r.events == ()
    for _ in range(3):            # the probe recovered, the page is still unreadable:
        r = run.next(BROKEN, KEYLESS)                  # unknown, and no recovery announced
        assert svc(r).level is Level.UNKNOWN and r.events == ()
    assert run.sent == ["problem:major_outage"]


def test_a_service_without_a_feed_takes_the_probe_alone() -> None:
    config = parse_text("""
[[services]]
id = "claude"
name = "Claude"
probe = { url = "https://api.example.com/v1/models" }
""", "test")
    run = Run(config)
    assert svc(run.at(T0, None, KEYLESS)).level is Level.OPERATIONAL


def test_the_snapshot_and_the_events_never_disagree() -> None:
    run = Run()
    sequence = [page(Level.OPERATIONAL), page(Level.MAJOR_OUTAGE, OUTAGE), BROKEN, BLOCKED,
                BROKEN, page(Level.MAJOR_OUTAGE, OUTAGE), BROKEN, page(Level.OPERATIONAL),
                BROKEN, page(Level.OPERATIONAL)]
    told = Level.OPERATIONAL                  # the first read is the silent baseline
    for f in sequence:
        r = run.next(f)
        told = next((e.new for e in reversed(r.events)
                     if e.kind in (EventKind.WORSE, EventKind.BETTER)), told)
        assert svc(r).level is told
    kinds = [e.kind for r in run.results for e in r.events]
    assert kinds == [EventKind.WORSE, EventKind.INCIDENT_NEW, EventKind.BETTER,
                     EventKind.INCIDENT_RESOLVED]
    assert run.sent == ["problem:major_outage", "recovered:operational"]


def test_a_filter_entry_that_stops_matching_is_stale_and_named() -> None:
    run = Run(FILTERED)
    r = run.at(T0, page(Level.PARTIAL_OUTAGE), None)
    assert svc(r).level is Level.PARTIAL_OUTAGE
    # the vendor renamed the component and gave it a new id
    churned = FeedReport("statuspage", Level.PARTIAL_OUTAGE, "x",
                         components=(Component("z9", "Anthropic API", Level.OPERATIONAL),))
    r = run.next(churned, None)
    s = svc(r)
    assert s.level is Level.PARTIAL_OUTAGE and s.stale_since == T0     # not green
    assert "entry 'Claude API' no longer matches" in s.summary
    assert any("'Claude API' stopped matching" in w for w in r.snapshot.warnings)
    assert r.events == ()
    r = run.at(T0 + timedelta(minutes=31), churned, None)
    assert svc(r).level is Level.UNKNOWN and "no longer matches" in svc(r).summary


def test_a_filter_that_never_matched_is_unknown_not_stale() -> None:
    run = Run(FILTERED)
    r = run.at(T0, FeedReport("statuspage", Level.OPERATIONAL, "x",
                              components=(Component("z9", "Other", Level.OPERATIONAL),)), None)
    s = svc(r)
    assert s.level is Level.UNKNOWN and s.stale_since is None
    assert "matches nothing" in s.summary


def test_an_incident_gone_from_the_page_is_resolved_once() -> None:
    run = Run()
    run.at(T0, page(Level.OPERATIONAL))
    assert EventKind.INCIDENT_NEW in [e.kind for e in run.next(page(Level.DEGRADED, OUTAGE)).events]
    assert run.next(BROKEN).events == ()               # unreadable: nothing resolved
    r = run.next(page(Level.OPERATIONAL))
    assert [e.kind for e in r.events] == [EventKind.BETTER, EventKind.INCIDENT_RESOLVED]
    assert run.next(page(Level.OPERATIONAL)).events == ()


def test_stale_after_is_a_config_key_with_a_clear_error() -> None:
    import pytest

    from trayapp.config import ConfigError

    base = '[[services]]\nid = "x"\nprobe = { url = "https://api.example.com/" }\n'
    assert parse_text(base, "t").stale_after == 1800
    assert parse_text("stale_after = 0\n" + base, "t").stale_after == 0
    with pytest.raises(ConfigError, match="stale_after"):
        parse_text('stale_after = "soon"\n' + base, "t")
    with pytest.raises(ConfigError, match="stale_after"):
        parse_text("stale_after = -5\n" + base, "t")


def test_stale_after_zero_means_an_unreadable_page_is_unknown_at_once() -> None:
    config = parse_text("""
stale_after = 0
[[services]]
id = "claude"
name = "Claude"
feed = { kind = "statuspage", url = "https://status.example.com" }
""", "test")
    run = Run(config)
    run.at(T0, page(Level.MAJOR_OUTAGE), None)
    r = run.next(BROKEN, None)
    assert svc(r).level is Level.UNKNOWN and svc(r).stale_since == T0 and r.events == ()


def test_stale_looks_stale_in_the_tooltip_and_the_text_even_when_it_said_operational() -> None:
    from trayapp.core.render import snapshot_text
    from trayapp.tray.tooltip import tooltip

    run = Run()
    run.at(T0, page(Level.OPERATIONAL))
    r = run.next(BLOCKED, gap=timedelta(minutes=12))
    assert svc(r).level is Level.OPERATIONAL and svc(r).stale_since == T0
    tip = tooltip(r.snapshot, run.now)
    assert tip.startswith("Claude: operational (stale) - status page unreadable since 09:00")
    assert tip.endswith("(last good read 12 min ago)")
    assert "status page: stale (unreadable since " in snapshot_text(r.snapshot)


def test_every_surface_names_the_remembered_level_never_the_failed_reads() -> None:
    """A major outage read at 09:00, then the page breaks: the summary, the JSON, the
    terminal text, the details window and the tooltip all say "last known: major
    outage" (the failed read itself is unknown); no "just now" next to "unreadable"."""
    from trayapp.core.render import snapshot_text
    from trayapp.tray.tooltip import tooltip
    from trayapp.windows.details_text import dashboard

    run = Run()
    run.at(T0, page(Level.MAJOR_OUTAGE, OUTAGE))
    for gap, age in ((timedelta(seconds=30), None), (timedelta(minutes=20), "20 min ago")):
        run.now = T0
        r = run.next(BROKEN, gap=gap)
        s = svc(r)
        assert s.feed is not None and s.feed.level is Level.UNKNOWN    # the failed read
        assert s.level is Level.MAJOR_OUTAGE and s.last_known is Level.MAJOR_OUTAGE
        said = "last known: major outage"
        data = snapshot_json(r.snapshot)
        assert data["services"][0]["feed"]["last_known"] == "major_outage"
        assert said in s.summary and said in snapshot_text(r.snapshot)
        [view] = dashboard(data, run.now, UTC).services
        assert view.reason.startswith("Status page unreadable since 09:00")
        assert said in view.reason and "unknown" not in view.reason
        tip = tooltip(r.snapshot, run.now)
        assert said in tip and "just now" not in tip and "(read " not in tip
        assert tip.endswith(f"(last good read {age})") if age else tip.endswith(")")
    # too long: still the remembered level, said to be too old to count
    r = run.next(BROKEN, gap=timedelta(minutes=40))
    assert svc(r).level is Level.UNKNOWN and svc(r).stale_expired
    [view] = dashboard(snapshot_json(r.snapshot), run.now, UTC).services
    assert view.reason.endswith("last known: major outage (too long ago to count)")


def test_a_filter_edited_to_one_that_never_matched_keeps_nothing_of_the_old_one() -> None:
    from dataclasses import replace

    run = Run(FILTERED)
    run.at(T0, page(Level.MAJOR_OUTAGE), None)
    (svc_config,) = FILTERED.services
    run.config = replace(FILTERED, services=(replace(svc_config, components=("Typo",)),))
    s = svc(run.next(page(Level.MAJOR_OUTAGE), None))
    assert s.level is Level.UNKNOWN and s.stale_since is None
