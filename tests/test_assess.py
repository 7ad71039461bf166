"""The component filter, over the real Anthropic capture."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from tests.loopback import fixture
from trayapp import sources
from trayapp.core.assess import NOTHING_MATCHES, assess
from trayapp.domain.levels import Level
from trayapp.domain.model import Component, FeedReport, Incident

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


def test_chosen_component_keeps_its_own_status_over_the_incident_impact() -> None:
    a = assess(anthropic(), ("Claude Console",))
    # component degraded, incident impact major: the component's status is the level
    assert a.level is Level.DEGRADED
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


def test_incident_naming_a_chosen_component_is_the_headline_not_the_level() -> None:
    report = FeedReport(
        platform="statuspage", level=Level.DEGRADED, summary="x",
        components=(Component("a", "Claude API (api.anthropic.com)", Level.OPERATIONAL),),
        incidents=(Incident("i", "Elevated errors on Claude Opus", "identified",
                            Level.PARTIAL_OUTAGE,
                            components=("Claude API (api.anthropic.com)",)),))
    a = assess(report, ("Claude API",))
    assert a.level is Level.OPERATIONAL            # the page gives the component's status
    assert a.report.summary == "Elevated errors on Claude Opus"


# ------------------------------------------------------------ hard real cases

def test_indicator_minor_component_partial_incident_major_is_partial_outage() -> None:
    # An edit of the real capture: indicator `minor`, Claude API `partial_outage`, and
    # the open incident naming it has impact `major`. The impact is not the level.
    page = anthropic("statuspage/anthropic-summary-1-edit-api-partial.json")
    assert page.incidents[0].impact is Level.PARTIAL_OUTAGE          # "major"
    assert assess(page, ()).level is Level.PARTIAL_OUTAGE
    filtered = assess(page, ("Claude API",))
    assert filtered.level is Level.PARTIAL_OUTAGE
    assert filtered.report.summary == "Elevated errors on the Claude API"


def test_an_impact_none_incident_raises_nothing() -> None:
    # Google Cloud style: the product is known only from the incident naming it.
    report = FeedReport(
        platform="google-cloud", level=Level.OPERATIONAL, summary="x",
        incidents=(Incident("g1", "Vertex Gemini API: informational", "ongoing",
                            Level.OPERATIONAL, components=("Vertex Gemini API",),
                            component_ids=("Z0FZJAMvEB4j3NbCJs6B",)),))
    a = assess(report, ("Z0FZJAMvEB4j3NbCJs6B",))
    assert a.level is Level.OPERATIONAL and not a.unmatched_filter


def test_incident_impact_stands_in_only_for_products_the_page_gives_no_status_for() -> None:
    inc = Incident("g1", "Gemini errors", "ongoing", Level.MAJOR_OUTAGE,
                   components=("Vertex Gemini API",), component_ids=("Z0F",))
    report = FeedReport(platform="google-cloud", level=Level.MAJOR_OUTAGE, summary="x",
                        incidents=(inc, replace(inc, id="g2", impact=Level.DEGRADED)))
    a = assess(report, ("vertex gemini",))
    assert a.level is Level.MAJOR_OUTAGE and [c.id for c in a.report.components] == ["Z0F"]


# ------------------------------------------------------------ linear in the page

class CountingId(str):
    """A component id that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountingId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_filter_and_dedup_are_linear_in_the_page() -> None:
    n = 2000
    comps = tuple(Component(CountingId(f"id{i}"), f"Model {i}", Level.OPERATIONAL)
                  for i in range(n))
    incs = tuple(Incident(f"i{i}", f"Incident {i}", "investigating", Level.DEGRADED,
                          components=tuple(f"Model {j}" for j in range(i, min(i + 5, n))),
                          component_ids=tuple(f"id{j}" for j in range(i, min(i + 5, n))))
                 for i in range(0, n, 4))
    report = FeedReport(platform="statuspage", level=Level.OPERATIONAL, summary="x",
                        components=comps, incidents=incs)
    CountingId.compared = 0
    a = assess(report, ("Model", "model 1", "id7"))      # every component matches
    assert len(a.report.components) == n
    assert a.level is Level.OPERATIONAL
    # Pairwise de-duplication would compare ids about n * n / 2 = 2,000,000 times.
    assert CountingId.compared < 20 * n, CountingId.compared
