from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import datadog, get

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

BASE = "https://openrouter.statuspage.datadoghq.com"
URL = BASE + "/config.json"
NOW = at("2026-09-11T12:00:00+00:00")


def read(body: bytes | None) -> FeedReport:
    return datadog.parse(BASE, {URL: body}, now=NOW)


def page() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture("datadog-statuspage/openrouter-page-1.json"))
    return data


def test_registered_and_entry() -> None:
    assert get("datadog") is not None and datadog.entry(BASE + "/") == URL


def test_fixture_operational_all_incidents_resolved() -> None:
    report = read(fixture("datadog-statuspage/openrouter-page-1.json"))
    assert report.platform == "datadog" and report.problem is None
    assert report.level is Level.OPERATIONAL
    assert report.summary == "All systems operational"
    assert [(c.name, c.group) for c in report.components] == [
        ("Chat (/api/v1/chat/completions)", "API - Gateway"),
        ("Video (/api/v1/videos)", "API - Gateway"),
        ("Image (/api/v1/image)", "API - Gateway"),
        ("TTS (/api/v1/audio/speech)", "API - Gateway"),
        ("STT (/api/v1/audio/transcriptions)", "API - Gateway"),
        ("Embeddings (/api/v1/embeddings)", "API - Gateway"),
        ("Web & Application Services", None)]
    assert all(c.level is Level.OPERATIONAL for c in report.components)
    assert report.incidents == () and report.maintenances == ()
    assert report.page_url == BASE


def test_reopened_incident() -> None:
    doc = page()
    inc = next(i for i in doc["incidents"] if i["title"] == "Elevated 429s on Anthropic and OpenAI")
    inc.update(resolved=False, resolvedDate=None, currentStatus="investigating")
    inc["componentsAffected"][0]["status"] = "partial_outage"
    doc["components"][0]["components"][0]["status"] = "partial_outage"
    report = read(dumps(doc))
    [got] = report.incidents
    assert got.status == "investigating" and got.impact is Level.PARTIAL_OUTAGE
    assert got.components == ("Chat (/api/v1/chat/completions)",)
    assert [u.status for u in got.updates] == ["resolved", "investigating"]   # newest first
    assert got.updates[1].at == at("2026-08-28T02:15:00+00:00")
    assert got.url == BASE + "/incidents/a80f04f9-7b2a-4094-bd45-e42dd5c2ed8a"
    assert report.level is Level.PARTIAL_OUTAGE
    assert report.summary == "Elevated 429s on Anthropic and OpenAI"


def test_open_incident_on_operational_component_is_still_degraded() -> None:
    doc = page()
    doc["incidents"][0].update(resolved=False, resolvedDate="", currentStatus="monitoring")
    report = read(dumps(doc))
    assert report.incidents[0].impact is Level.DEGRADED
    assert report.level is Level.OPERATIONAL


@pytest.mark.parametrize(("status", "in_progress", "kept"), [
    ("in_progress", True, True), ("scheduled", False, True), ("completed", False, False),
    ("canceled", False, False)])
def test_maintenances(status: str, in_progress: bool, kept: bool) -> None:
    doc = page()
    doc["maintenances"] = [{"id": "m1", "title": "DB <i>move</i>", "currentStatus": status,
                            "startDate": "2026-09-11T10:00:00Z", "componentsAffected": []}]
    report = read(dumps(doc))
    assert [(m.name, m.in_progress) for m in report.maintenances] == (
        [("DB move", in_progress)] if kept else [])
    assert report.level is (Level.MAINTENANCE if in_progress else Level.OPERATIONAL)


def test_unknown_component_status() -> None:
    doc = page()
    doc["components"][1]["status"] = "on_fire"
    report = read(dumps(doc))
    assert report.components[-1].level is Level.UNKNOWN and report.warnings


@pytest.mark.parametrize("body", [b"null", b"[]", b"{}", b'{"components": null}', b"1"])
def test_wrong_shapes(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'{"components": [')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.fixed_dictionaries({"components": st.lists(json_values, max_size=3),
                                "incidents": json_values, "maintenances": json_values}).map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(datadog.parse, BASE, URL, body, NOW)
