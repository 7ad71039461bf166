"""Statuspage and incident.io adapters over every real capture, plus edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.loopback import fixture
from trayapp import sources
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import NeedDocuments

BASE = "https://status.example.com"
NOW = datetime(2026, 10, 8, tzinfo=UTC)


def parse(kind: str, body: bytes, extra: dict[str, bytes | None] | None = None) -> FeedReport:
    adapter = sources.get(kind)
    assert adapter is not None
    docs: dict[str, bytes | None] = {adapter.entry(BASE): body, **(extra or {})}
    result = adapter.parse(BASE, docs, NOW)
    assert isinstance(result, FeedReport), result
    return result


def levels(report: FeedReport) -> dict[str, Level]:
    return {c.name: c.level for c in report.components}


# ------------------------------------------------------------- Statuspage

def test_anthropic_during_incident() -> None:
    r = parse("statuspage", fixture("statuspage/anthropic-summary-1.json"))
    assert r.level is Level.DEGRADED                 # indicator minor + Console degraded
    assert r.indicator is Level.DEGRADED
    assert levels(r)["Claude Console (platform.claude.com)"] is Level.DEGRADED
    assert levels(r)["Claude API (api.anthropic.com)"] is Level.OPERATIONAL
    assert len(r.components) == 6
    (inc,) = r.incidents
    assert inc.name == "Elevated errors on platform.claude.com"
    assert inc.status == "monitoring"
    assert inc.impact is Level.PARTIAL_OUTAGE        # impact "major"
    assert inc.url == "https://stspg.io/sjkw7njwf0mt"
    assert [u.status for u in inc.updates] == ["monitoring", "identified", "investigating",
                                               "investigating"]
    stamps = [u.at for u in inc.updates]
    assert stamps == sorted(stamps, reverse=True)    # newest first
    assert inc.components == ("Claude Console (platform.claude.com)",)
    assert inc.component_ids == ("0qbwn08sd68x",)
    assert r.summary == inc.name
    assert r.page_url == "https://status.claude.com"


def test_anthropic_after_recovery() -> None:
    r = parse("statuspage", fixture("statuspage/anthropic-summary-3.json"))
    assert r.level is Level.OPERATIONAL
    assert r.incidents == ()
    assert r.summary == "All Systems Operational"
    assert all(c.level is Level.OPERATIONAL for c in r.components)


def test_github_major_outage_takes_the_worst_component() -> None:
    r = parse("statuspage", fixture("statuspage/github-summary-1.json"))
    assert r.indicator is Level.PARTIAL_OUTAGE       # indicator "major"
    assert r.level is Level.MAJOR_OUTAGE             # five components in major_outage
    lv = levels(r)
    assert lv["Git Operations"] is Level.MAJOR_OUTAGE
    assert lv["GitHub Actions"] is Level.PARTIAL_OUTAGE
    assert lv["GitHub Pages"] is Level.OPERATIONAL
    (inc,) = r.incidents
    assert inc.status == "investigating"
    assert inc.impact is Level.PARTIAL_OUTAGE


def test_cursor_all_operational_in_another_key_order() -> None:
    r = parse("statuspage", fixture("statuspage/cursor-summary-1.json"))
    assert r.level is Level.OPERATIONAL
    assert "IDE" in levels(r)
    assert r.incidents == ()


@pytest.mark.parametrize(("name", "level"), [
    ("statuspage/anthropic-status-1.json", Level.OPERATIONAL),
    ("statuspage/snowflake-status-critical-1.json", Level.MAJOR_OUTAGE),
])
def test_status_json_indicator_only(name: str, level: Level) -> None:
    r = parse("statuspage", fixture(name))
    assert r.level is level
    assert r.components == ()


def test_incidents_json_keeps_only_unresolved() -> None:
    r = parse("statuspage", fixture("statuspage/github-incidents-trimmed-1.json"))
    assert r.incidents == ()                         # both are resolved
    assert r.level is Level.UNKNOWN                  # no indicator, no components:
    assert r.problem is SourceProblem.BROKEN         # not a summary, so a broken source
    assert r.error == "status source broken: the page gives no readable status"


def test_scheduled_maintenances_in_progress_and_upcoming() -> None:
    data = json.loads(fixture("statuspage/anthropic-scheduled-maintenances-1.json"))
    assert parse("statuspage", json.dumps(data).encode()).maintenances == ()  # all completed
    first, second = data["scheduled_maintenances"][:2]
    first["status"], second["status"] = "in_progress", "scheduled"
    data["status"] = {"indicator": "maintenance", "description": "Under Maintenance"}
    r = parse("statuspage", json.dumps(data).encode())
    by_status = {m.status: m for m in r.maintenances}
    assert by_status["in_progress"].in_progress
    assert not by_status["scheduled"].in_progress
    assert by_status["in_progress"].starts_at == datetime(2025, 8, 29, 1, 25, tzinfo=UTC)
    assert r.level is Level.MAINTENANCE
    assert r.summary.startswith("Maintenance: ")


def test_timezone_offsets_are_kept() -> None:
    r = parse("statuspage", fixture("statuspage/snowflake-status-critical-1.json"))
    assert r.level is Level.MAJOR_OUTAGE
    body = json.dumps({"status": {"indicator": "minor"}, "incidents": [{
        "id": "a", "name": "Ünïcode – incident", "status": "identified", "impact": "minor",
        "incident_updates": [
            {"status": "identified", "body": "later", "display_at": "2021-06-30T10:00:00-07:00"},
            {"status": "investigating", "body": "earlier",
             "display_at": "2021-06-30T16:30:00+00:00"},
        ]}]}).encode()
    (inc,) = parse("statuspage", body).incidents
    assert inc.name == "Ünïcode – incident"
    assert [u.body for u in inc.updates] == ["later", "earlier"]   # 17:00Z after 16:30Z


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b"{}", b"42", b'"text"', b"\xff\xfe garbage", b'{"page": 5}',
    b'{"status": null, "components": {"a": 1}, "incidents": "none"}',
    b'{"status": {"indicator": 7}, "components": [null, 3, {"status": []}]}',
    b'{"components": [{"id": "x", "name": "API", "status": "on_fire"}]',   # truncated
])
def test_bad_input_never_raises(body: bytes) -> None:
    r = parse("statuspage", body)
    assert r.level is Level.UNKNOWN or r.problem is None
    assert r.level is not Level.MAJOR_OUTAGE


def test_unknown_enum_values_are_unknown_with_a_reason_and_the_rest_is_kept() -> None:
    body = json.dumps({"status": {"indicator": "apocalyptic"}, "components": [
        {"id": "a", "name": "API", "status": "on_fire"},
        {"id": "b", "name": "Web", "status": "partial_outage"}]}).encode()
    r = parse("statuspage", body)
    assert levels(r) == {"API": Level.UNKNOWN, "Web": Level.PARTIAL_OUTAGE}
    assert r.level is Level.PARTIAL_OUTAGE            # unknown never hides a known level
    assert any("on_fire" in w for w in r.warnings)
    assert any("apocalyptic" in w for w in r.warnings)


def test_challenge_page_is_blocked_not_an_outage() -> None:
    r = parse("statuspage", fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html"))
    assert r.problem is SourceProblem.BLOCKED
    assert r.level is Level.UNKNOWN


def test_html_page_is_a_broken_source() -> None:
    r = parse("incidentio", fixture("incidentio/openai-statuspage-html-during-incident-1.html"))
    assert r.problem is SourceProblem.BROKEN
    assert r.error is not None and "HTML" in r.error


def test_groups_name_their_components() -> None:
    body = json.dumps({"status": {"indicator": "none"}, "components": [
        {"id": "g", "name": "APIs", "status": "operational", "group": True},
        {"id": "c", "name": "Chat", "status": "operational", "group_id": "g"}]}).encode()
    r = parse("statuspage", body)
    assert [(c.name, c.group) for c in r.components] == [("Chat", "APIs")]


# ------------------------------------------------------------- incident.io

def test_openai_during_incident() -> None:
    r = parse("incidentio", fixture("incidentio/openai-summary-compat-1.json"))
    assert r.platform == "incidentio"
    assert r.level is Level.DEGRADED
    assert len(r.components) == 25
    assert sum(c.level is Level.DEGRADED for c in r.components) == 22
    names = {i.name: i for i in r.incidents}
    big = names["Elevated errors across ChatGPT, Codex, and the API including the Agents API"]
    assert big.impact is Level.DEGRADED and big.status == "investigating"
    assert names["Support chat unavailable"].impact is Level.OPERATIONAL
    assert big.components == ()                         # incident.io lists none
    assert big.url == f"https://status.openai.com/incidents/{big.id}"
    assert r.summary.startswith(big.name)


def test_openai_all_operational_needs_incidents_json() -> None:
    adapter = sources.get("incidentio")
    assert adapter is not None
    body = fixture("incidentio/openai-summary-compat-2.json")
    first = adapter.parse(BASE, {adapter.entry(BASE): body}, NOW)
    assert first == NeedDocuments((f"{BASE}/api/v2/incidents.json",))
    r = parse("incidentio", body, {f"{BASE}/api/v2/incidents.json": b'{"incidents": []}'})
    assert r.level is Level.OPERATIONAL
    assert [c.name for c in r.components].count("Login") == 2   # duplicate names survive


def test_perplexity_summary_plus_incidents_json() -> None:
    r = parse("incidentio", fixture("incidentio/perplexity-summary-compat-1.json"),
              {f"{BASE}/api/v2/incidents.json":
               fixture("incidentio/perplexity-incidents-compat-1.json")})
    assert r.level is Level.OPERATIONAL
    assert [c.name for c in r.components] == ["API", "Website", "App", "Computer"]
    assert r.incidents == ()                          # every incident there is resolved


def test_perplexity_with_an_open_incident_from_incidents_json() -> None:
    data = json.loads(fixture("incidentio/perplexity-incidents-compat-1.json"))
    data["incidents"][0]["status"] = "monitoring"
    data["incidents"][0].pop("resolved_at")
    r = parse("incidentio", fixture("incidentio/perplexity-summary-compat-1.json"),
              {f"{BASE}/api/v2/incidents.json": json.dumps(data).encode()})
    (inc,) = r.incidents
    assert inc.name == "We have identified few connectors that are impacting users."
    assert inc.impact is Level.PARTIAL_OUTAGE
    assert r.summary == inc.name


def test_incidents_json_that_fails_keeps_the_summary() -> None:
    r = parse("incidentio", fixture("incidentio/perplexity-summary-compat-1.json"),
              {f"{BASE}/api/v2/incidents.json": None})
    assert r.level is Level.OPERATIONAL
    assert any("incidents.json" in w for w in r.warnings)
