from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import flashduty, get

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

URL = "https://status.deepseek.com/api/status-page/6410630422455/summary/active"
NOW = at("2026-09-20T00:00:00+00:00")
PRO = "01KY4MVS8BM3F9JSYWACGQVG7A"


def read(body: bytes | None) -> FeedReport:
    return flashduty.parse(URL, {URL: body}, NOW)


def with_changes(*changes: Any) -> bytes:
    doc: dict[str, Any] = json.loads(fixture("flashduty/deepseek-summary-active-1.json"))
    doc["data"]["active_changes"] = list(changes)
    return dumps(doc)


def test_registered_and_entry_unchanged() -> None:
    assert get("flashduty") is not None and flashduty.entry(URL) == URL


def test_fixture_no_active_changes() -> None:
    report = read(fixture("flashduty/deepseek-summary-active-1.json"))
    assert report.platform == "flashduty" and report.problem is None
    assert report.level is Level.OPERATIONAL and report.incidents == ()
    assert report.summary == "All systems operational"
    assert report.page_url == "https://status.deepseek.com"
    assert len(report.components) == 8
    assert all(c.level is Level.OPERATIONAL for c in report.components)
    by_name = {c.name: c for c in report.components}
    assert by_name["DeepSeek V4 Pro API服务(API Service)"].id == PRO
    assert by_name["DeepSeek V4 Pro API服务(API Service)"].group is None
    assert by_name["快速模式(Instant Mode)"].group == "对话服务(Chat Service)"


def test_change_naming_a_component() -> None:
    report = read(with_changes({"id": "c1", "title": "API <b>errors</b>", "status": "Investigating",
                                "severity": "Critical", "components": [{"component_id": PRO}]}))
    [inc] = report.incidents
    assert (inc.name, inc.status, inc.impact) == ("API errors", "investigating", Level.MAJOR_OUTAGE)
    levels = {c.id: c.level for c in report.components}
    assert levels[PRO] is Level.MAJOR_OUTAGE
    assert {lv for cid, lv in levels.items() if cid != PRO} == {Level.OPERATIONAL}
    assert report.level is Level.MAJOR_OUTAGE and report.summary == "API errors"


def test_change_without_components_makes_others_unknown() -> None:
    report = read(with_changes({"name": "Something"}))
    assert report.incidents[0].impact is Level.DEGRADED
    assert {c.level for c in report.components} == {Level.UNKNOWN}
    assert report.level is Level.DEGRADED


def test_maintenance_change() -> None:
    report = read(with_changes({"title": "Upgrade", "type": "maintenance",
                                "component_ids": [PRO]}))
    assert [m.name for m in report.maintenances] == ["Upgrade"]
    assert report.level is Level.MAINTENANCE


@pytest.mark.parametrize("body", [b"null", b"[]", b"{}", b'{"data": {"page": {}}}',
                                  b'{"data": {"page": {"name": "x"}, "active_changes": null}}'])
def test_wrong_shapes(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'{"request_id":"0a65ec1b","data":{"pa')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.lists(json_values, max_size=3).map(lambda c: with_changes(*c)))
def test_never_raises(body: bytes) -> None:
    assert_total(flashduty.parse, URL, URL, body, NOW)
