"""Rootly's public status API, over fixtures made from its documented shape (README)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.loopback import LoopbackServer
from trayapp.config import parse_text
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.runtime.engine import Engine, make_client
from trayapp.sources import NeedDocuments, document_base, get, rootly
from trayapp.sources.detect import detect

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

BASE = "https://status.example.com"
STATUS = BASE + "/api/v1/status.json"
INCIDENTS = BASE + "/api/v1/incidents.json"
NOW = at("2026-03-19T12:45:00+00:00")


def read(body: bytes | None, incidents: bytes | None = None) -> FeedReport:
    docs = {STATUS: body} if incidents is None else {STATUS: body, INCIDENTS: incidents}
    got = rootly.parse(BASE, docs, NOW)
    assert isinstance(got, FeedReport)
    return got


def edited(path: str, **changes: Any) -> bytes:
    data = json.loads(fixture(path))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return dumps(data)


def test_registered_entry_and_detected() -> None:
    adapter = get("rootly")
    assert adapter is not None and adapter.label == "Rootly"
    assert rootly.entry(BASE + "/") == STATUS
    assert document_base(adapter, STATUS) == BASE
    for name in ("quiet", "minor", "major", "maintenance"):
        assert detect(fixture(f"rootly/doc-status-{name}.json")) == "rootly"


@pytest.mark.parametrize(("name", "level", "summary", "incidents", "maintenances"), [
    ("quiet", Level.OPERATIONAL, "All Systems Operational", [], []),
    ("minor", Level.DEGRADED, "API Degradation", ["API Degradation"], []),
    # indicator "major" is partial; the critical incident makes it a major outage;
    # the resolved one is dropped
    ("major", Level.MAJOR_OUTAGE, "Chat completions failing (+1 more)",
     ["Chat completions failing", "API Degradation"], []),
    ("maintenance", Level.MAINTENANCE, "Maintenance: Database upgrade", [],
     ["Database upgrade"]),
])
def test_fixtures(name: str, level: Level, summary: str, incidents: list[str],
                  maintenances: list[str]) -> None:
    report = read(fixture(f"rootly/doc-status-{name}.json"))
    assert report.platform == "rootly" and report.problem is None and not report.warnings
    assert report.level is level
    assert report.summary == summary
    assert [i.name for i in report.incidents] == incidents
    assert [m.name for m in report.maintenances] == maintenances
    assert all(m.in_progress for m in report.maintenances)
    assert report.page_url == BASE and report.components == ()


def test_incident_details() -> None:
    report = read(fixture("rootly/doc-status-major.json"))
    top = report.incidents[0]
    assert top.impact is Level.MAJOR_OUTAGE and top.status == "identified"
    assert top.url == BASE + "/incidents/def456" and top.id
    assert top.created_at == at("2026-03-19T11:50:00+00:00")
    assert [u.status for u in top.updates] == ["identified", "investigating"]  # newest first
    assert top.updates[0].body.startswith("The issue has been identified")
    assert top.updated_at == at("2026-03-19T12:20:00+00:00")
    assert report.incidents[1].impact is Level.DEGRADED


@pytest.mark.parametrize(("indicator", "level"), [
    ("none", Level.OPERATIONAL), ("minor", Level.DEGRADED), ("major", Level.PARTIAL_OUTAGE),
    ("maintenance", Level.MAINTENANCE)])
def test_indicator_alone(indicator: str, level: Level) -> None:
    body = edited("rootly/doc-status-quiet.json", status={"indicator": indicator})
    assert read(body).level is level


def test_unknown_indicator_is_a_warning_and_incidents_still_count() -> None:
    minor = json.loads(fixture("rootly/doc-status-minor.json"))
    report = read(edited("rootly/doc-status-minor.json", status={"indicator": "sideways"},
                         incidents=minor["incidents"]))
    assert report.level is Level.DEGRADED and report.problem is None
    assert any("sideways" in w for w in report.warnings)
    quiet = read(edited("rootly/doc-status-quiet.json", status={"indicator": "sideways"}))
    assert quiet.problem is SourceProblem.BROKEN and quiet.level is Level.UNKNOWN


def test_without_incidents_key_reads_incidents_json() -> None:
    body = edited("rootly/doc-status-minor.json", incidents=None)
    assert rootly.parse(BASE, {STATUS: body}, NOW) == NeedDocuments((INCIDENTS,))
    report = read(body, fixture("rootly/doc-incidents.json"))
    assert [i.name for i in report.incidents] == ["API Degradation"] and not report.warnings
    missing = read(body, b"<html>nope</html>")
    assert missing.level is Level.DEGRADED and missing.incidents == ()
    assert any("incidents.json" in w for w in missing.warnings)


def test_links_are_confined() -> None:
    major = json.loads(fixture("rootly/doc-status-major.json"))
    bad = [dict(i, url=u) for i, u in zip(major["incidents"][:2],
                                          ["javascript:alert(1)", "https://a@evil.example/"],
                                          strict=True)]
    report = read(edited("rootly/doc-status-major.json", incidents=bad,
                         page={"url": "file:///etc/passwd"}))
    assert [i.url for i in report.incidents] == [None, None]
    assert report.page_url == BASE


def test_hostile_text_is_one_clean_line() -> None:
    name = "<b>Out</b>\u202e\x1b[31m\nage" + "x" * 500
    body = dumps({"page": {}, "status": {"indicator": "major", "description": name},
                  "incidents": [{"name": name, "status": "started", "impact": "critical",
                                 "incident_updates": [{"body": name, "status": name}]}]})
    report = read(body)
    inc = report.incidents[0]
    for text in (report.summary, inc.name, inc.updates[0].status):
        assert not any(bad in text for bad in ("\n", "\x1b", "\u202e", "<b>"))
    assert len(inc.name) <= 200


@pytest.mark.parametrize("body", [b"[]", b'{"page": {}}', b'{"status": "none"}', b"null"])
def test_wrong_shapes(body: bytes) -> None:
    report = read(body)
    assert report.problem is SourceProblem.BROKEN and report.level is Level.UNKNOWN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'{"status": {"indicator": "no')


@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.builds(lambda s, i: dumps({"status": s, "incidents": i}), json_values, json_values))
@settings(max_examples=150, deadline=None)
def test_never_raises(body: bytes) -> None:
    assert_total(rootly.parse, BASE, STATUS, body, NOW)


@pytest.mark.parametrize("configured", ["", "/api/v1/status.json"])
def test_rootly_quiet_and_major_through_auto(configured: str) -> None:
    """A Rootly page on a loopback server, configured as ``auto`` by its base URL or its
    ``status.json`` URL: detected, remembered, quiet then a major outage with its incidents."""
    server = LoopbackServer()
    try:
        server.set("/api/v1/status.json", fixture("rootly/doc-status-quiet.json"))
        config = parse_text('connectivity_url = ""\ntimeout = 3\n[[services]]\nid = "m"\n'
                            f'feed = {{ kind = "auto", url = "{server.base}{configured}" }}\n'
                            "probe = false\n", "t")
        engine = Engine(config, make_client(config))
        quiet = engine.cycle(NOW).snapshot.service("m")
        assert quiet is not None and quiet.feed is not None
        assert quiet.feed.platform == "rootly" and quiet.level is Level.OPERATIONAL
        server.set("/api/v1/status.json", fixture("rootly/doc-status-major.json"))
        major = engine.cycle(NOW + timedelta(minutes=1)).snapshot.service("m")
        assert major is not None and major.feed is not None
        assert major.level is Level.MAJOR_OUTAGE and major.feed.problem is None
        assert major.summary == "Chat completions failing (+1 more)"
        assert [i.name for i in major.feed.incidents] == ["Chat completions failing",
                                                          "API Degradation"]
        # the second poll reads the remembered platform: status.json only
        assert server.hits["/api/v1/status.json"] == 2
    finally:
        server.close()
