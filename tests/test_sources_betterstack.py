from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import betterstack, get

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

BASE = "https://status.together.ai"
URL = BASE + "/index.json"
NOW = at("2026-09-04T12:00:00+00:00")


def read(body: bytes | None, now: Any = NOW) -> FeedReport:
    return betterstack.parse(BASE, {URL: body}, now)


def together() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture("betterstack/together-index-1.json"))
    return data


def report_row(doc: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in doc["included"] if r["type"] == "status_report")


def resource(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["included"] if r["type"] == "status_page_resource"
                and r["attributes"]["public_name"] == name)


def test_registered_and_entry() -> None:
    assert get("betterstack") is not None
    assert betterstack.entry(BASE + "/") == URL


def test_fixture_operational_with_past_maintenance() -> None:
    report = read(fixture("betterstack/together-index-1.json"))
    assert report.platform == "betterstack" and report.problem is None
    assert report.level is Level.OPERATIONAL and report.indicator is Level.OPERATIONAL
    assert report.summary == "All systems operational"
    assert len(report.components) == 22
    assert all(c.level is Level.OPERATIONAL for c in report.components)
    by_name = {c.name: c for c in report.components}
    assert by_name["Website"].group == "Website"
    assert by_name["GLM 5.3"].group == "Inference - Chat"
    assert by_name["Kokoro-82M"].group == "Inference - Voice"
    assert report.incidents == () and report.maintenances == ()   # resolved maintenance
    assert report.page_url == "https://status.together.ai"


def test_reopened_report_as_incident_with_updates_newest_first() -> None:
    doc = together()
    row = report_row(doc)
    row["attributes"].update(report_type="manual", ends_at=None, aggregate_state="downtime")
    report = read(dumps(doc))
    [inc] = report.incidents
    assert inc.name == "Scheduled network maintenance"
    assert inc.impact is Level.MAJOR_OUTAGE and inc.status == "ongoing"
    assert inc.updates[0].body == "Maintenance ended"
    assert inc.updates[1].body.startswith("We will be performing scheduled network maintenance")
    assert "–" in inc.updates[1].body      # en dash kept
    assert inc.updates[0].at == at("2026-07-03T06:59:00+00:00")
    assert "GLM 5.2" in inc.components and "8918569" in inc.component_ids
    assert report.level is Level.OPERATIONAL   # the page itself still says operational
    assert report.summary == "Scheduled network maintenance"


@pytest.mark.parametrize(("starts", "in_progress"), [
    ("2026-09-04T11:00:00Z", True), ("2026-09-05T11:00:00+02:00", False)])
def test_maintenance_windows(starts: str, in_progress: bool) -> None:
    doc = together()
    report_row(doc)["attributes"].update(starts_at=starts, ends_at="2026-09-06T00:00:00Z",
                                         aggregate_state="maintenance")
    report = read(dumps(doc))
    [m] = report.maintenances
    assert m.in_progress is in_progress
    assert report.level is (Level.MAINTENANCE if in_progress else Level.OPERATIONAL)


@pytest.mark.parametrize(("state", "level"), [
    ("degraded", Level.DEGRADED), ("downtime", Level.MAJOR_OUTAGE),
    ("maintenance", Level.MAINTENANCE), ("not_monitored", Level.UNKNOWN),
    ("weird", Level.UNKNOWN)])
def test_resource_states(state: str, level: Level) -> None:
    doc = together()
    resource(doc, "Playground")["attributes"]["status"] = state
    report = read(dumps(doc))
    assert {c.name: c.level for c in report.components}["Playground"] is level
    assert report.level is (Level.OPERATIONAL if level is Level.UNKNOWN else level)
    assert bool(report.warnings) is (state == "weird")


def test_aggregate_state_downtime() -> None:
    doc = together()
    doc["data"]["attributes"]["aggregate_state"] = "downtime"
    assert read(dumps(doc)).level is Level.MAJOR_OUTAGE


def test_markup_in_names() -> None:
    doc = together()
    resource(doc, "Website")["attributes"]["public_name"] = "<b>Site</b> &amp; app"
    names = [c.name for c in read(dumps(doc)).components]
    assert "Site & app" in names


@pytest.mark.parametrize("body", [b"null", b"[]", b"{}", b'{"data": []}',
                                  b'{"data": {"type": "page"}}'])
def test_wrong_shapes(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_minimal_page_and_bad_included() -> None:
    doc = {"data": {"type": "status_page", "attributes": {"aggregate_state": "degraded"}},
           "included": [None, 3, {"type": "status_page_resource"}, {"type": "status_report",
                                                                     "attributes": "x"}]}
    report = read(dumps(doc))
    assert report.level is Level.DEGRADED


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'{"data": {"ty')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.fixed_dictionaries({"data": st.fixed_dictionaries(
           {"type": st.just("status_page"), "attributes": json_values}),
           "included": st.lists(json_values, max_size=4)}).map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(betterstack.parse, BASE, URL, body, NOW)
