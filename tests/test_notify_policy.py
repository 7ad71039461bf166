"""The notification policy, table-tested: events + snapshot + memory + now -> notifications."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from tests.test_tray_builders import (
    HOSTILE,
    T0,
    claude,
    fallbacks,
    incident,
    service,
    snapshot,
)
from trayapp.core.policy import (
    NO_FALLBACK,
    Decision,
    PolicyState,
    Settings,
    Told,
    decide,
    in_quiet_hours,
    pause_until,
)
from trayapp.domain.levels import Level
from trayapp.domain.model import Event, EventKind, Maintenance, Snapshot
from trayapp.edges import notify_memory
from trayapp.tray.notify_text import for_platform

S = Settings(local_ids=frozenset({"ollama"}), tz=UTC)
MAJOR, OK = Level.MAJOR_OUTAGE, Level.OPERATIONAL


def ev(kind: EventKind, old: Level = OK, new: Level = MAJOR, at: datetime = T0,
       incident_name: str | None = None) -> Event:
    return Event(kind, "claude", old, new, "why", at, incident=incident_name)


def known(level: Level = OK, *incidents: str, last_sent: datetime | None = None) -> PolicyState:
    return PolicyState(told={"claude": Told(level=level, incidents=frozenset(incidents),
                                            last_sent=last_sent)})


def down(*, openai: Level = OK, ollama: Level = OK, at: datetime = T0) -> Snapshot:
    return snapshot(claude(MAJOR, incident()), *fallbacks(openai, ollama), at=at)


def up(at: datetime = T0) -> Snapshot:
    return snapshot(claude(OK), *fallbacks(), at=at)


WORSE = (ev(EventKind.WORSE), ev(EventKind.INCIDENT_NEW, incident_name="Elevated errors"))


def run(events: tuple[Event, ...], snap: Snapshot, state: PolicyState,
        settings: Settings = S, now: datetime = T0) -> Decision:
    return decide(events, snap, state, settings, now)


def test_outage_is_announced_once_with_fallbacks_coalesced() -> None:
    d = run(WORSE, down(), known())
    assert len(d.notifications) == 1       # two events of one service: one notification
    n = d.notifications[0]
    assert n.title == "Claude: major outage"
    assert n.body == "Elevated errors on Claude Opus\nTry: ChatGPT, Ollama (local)"
    # the same state again (another cycle, even with the events repeated): nothing
    assert run(WORSE, down(), d.state, now=T0 + timedelta(hours=1)).notifications == ()


@pytest.mark.parametrize(("openai", "ollama", "line"), [
    (OK, OK, "Try: ChatGPT, Ollama (local)"),
    (MAJOR, OK, "Try: Ollama (local)"),
    (Level.DEGRADED, Level.PARTIAL_OUTAGE, "Try: ChatGPT (degraded)"),
    # a degraded fallback is named as such and offered after the healthy ones
    (Level.DEGRADED, OK, "Try: Ollama (local), ChatGPT (degraded)"),
    (OK, Level.DEGRADED, "Try: ChatGPT, Ollama (local, degraded)"),
    (MAJOR, Level.UNKNOWN, NO_FALLBACK),
])
def test_fallback_line_lists_only_those_up_now(openai: Level, ollama: Level, line: str) -> None:
    d = run(WORSE, down(openai=openai, ollama=ollama), known())
    assert d.notifications[0].body.splitlines()[-1] == line


def test_min_gap_holds_problems_but_never_recoveries() -> None:
    first = run(WORSE, down(), known()).state
    # recovered 2 minutes later: always announced
    rec = run((ev(EventKind.BETTER, MAJOR, OK),), up(), first, now=T0 + timedelta(minutes=2))
    assert [n.kind for n in rec.notifications] == ["recovered"]
    assert rec.notifications[0].title == "Claude: operational"
    # down again 3 minutes after the first one: held (min_gap 10 min) ...
    again = run(WORSE, down(), rec.state, now=T0 + timedelta(minutes=3))
    assert again.notifications == () and again.held == (("claude", "min_gap"),)
    # ... and sent when the gap has passed, because it is still down
    later = run((), down(), again.state, now=T0 + timedelta(minutes=11))
    assert [n.kind for n in later.notifications] == ["problem"]


def test_min_gap_zero_sends_each_change() -> None:
    settings = Settings(min_gap=timedelta(0), tz=UTC)
    s1 = run(WORSE, down(), known(), settings).state
    s2 = run((ev(EventKind.BETTER, MAJOR, OK),), up(), s1, settings).state
    assert len(run(WORSE, down(), s2, settings).notifications) == 1


@pytest.mark.parametrize(("clock", "quiet"), [
    (time(23, 30), True), (time(2, 0), True), (time(6, 59), True),
    (time(7, 0), False), (time(12, 0), False), (time(21, 59), False), (time(22, 0), True),
])
def test_quiet_hours_across_midnight(clock: time, quiet: bool) -> None:
    qh = (time(22, 0), time(7, 0))
    now = datetime.combine(T0.date(), clock, tzinfo=UTC)
    assert in_quiet_hours(now, qh, UTC) is quiet
    d = run(WORSE, down(), known(), Settings(quiet_hours=qh, tz=UTC), now)
    assert (d.notifications == ()) is quiet


def test_quiet_hours_same_day_window_and_timezone() -> None:
    qh = (time(12, 0), time(13, 0))
    assert in_quiet_hours(datetime(2024, 5, 1, 12, 30, tzinfo=UTC), qh, UTC)
    assert not in_quiet_hours(datetime(2024, 5, 1, 13, 0, tzinfo=UTC), qh, UTC)
    # quiet hours are local: 10:30 UTC is 12:30 in UTC+2
    plus2 = timezone(timedelta(hours=2))
    assert in_quiet_hours(datetime(2024, 5, 1, 10, 30, tzinfo=UTC), qh, plus2)
    assert not in_quiet_hours(datetime(2024, 5, 1, 10, 30, tzinfo=UTC), qh, UTC)


def test_held_in_quiet_hours_is_sent_after_if_still_down() -> None:
    settings = Settings(quiet_hours=(time(22, 0), time(7, 0)), tz=UTC)
    night = datetime(2024, 5, 1, 23, 0, tzinfo=UTC)
    held = run(WORSE, down(), known(), settings, night)
    assert held.notifications == () and held.held == (("claude", "quiet hours"),)
    morning = run((), down(), held.state, settings, datetime(2024, 5, 2, 7, 5, tzinfo=UTC))
    assert [n.kind for n in morning.notifications] == ["problem"]
    # recovered during the night instead: nothing was told, nothing to say
    quiet_recovery = run((ev(EventKind.BETTER, MAJOR, OK),), up(), held.state, settings,
                         datetime(2024, 5, 2, 7, 5, tzinfo=UTC))
    assert quiet_recovery.notifications == ()


def test_pause_and_resume() -> None:
    paused = PolicyState(told=known().told, paused_until=T0 + timedelta(hours=1))
    d = run(WORSE, down(), paused)
    assert d.notifications == () and d.held == (("claude", "paused"),)
    after = run((), down(), d.state, now=T0 + timedelta(hours=1, minutes=1))
    assert len(after.notifications) == 1


def test_pause_until() -> None:
    assert pause_until(T0, "hour", S) == T0 + timedelta(hours=1)
    assert pause_until(T0, "tomorrow", S) == datetime(2024, 5, 2, 7, 0, tzinfo=UTC)
    qs = Settings(quiet_hours=(time(22, 0), time(8, 30)), tz=UTC)
    assert pause_until(T0, "tomorrow", qs) == datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    assert pause_until(T0, "", S) is None


@pytest.mark.parametrize(("level", "min_level", "sent"), [
    (Level.DEGRADED, Level.DEGRADED, True),
    (Level.DEGRADED, Level.PARTIAL_OUTAGE, False),
    (Level.PARTIAL_OUTAGE, Level.PARTIAL_OUTAGE, True),
    (Level.MAINTENANCE, Level.DEGRADED, False),
    (Level.MAINTENANCE, Level.MAINTENANCE, True),
    (Level.MAJOR_OUTAGE, Level.MAJOR_OUTAGE, True),
])
def test_min_level(level: Level, min_level: Level, sent: bool) -> None:
    snap = snapshot(claude(level), *fallbacks())
    d = run((ev(EventKind.WORSE, OK, level),), snap, known(),
            Settings(min_level=min_level, tz=UTC))
    assert bool(d.notifications) is sent


def test_recovery_only_after_a_problem_the_user_was_told_about() -> None:
    settings = Settings(min_level=Level.PARTIAL_OUTAGE, tz=UTC)
    degraded = snapshot(claude(Level.DEGRADED), *fallbacks())
    s1 = run((ev(EventKind.WORSE, OK, Level.DEGRADED),), degraded, known(), settings)
    assert s1.notifications == ()
    s2 = run((ev(EventKind.BETTER, Level.DEGRADED, OK),), up(), s1.state, settings)
    assert s2.notifications == ()


def test_new_incident_and_resolved_incident_while_still_down() -> None:
    one = snapshot(claude(MAJOR, incident("A", iid="a")), *fallbacks())
    two = snapshot(claude(MAJOR, incident("A", iid="a"), incident("B", iid="b")), *fallbacks())
    s = run(WORSE, one, known()).state
    d = run((ev(EventKind.INCIDENT_NEW, MAJOR, MAJOR, incident_name="B"),), two, s,
            now=T0 + timedelta(minutes=20))
    assert d.notifications[0].body.startswith("B\n")
    back_to_one = run((ev(EventKind.INCIDENT_RESOLVED, MAJOR, MAJOR, incident_name="B"),),
                      one, d.state, now=T0 + timedelta(minutes=40))
    n = back_to_one.notifications[0]
    assert n.kind == "resolved" and n.body.startswith("Resolved: B")


def test_maintenance_flag() -> None:
    m = Maintenance("m1", "Database upgrade", "in_progress", True)
    snap = snapshot(claude(Level.MAINTENANCE, maintenances=(m,)), *fallbacks())
    events = (ev(EventKind.MAINTENANCE_STARTED, OK, Level.MAINTENANCE,
                 incident_name="Database upgrade"),)
    assert run(events, snap, known()).notifications == ()
    on = run(events, snap, known(), Settings(notify_maintenance=True, tz=UTC))
    assert on.notifications[0].body == "Maintenance started: Database upgrade"
    assert run(events, snap, on.state, Settings(notify_maintenance=True, tz=UTC),
               T0 + timedelta(hours=1)).notifications == ()


def test_offline_and_unknown_say_nothing() -> None:
    offline = snapshot(claude(Level.UNKNOWN), *fallbacks(), offline=True)
    assert run(WORSE, offline, known()) == Decision((), known())
    unknown = snapshot(claude(Level.UNKNOWN), *fallbacks())
    assert run((), unknown, known(MAJOR, last_sent=T0)).notifications == ()


def test_first_sight_is_learned_silently_unless_the_core_reports_a_change() -> None:
    quiet = run((), down(), PolicyState())
    assert quiet.notifications == () and quiet.state.told["claude"].level is MAJOR
    assert len(run(WORSE, down(), PolicyState()).notifications) == 1


def test_restart_memory_round_trip_does_not_reannounce(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = notify_memory.PolicyStore(tmp_path / "n.json")
    d = run(WORSE, down(), known())
    store.save(replace_paused(d.state))
    again = notify_memory.PolicyStore(tmp_path / "n.json").load()
    assert again == replace_paused(d.state)
    # the core re-reports the outage after a restart: nothing new to tell
    assert run(WORSE, down(), again, now=T0 + timedelta(hours=2)).notifications == ()


def replace_paused(state: PolicyState) -> PolicyState:
    return PolicyState(told=state.told, paused_until=T0 + timedelta(minutes=5))


def test_corrupt_memory_starts_fresh_without_reannouncing(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "n.json"
    path.write_bytes(b'{"version": 1, "told": {"claude": {"level": "bogus"')
    state = notify_memory.PolicyStore(path).load()
    assert state.baseline and "corrupt" in caplog.text
    d = run(WORSE, down(), state)
    assert d.notifications == () and not d.state.baseline
    assert run(WORSE, down(), d.state, now=T0 + timedelta(hours=1)).notifications == ()


@pytest.mark.parametrize("data", [b"", b"[]", b'{"version": 2}', b'{"version":1,"told":{"c":{}}}',
                                  b'{"version":1,"told":{},"paused_until":"2024-01-01T00:00"}'])
def test_memory_rejects_bad_files(data: bytes) -> None:
    with pytest.raises(ValueError):
        notify_memory.load_bytes(data)


def test_hostile_incident_text_in_notifications() -> None:
    snap = snapshot(claude(MAJOR, incident(HOSTILE)), *fallbacks())
    n = run(WORSE, snap, known()).notifications[0]
    for platform, (tmax, bmax) in {"win32": (64, 256), "linux": (120, 500)}.items():
        title, body = for_platform(n.title, n.body, platform)
        assert len(title) <= tmax and len(body) <= bmax
        for bad in ("\x1b", "\x07", "\u202e", "<b>", "<script>", "[31m"):
            assert bad not in title + body
        assert "Bold red evil" in body
    _, linux = for_platform("t", "a < b & <i>c</i>", "linux")
    assert linux == "a &lt; b &amp; c"
    assert for_platform("t", "a < b", "win32")[1] == "a < b"


def test_no_fallback_line_when_none_is_configured() -> None:
    # "No fallback is up right now" is only news when fallbacks exist.
    alone = replace(claude(MAJOR, incident()), fallbacks=())
    d = run(WORSE, snapshot(alone, at=T0), known())
    assert d.notifications[0].body == "Elevated errors on Claude Opus"


def test_a_hold_is_logged_once_per_change_not_per_poll() -> None:
    """Paused through many polls of one outage: "held back" once; again only when what
    is held changes (another level), or after the hold ended and came back."""
    from trayapp.core.policy import fresh_holds
    paused = PolicyState(told=known().told, paused_until=T0 + timedelta(days=1))
    logged: list[tuple[str, str, str]] = []
    before: frozenset[tuple[str, str, str]] = frozenset()
    state = paused
    polls = [down()] * 5 + [snapshot(claude(Level.DEGRADED), *fallbacks())] * 3 + [up()] * 2
    polls += [down()] * 2
    for n, snap in enumerate(polls):
        d = run(WORSE, snap, state, now=T0 + timedelta(minutes=n))
        new, before = fresh_holds(d, snap, before)
        logged += new
        state = d.state
    assert logged == [("claude", "paused", "major_outage"), ("claude", "paused", "degraded"),
                      ("claude", "paused", "major_outage")]


@pytest.mark.parametrize(("snap", "body"), [
    (down(), "Notifications work. One about Claude would end:\nTry: ChatGPT, Ollama (local)"),
    (down(openai=MAJOR, ollama=MAJOR), f"Notifications work. One about Claude would end:\n"
                                       f"{NO_FALLBACK}"),
    (snapshot(service("gemini")), "Notifications work. (No fallback to name: none is configured "
                           "or checked yet.)"),
    (None, "Notifications work. (No fallback to name: none is configured or checked yet.)"),
])
def test_the_test_notification_says_it_is_one_and_names_a_fallback_up(
        snap: Snapshot | None, body: str) -> None:
    from trayapp.core.policy import trial_note
    assert trial_note(snap, S) == ("trayapp: test notification", body)
