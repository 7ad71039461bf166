"""Timeline replays of real captures with faults between them (see tests/timeline.py).

Each incident gives exactly one worse and one better change (plus its incident
lines), none while the page is unreadable, and the tray notifies exactly one
problem and one recovery. `status --json` is never `operational` while the page
is unreadable after an outage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loopback import LoopbackServer, fixture
from tests.timeline import Frame, WatchReplay, faults, page, replay_engine

QUIET = "statuspage/anthropic-summary-3.json"
INCIDENT = "statuspage/anthropic-summary-1.json"           # Console degraded, 1 incident


def anthropic_frames() -> list[Frame]:
    return [page(QUIET), page(INCIDENT), *faults(fixture(INCIDENT)), page(INCIDENT),
            page(QUIET)]


def test_anthropic_replay_through_the_core_and_the_tray_policy(server: LoopbackServer) -> None:
    steps = replay_engine(server, anthropic_frames(), "statuspage")
    by = [(s.frame.name, s.level, s.stale, s.events) for s in steps]
    assert by[0] == (QUIET, "operational", False, [])
    assert by[1] == (INCIDENT, "degraded", False, [("worse", "operational", "degraded"),
                                                   ("incident_new", "operational", "degraded")])
    for name, level, stale, events in by[2:-2]:
        assert events == [], name
        if name == "captive-portal":
            assert level == "unknown"                   # offline: nothing can be told
        else:
            assert (level, stale) == ("degraded", True), name    # stale, never green
    assert by[-2] == (INCIDENT, "degraded", False, [])
    assert by[-1] == (QUIET, "operational", False, [
        ("better", "degraded", "operational"), ("incident_resolved", "degraded", "operational")])
    sent = [(s.frame.name, n.kind, str(n.level)) for s in steps for n in s.notifications]
    assert sent == [(INCIDENT, "problem", "degraded"), (QUIET, "recovered", "operational")]


def test_openai_replay_an_impact_none_incident_raises_nothing(server: LoopbackServer) -> None:
    calm = "incidentio/openai-summary-compat-2.json"
    loud = "incidentio/openai-summary-compat-1.json"      # 2 incidents: minor and none
    frames = [page(calm), page(loud), *faults(fixture(loud))[:4], page(loud), page(calm)]
    steps = replay_engine(server, frames, "incidentio")
    assert [s.level for s in steps] == ["operational"] + ["degraded"] * 6 + ["operational"]
    assert all(s.stale for s in steps[2:6]) and not steps[6].stale
    changes = [(s.frame.name, kind) for s in steps for kind, _, _ in s.events]
    assert changes == [(loud, "worse"), (loud, "incident_new"), (loud, "incident_new"),
                       (calm, "better"), (calm, "incident_resolved"),
                       (calm, "incident_resolved")]
    sent = [n.kind for s in steps for n in s.notifications]
    assert sent == ["problem", "recovered"]


@pytest.mark.parametrize("entries", [["GitHub Actions", "GitHub Pages"],
                                     ["br0l2tvcx85d", "vg70hn9s2tyj"]],
                         ids=["by-name", "by-id"])
def test_github_filter_entry_churn_is_stale_and_named_never_green(
        server: LoopbackServer, entries: list[str]) -> None:
    quiet = "statuspage/github-summary-1-edit-quiet.json"
    outage = "statuspage/github-summary-1.json"
    churned = "statuspage/github-summary-1-edit-churned.json"   # Actions: new id, new name
    frames = [page(quiet), page(outage), page(churned), faults(fixture(outage))[0],
              page(outage), page(quiet)]
    steps = replay_engine(server, frames, "statuspage", components=entries)
    assert [(s.level, s.stale) for s in steps] == [
        ("operational", False), ("partial_outage", False), ("partial_outage", True),
        ("partial_outage", True), ("partial_outage", False), ("operational", False)]
    assert any(f"{entries[0]!r} stopped matching" in w for w in steps[2].warnings)
    assert [e[0] for s in steps for e in s.events] == [
        "worse", "incident_new", "better", "incident_resolved"]
    assert [n.kind for s in steps for n in s.notifications] == ["problem", "recovered"]


def test_a_real_watch_prints_exactly_the_real_changes(server: LoopbackServer,
                                                      tmp_path: Path) -> None:
    frames = anthropic_frames()
    replay = WatchReplay(server, tmp_path, "statuspage")
    replay.start(frames[0])
    unreadable_status = []
    try:
        for frame in frames[1:]:
            replay.show(frame)
            if frame.fault and not frame.portal and frame.name in ("503", "html", "challenge"):
                unreadable_status.append((frame.name, *replay.status()))
    finally:
        replay.stop()
    assert replay.changes() == [
        (INCIDENT, "worse", "operational", "degraded"),
        (INCIDENT, "incident_new", "operational", "degraded"),
        ("captive-portal", "offline", "online", "offline"),
        (INCIDENT, "online", "offline", "online"),
        (QUIET, "better", "degraded", "operational"),
        (QUIET, "incident_resolved", "degraded", "operational"),
    ]
    # A one-shot `status` has no memory: an unreadable page is unknown (exit 3), never
    # the keyless probe's "operational".
    for name, rc, data in unreadable_status:
        (svc,) = data["services"]
        assert (svc["level"], rc) == ("unknown", 3), name
        assert svc["feed"]["stale_since"] is None
        assert svc["summary"].endswith("; API answers: HTTP 401 in "
                                       f"{svc['probe']['latency_ms']} ms"), svc["summary"]
