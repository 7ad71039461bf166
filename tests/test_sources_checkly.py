"""Checkly (Mistral) over the real capture and edited copies of it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.feedkit import CHALLENGE, assert_total, at, dumps, fixture, json_values
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import checkly

URL = "https://status.mistral.ai/api/status-page/mistral-ai/uptime"
NOW = at("2026-09-04T18:00:00+00:00")


def read(body: bytes | None, now: Any = NOW) -> FeedReport:
    return checkly.parse(URL, {URL: body}, now)


def capture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture("checkly/mistral-uptime-1.json"))
    return data


def reopen(data: dict[str, Any], event_name: str, severity: str | None = None,
           created: str = "2026-09-04T17:00:00.000Z") -> None:
    for group in data["uptime"]:
        for service in group["services"]:
            for day in service["days"]:
                for event in day["events"]:
                    if event["name"] == event_name:
                        event["lastUpdateStatus"] = "INVESTIGATING"
                        event["created_at"] = created
                        if severity:
                            event["severity"] = severity
                        return


def test_capture_all_resolved() -> None:
    r = read(fixture("checkly/mistral-uptime-1.json"))
    assert r.platform == "checkly" and r.problem is None
    assert r.level is Level.OPERATIONAL and r.incidents == ()
    names = {c.name: c for c in r.components}
    assert names["Chat Completions API"].group == "API"
    assert names["Vibe"].group == "Services"
    assert all(c.level is Level.OPERATIONAL for c in r.components)
    assert r.page_url == "https://status.mistral.ai"


def test_open_medium_event_is_degraded_on_its_service() -> None:
    data = capture()
    reopen(data, "Integrations API Degraded")
    r = read(dumps(data))
    assert r.level is Level.DEGRADED
    (inc,) = r.incidents
    assert inc.name == "Integrations API Degraded" and inc.status == "investigating"
    assert inc.components == ("Integrations API",)
    assert {c.name: c.level for c in r.components}["Integrations API"] is Level.DEGRADED
    assert r.summary == "Integrations API Degraded"


def test_open_major_event_is_a_partial_outage() -> None:
    data = capture()
    reopen(data, "Vibe Code Web is unable to provision a sandbox in new sessions")
    r = read(dumps(data))
    assert r.level is Level.PARTIAL_OUTAGE
    assert r.incidents[0].impact is Level.PARTIAL_OUTAGE


def test_unknown_severity_is_degraded_with_a_warning() -> None:
    data = capture()
    reopen(data, "Integrations API Degraded", severity="APOCALYPTIC")
    r = read(dumps(data))
    assert r.level is Level.DEGRADED
    assert any("APOCALYPTIC" in w for w in r.warnings)


def test_stale_open_event_does_not_hold_an_outage() -> None:
    data = capture()
    reopen(data, "Integrations API Degraded")
    r = read(dumps(data), NOW + timedelta(days=8))
    assert r.level is Level.OPERATIONAL and r.incidents == ()
    assert any("stale" in w for w in r.warnings)


def test_failures() -> None:
    assert read(CHALLENGE).problem is SourceProblem.BLOCKED
    assert read(b'{"metadata": []}').problem is SourceProblem.BROKEN
    assert read(b"[1, 2]").problem is SourceProblem.BROKEN
    assert read(None).problem is SourceProblem.UNREACHABLE
    assert read(b'{"uptime": [{"services": [null, {"days": "x"}]}]').level is Level.UNKNOWN


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | json_values.map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(checkly.parse, URL, URL, body, NOW)
