"""The component filter, over the real Anthropic capture."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.loopback import fixture
from trayapp import sources
from trayapp.assess import NOTHING_MATCHES, assess
from trayapp.levels import Level
from trayapp.model import Component, FeedReport, Incident

BASE = "https://status.claude.com"


def anthropic(name: str = "statuspage/anthropic-summary-1.json") -> FeedReport:
    adapter = sources.get("statuspage")
    assert adapter is not None
    r = adapter.parse(BASE, {adapter.entry(BASE): fixture(name)}, datetime.now(UTC))
    assert isinstance(r, FeedReport)
    return r


def test_no_filter_is_the_page_level() -> None:
    a = assess(anthropic(), ())
    assert a.level is Level.DEGRADED and a.warnings == ()


def test_prefix_match_case_insensitive_and_incident_elsewhere_does_not_count() -> None:
    a = assess(anthropic(), ("claude api",))
    assert [c.name for c in a.report.components] == ["Claude API (api.anthropic.com)"]
    assert a.level is Level.OPERATIONAL          # the Console incident is elsewhere
    assert len(a.report.incidents) == 1           # still shown
    assert "elsewhere" in a.report.summary


def test_chosen_component_with_incident_takes_the_incident_impact() -> None:
    a = assess(anthropic(), ("Claude Console",))
    # component degraded, incident impact major -> partial outage
    assert a.level is Level.PARTIAL_OUTAGE
    assert a.report.summary == "Elevated errors on platform.claude.com"


def test_match_by_id() -> None:
    a = assess(anthropic(), ("0qbwn08sd68x",))
    assert [c.name for c in a.report.components] == ["Claude Console (platform.claude.com)"]


def test_partly_unmatched_filter_warns_once_per_entry() -> None:
    a = assess(anthropic(), ("Claude API", "Claud Typo"))
    assert a.level is Level.OPERATIONAL
    assert a.warnings == ("component filter entry 'Claud Typo' matches nothing on the page",)
    assert not a.unmatched_filter


def test_filter_matching_nothing_is_unknown_never_green() -> None:
    a = assess(anthropic("statuspage/anthropic-summary-3.json"), ("Gemini",))
    assert a.unmatched_filter
    assert a.level is Level.UNKNOWN
    assert a.report.summary == NOTHING_MATCHES


def test_incidents_listing_no_component_do_not_count() -> None:
    report = FeedReport(
        platform="incidentio", level=Level.MAJOR_OUTAGE, summary="x",
        components=(Component("a", "API", Level.OPERATIONAL),),
        incidents=(Incident("i", "Everything is on fire", "investigating",
                            Level.MAJOR_OUTAGE),))
    a = assess(report, ("API",))
    assert a.level is Level.OPERATIONAL
    assert a.report.incidents and a.report.incidents[0].name == "Everything is on fire"


def test_incident_naming_a_chosen_component_counts() -> None:
    report = FeedReport(
        platform="statuspage", level=Level.DEGRADED, summary="x",
        components=(Component("a", "Claude API (api.anthropic.com)", Level.OPERATIONAL),),
        incidents=(Incident("i", "Elevated errors on Claude Opus", "identified",
                            Level.PARTIAL_OUTAGE,
                            components=("Claude API (api.anthropic.com)",)),))
    a = assess(report, ("Claude API",))
    assert a.level is Level.PARTIAL_OUTAGE
    assert a.report.summary == "Elevated errors on Claude Opus"
