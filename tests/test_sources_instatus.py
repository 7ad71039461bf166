from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import NeedDocuments, get, instatus

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

BASE = "https://status.perplexity.com"
SUMMARY = BASE + "/summary.json"
COMPONENTS = BASE + "/v2/components.json"
NOW = at("2026-09-01T00:00:00+00:00")


def read(summary: bytes | None, components: bytes | None = None) -> FeedReport:
    got = instatus.parse(BASE, {SUMMARY: summary, COMPONENTS: components}, NOW)
    assert isinstance(got, FeedReport)
    return got


def page(status: str, **extra: Any) -> bytes:
    return dumps({"page": {"name": "P", "url": BASE, "status": status}, **extra})


def test_registered_and_asks_for_components() -> None:
    assert get("instatus") is not None
    assert instatus.entry(BASE + "/") == SUMMARY
    got = instatus.parse(BASE, {SUMMARY: fixture("instatus/perplexity-summary-1.json")}, NOW)
    assert got == NeedDocuments((COMPONENTS,))


def test_fixtures_up() -> None:
    report = read(fixture("instatus/perplexity-summary-1.json"),
                  fixture("instatus/perplexity-v2-components-1.json"))
    assert report.platform == "instatus" and report.problem is None
    assert report.level is Level.OPERATIONAL
    assert report.summary == "All systems operational"
    assert [(c.name, c.level) for c in report.components] == [
        ("Website", Level.OPERATIONAL), ("API", Level.OPERATIONAL),
        ("Computer", Level.OPERATIONAL)]
    assert report.components[0].id == "clyi6jhgg31469ihojbwbsmeeg"
    assert report.incidents == () and report.maintenances == ()
    assert report.page_url == BASE


def test_components_unreadable_keeps_summary() -> None:
    report = read(fixture("instatus/perplexity-summary-1.json"), None)
    assert report.level is Level.OPERATIONAL and report.components == ()
    assert any("components.json" in w for w in report.warnings)


def test_has_issues_takes_worst_incident() -> None:
    incidents = [
        {"id": "a", "name": "API slow", "status": "INVESTIGATING", "impact": "DEGRADEDPERFORMANCE",
         "started": "Sat Jul 09 2022 04:20:00 GMT+0000 (Coordinated Universal Time)",
         "url": "https://status.perplexity.com/incident/a"},
        {"id": "b", "name": "Search down", "status": "IDENTIFIED", "impact": "MAJOROUTAGE"},
        {"id": "c", "name": "Old", "status": "RESOLVED", "impact": "MAJOROUTAGE"},
    ]
    report = read(page("HASISSUES", activeIncidents=incidents))
    assert [(i.name, i.status, i.impact) for i in report.incidents] == [
        ("API slow", "investigating", Level.DEGRADED),
        ("Search down", "identified", Level.MAJOR_OUTAGE)]
    assert report.incidents[0].created_at == at("2022-07-09T04:20:00+00:00")
    assert report.level is Level.MAJOR_OUTAGE and report.indicator is Level.MAJOR_OUTAGE
    assert report.summary == "Search down (+1 more)"


def test_has_issues_without_incidents_is_degraded() -> None:
    assert read(page("HASISSUES")).level is Level.DEGRADED


def test_under_maintenance() -> None:
    maint = [{"id": "m", "name": "DB <b>upgrade</b>", "status": "INPROGRESS",
              "start": "2026-09-01T00:00:00+02:00", "duration": 60},
             {"id": "n", "name": "Later", "status": "NOTSTARTEDYET"},
             {"id": "o", "name": "Done", "status": "COMPLETED"}]
    report = read(page("UNDERMAINTENANCE", activeMaintenances=maint))
    assert report.level is Level.MAINTENANCE
    assert [(m.name, m.in_progress) for m in report.maintenances] == [
        ("DB upgrade", True), ("Later", False)]
    assert report.maintenances[0].starts_at == at("2026-08-31T22:00:00+00:00")
    assert report.summary == "Maintenance: DB upgrade"


@pytest.mark.parametrize(("status", "level"), [
    ("OPERATIONAL", Level.OPERATIONAL), ("UNDERMAINTENANCE", Level.MAINTENANCE),
    ("DEGRADEDPERFORMANCE", Level.DEGRADED), ("PARTIALOUTAGE", Level.PARTIAL_OUTAGE),
    ("MINOROUTAGE", Level.DEGRADED), ("MAJOROUTAGE", Level.MAJOR_OUTAGE),
    ("EXPLODED", Level.UNKNOWN)])
def test_component_statuses(status: str, level: Level) -> None:
    comps = dumps({"components": [{"id": "x", "name": "Ünï", "status": status,
                                   "group": {"name": "G"}}]})
    report = read(page("UP"), comps)
    assert report.components[0].level is level and report.components[0].group == "G"
    assert report.level is (Level.OPERATIONAL if level is Level.UNKNOWN else level)


def test_unknown_page_status() -> None:
    report = read(page("ON_FIRE"))
    assert report.indicator is Level.UNKNOWN and report.warnings


@pytest.mark.parametrize("body", [b"null", b"[]", b"{}", b'{"page": 3}', b"7"])
def test_wrong_shapes(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'{"page": {"status": "U')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.dictionaries(st.sampled_from(["page", "activeIncidents", "activeMaintenances",
                                          "components"]), json_values).map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(instatus.parse, BASE, SUMMARY, body, NOW)
