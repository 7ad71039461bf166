from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.levels import Level
from trayapp.model import FeedReport, SourceProblem
from trayapp.sources import get, google_cloud

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

URL = "https://status.cloud.google.com/incidents.json"
NOW = at("2026-07-26T00:00:00+00:00")
GEMINI = "Z0FZJAMvEB4j3NbCJs6B"


def read(body: bytes | None) -> FeedReport:
    return google_cloud.parse(URL, {URL: body}, NOW)


def open_copy(index: int, **changes: Any) -> list[dict[str, Any]]:
    """The real fixture with incident ``index`` re-opened (its ``end`` removed)."""
    data = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    del data[index]["end"]
    data[index].update(changes)
    return data


def test_registered_and_entry() -> None:
    adapter = get("google-cloud")
    assert adapter is not None and adapter.entry(URL) == URL
    assert google_cloud.entry("https://status.cloud.google.com") == URL


def test_fixture_all_resolved() -> None:
    report = read(fixture("google-cloud/gcp-incidents-1.json"))
    assert report.platform == "google-cloud" and report.problem is None
    assert report.level is Level.OPERATIONAL
    assert report.incidents == () and report.components == ()
    assert report.summary == "No active incidents"
    assert report.page_url == "https://status.cloud.google.com"


def test_reopened_gemini_incident() -> None:
    report = read(dumps(open_copy(3)))
    [inc] = report.incidents
    assert inc.name == ("Vertex AI Gemini API customers experienced increased error rates "
                        "when accessing the global endpoint.")
    assert inc.impact is Level.DEGRADED            # SERVICE_INFORMATION
    assert inc.url == "https://status.cloud.google.com/incidents/41E5S3mkTGDfkZuJZH5k"
    assert GEMINI in inc.component_ids
    assert "Gemini on Agent Platform" in inc.components
    assert [u.status for u in inc.updates] == ["available", "available", "service_information"]
    assert inc.updates[0].at == at("2026-03-09T05:25:43+00:00")
    assert report.level is Level.DEGRADED
    gemini = [c for c in report.components if c.id == GEMINI]
    assert gemini and gemini[0].level is Level.DEGRADED
    assert len(report.components) == 4


@pytest.mark.parametrize(("impact", "level"), [
    ("SERVICE_OUTAGE", Level.MAJOR_OUTAGE), ("SERVICE_DISRUPTION", Level.PARTIAL_OUTAGE),
    ("SERVICE_INFORMATION", Level.DEGRADED)])
def test_impact_mapping(impact: str, level: Level) -> None:
    report = read(dumps(open_copy(1, status_impact=impact)))
    assert report.incidents[0].impact is level and report.level is level


def test_empty_end_is_open_and_worst_wins() -> None:
    data = open_copy(0)          # SERVICE_DISRUPTION
    data[1]["end"] = ""          # SERVICE_DISRUPTION too
    data[3]["end"] = None        # SERVICE_INFORMATION
    report = read(dumps(data))
    assert len(report.incidents) == 3
    assert report.level is Level.PARTIAL_OUTAGE
    assert report.summary.endswith("(+2 more)")


def test_unknown_impact_is_unknown_with_warning() -> None:
    report = read(dumps(open_copy(1, status_impact="SERVICE_APOCALYPSE")))
    assert report.incidents[0].impact is Level.UNKNOWN
    assert report.warnings and "SERVICE_APOCALYPSE" in report.warnings[0]


def test_markup_and_non_ascii_text_kept_plain() -> None:
    data = [{"id": "x", "external_desc": "Ärger \x1b[31mred\x1b[0m\u202e", "status_impact":
             "SERVICE_OUTAGE", "updates": [{"status": "SERVICE_OUTAGE", "text": "a\nb",
                                            "when": "2026-07-25T10:00:00-07:00"}]}]
    [inc] = read(dumps(data)).incidents
    assert inc.name == "Ärger red"
    assert inc.updates[0].at == at("2026-07-25T17:00:00+00:00")
    assert inc.url == "https://status.cloud.google.com/incidents/x"


@pytest.mark.parametrize("body", [b"null", b"5", b"{}", b'{"incidents": []}', b'["a", 1]'])
def test_wrong_shapes_are_broken(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_empty_array_is_operational() -> None:
    assert read(b"[]").level is Level.OPERATIONAL


def test_empty_body_is_broken() -> None:
    assert read(b"").problem is SourceProblem.BROKEN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'[{"id": "x", "end"')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.lists(json_values, max_size=3).map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(google_cloud.parse, URL, URL, body, NOW)
