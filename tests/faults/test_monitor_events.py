"""The pure monitor under faults: explicit ``now`` values, no network, no sleeps.

Unreadable polls, wall-clock jumps (sleep/resume, clock set back) and pages of
the wrong shape must never produce events; real, sustained changes must.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from tests.loopback import fixture
from trayapp import sources
from trayapp.config import Config, parse_text
from trayapp.core.feeds import read_feed
from trayapp.core.monitor import MonitorState, StepResult, step
from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Connectivity,
    EventKind,
    FeedReport,
    Observation,
    ProbeResult,
    SourceProblem,
    failed_feed,
)
from trayapp.domain.outcome import Fetched

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BASE = "https://status.example.com"
UP = ProbeResult(Level.OPERATIONAL, "API answers: HTTP 401 in 90 ms", status_code=401)
DOWN = ProbeResult(Level.MAJOR_OUTAGE, "API unreachable: timed out", error="timed out")
BLOCKED = ProbeResult(Level.UNKNOWN, "blocked by a bot challenge (HTTP 403)")


def config(probe: bool = True, feed: bool = True) -> Config:
    text = 'connectivity_url = ""\ninterval = 60\n[[services]]\nid = "svc"\n'
    text += f'feed = {{ kind = "statuspage", url = "{BASE}" }}\n' if feed else "feed = false\n"
    text += 'probe = { url = "https://api.example.com/v1/models" }\n' if probe \
        else "probe = false\n"
    return parse_text(text, "test.toml")


def feed(level: Level) -> FeedReport:
    return FeedReport("statuspage", level, level.label)


def run(cfg: Config, polls: Iterable[tuple[datetime, FeedReport | None, ProbeResult | None]],
        state: MonitorState | None = None) -> list[StepResult]:
    results = []
    state = state or MonitorState()
    for now, report, probe in polls:
        result = step(cfg, state, Connectivity.ONLINE, {"svc": Observation(report, probe)}, now)
        state = result.state
        results.append(result)
    return results


def events(results: list[StepResult]) -> list[tuple[str, str, str]]:
    return [(str(e.kind), str(e.old), str(e.new)) for r in results for e in r.events]


def minutes(*offsets: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in offsets]


UNREADABLE = [
    failed_feed("statuspage", SourceProblem.UNREACHABLE, "status page unreachable: timed out"),
    failed_feed("statuspage", SourceProblem.BLOCKED, "status page refused us (HTTP 429)"),
    failed_feed("statuspage", SourceProblem.HTTP_ERROR, "status page answered HTTP 500"),
    failed_feed("statuspage", SourceProblem.BROKEN, "status source broken"),
]


@pytest.mark.parametrize("bad", UNREADABLE, ids=[str(r.problem) for r in UNREADABLE])
def test_an_unreadable_page_during_a_declared_outage_is_no_recovery(bad: FeedReport) -> None:
    """The page says major outage, the API answers; one failed page fetch changes nothing."""
    major = feed(Level.MAJOR_OUTAGE)
    polls = zip(minutes(0, 1, 2, 3, 4), [major, major, bad, bad, major], [UP] * 5, strict=True)
    results = run(config(), polls)
    assert events(results) == [("worse", "unknown", "major_outage")]
    assert results[2].snapshot.services[0].summary      # it still says something


def test_a_real_recovery_after_an_unreadable_page_is_announced_once() -> None:
    major, ok = feed(Level.MAJOR_OUTAGE), feed(Level.OPERATIONAL)
    polls = zip(minutes(0, 1, 2, 3), [major, UNREADABLE[0], ok, ok], [UP] * 4, strict=True)
    assert events(run(config(), polls)) == [("worse", "unknown", "major_outage"),
                                            ("better", "major_outage", "operational")]


def test_the_probe_still_announces_an_outage_while_the_page_is_unreadable() -> None:
    ok, bad = feed(Level.OPERATIONAL), UNREADABLE[0]
    polls = zip(minutes(0, 1, 2, 3), [ok, bad, bad, bad], [UP, DOWN, DOWN, DOWN], strict=True)
    assert events(run(config(), polls)) == [("worse", "operational", "major_outage")]


def test_a_half_counted_failure_streak_does_not_complete_across_a_sleep() -> None:
    """One bad probe, the laptop sleeps eight hours, one bad probe: not two in a row."""
    polls = zip(minutes(0, 1, 1 + 8 * 60, 2 + 8 * 60), [None] * 4, [UP, DOWN, DOWN, UP],
                strict=True)
    results = run(config(feed=False), polls)
    assert events(results) == []
    assert results[2].resumed


def test_a_clock_set_back_resets_the_streaks_too() -> None:
    polls = zip(minutes(0, 1, -60, -59), [None] * 4, [UP, DOWN, DOWN, UP], strict=True)
    results = run(config(feed=False), polls)
    assert events(results) == []
    assert results[2].resumed


def test_resume_during_a_known_outage_needs_real_good_polls_to_recover() -> None:
    times = minutes(0, 1, 2, 2 + 12 * 60, 3 + 12 * 60)
    polls = zip(times, [None] * 5, [UP, DOWN, DOWN, UP, UP], strict=True)
    results = run(config(feed=False), polls)
    assert events(results) == [("worse", "operational", "major_outage"),
                               ("better", "major_outage", "operational")]
    assert results[3].events == ()      # the first good poll after resume is not enough


def test_a_clock_jump_with_no_change_is_silent() -> None:
    ok = feed(Level.OPERATIONAL)
    times = minutes(0, 1, 60 * 24 * 3, 60 * 24 * 3 + 1, -60 * 24)
    results = run(config(), zip(times, [ok] * 5, [UP] * 5, strict=True))
    assert events(results) == []
    assert [r.resumed for r in results] == [False, False, True, False, True]


def test_blocked_probe_results_neither_start_nor_clear_anything() -> None:
    polls = zip(minutes(0, 1, 2, 3, 4, 5), [None] * 6,
                [UP, DOWN, BLOCKED, DOWN, BLOCKED, UP], strict=True)
    assert events(run(config(feed=False), polls)) == [("worse", "operational", "major_outage")]


def _page(body: bytes, now: datetime) -> FeedReport:
    adapter = sources.get("statuspage")
    assert adapter is not None
    url = adapter.entry(BASE)
    report = read_feed(adapter, BASE, {url: Fetched(url, 200, body, 5)}, now)
    assert isinstance(report, FeedReport)
    return report


@pytest.mark.parametrize("junk", [
    b'{"page": null, "status": null, "components": null, "incidents": null}',
    b'{"components": [{}], "incidents": [{}]}',
    b'{"status": {"indicator": "apocalyptic"}, "components": [{"name": "API", "status": 7}]}',
    b"{}", b"[]", b"\xff\xfe", b"",
], ids=["nulls", "missing-keys", "unknown-enums", "empty-object", "bare-array", "bytes", "empty"])
def test_a_page_of_the_wrong_shape_does_not_resolve_remembered_incidents(junk: bytes) -> None:
    """Real page with one incident; a junk answer; the same page again: no event at all."""
    during = fixture("statuspage/anthropic-summary-1.json")
    times = minutes(0, 1, 2, 3)
    reports = [_page(body, t) for body, t in zip([during, during, junk, during], times,
                                                 strict=True)]
    assert reports[0].incidents and reports[2].level is Level.UNKNOWN
    results = run(config(probe=False), zip(times, reports, [None] * 4, strict=True))
    kinds = [e.kind for r in results[1:] for e in r.events]
    assert EventKind.INCIDENT_RESOLVED not in kinds and EventKind.INCIDENT_NEW not in kinds
    assert kinds == []
    summary = results[2].snapshot.services[0].summary
    assert "broken" in summary or "no longer serves" in summary, summary
