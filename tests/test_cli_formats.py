"""Every feed format through `trayapp status` and a loopback server; auto-detection end to
end; a page that switches to HTML is a broken source, never an outage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli_helpers import Watcher, isolated_env, status_json, write_config
from tests.loopback import LoopbackServer, fixture, wait_until

VERTEX_GEMINI = "Z0FZJAMvEB4j3NbCJs6B"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


def serve(server: LoopbackServer, docs: dict[str, bytes]) -> None:
    server.set("/generate_204", b"", status=204)
    for path, body in docs.items():
        ctype = "application/xml" if body.lstrip().startswith(b"<") else "application/json"
        server.set(path, body, content_type=ctype)


def fresh_atom(now: datetime) -> bytes:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>Example status</title>
<updated>{stamp}</updated><generator>incident.io</generator>
<entry><id>https://status.example.com//incidents/01KA</id><title type="html">
<![CDATA[Increased latency on the API]]></title><updated>{stamp}</updated>
<link href="https://status.example.com/incidents/01KA"/>
<summary type="html"><![CDATA[<b>Status: Investigating</b><br/><br/>We are looking into it
<br/><br/><b>Affected components</b><ul><li>API (Degraded performance)</li></ul>]]></summary>
</entry></feed>""".encode()


def gcp_with_open_gemini_incident() -> bytes:
    incidents = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    for inc in incidents:
        if any(p["id"] == VERTEX_GEMINI for p in inc["affected_products"]):
            inc.pop("end", None)
    return json.dumps(incidents).encode()


@pytest.mark.parametrize(("kind", "path", "docs", "components", "level", "incident"), [
    ("rss", "/feed.xml", {"/feed.xml": fixture("xai-custom/xai-feed-rss-1.xml")},
     None, "operational", None),
    ("rss", "/history.atom", {"/history.atom": b"FRESH"}, None, "degraded",
     "Increased latency on the API"),
    ("google-cloud", "/incidents.json",
     {"/incidents.json": fixture("google-cloud/gcp-incidents-1.json")},
     None, "operational", None),
    ("google-cloud", "/incidents.json", {"/incidents.json": b"GCP"}, [VERTEX_GEMINI],
     "degraded", None),
    ("google-cloud", "/incidents.json", {"/incidents.json": b"GCP"}, ["Compute Engine"],
     "unknown", None),
    ("instatus", "", {"/summary.json": fixture("instatus/perplexity-summary-1.json"),
                      "/v2/components.json": fixture("instatus/perplexity-v2-components-1.json")},
     None, "operational", None),
    ("betterstack", "", {"/index.json": fixture("betterstack/together-index-1.json")},
     None, "operational", None),
    ("flashduty", "/api/status-page/6410630422455/summary/active",
     {"/api/status-page/6410630422455/summary/active":
      fixture("flashduty/deepseek-summary-active-1.json")}, None, "operational", None),
    ("datadog", "", {"/config.json": fixture("datadog-statuspage/openrouter-page-1.json")},
     None, "operational", None),
    ("checkly", "/api/status-page/mistral-ai/uptime",
     {"/api/status-page/mistral-ai/uptime": fixture("checkly/mistral-uptime-1.json")},
     None, "operational", None),
])
def test_each_format_end_to_end(server: LoopbackServer, tmp_path: Path, env: dict[str, str],
                                kind: str, path: str, docs: dict[str, bytes],
                                components: list[str] | None, level: str,
                                incident: str | None) -> None:
    replacements = {b"FRESH": fresh_atom(datetime.now(UTC)),
                    b"GCP": gcp_with_open_gemini_incident()}
    serve(server, {p: replacements.get(b, b) for p, b in docs.items()})
    cfg = write_config(tmp_path, server, feed=kind, feed_path=path, probe=None,
                       components=components)
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["level"] == level, svc["summary"]
    assert svc["feed"]["platform"] == kind
    assert rc == {"operational": 0, "degraded": 1, "unknown": 3}[level]
    if incident:
        assert [i["name"] for i in svc["feed"]["incidents"]] == [incident]
        assert svc["summary"] == incident


@pytest.mark.parametrize(("docs", "platform"), [
    ({"/api/v2/summary.json": fixture("statuspage/anthropic-summary-1.json")}, "statuspage"),
    ({"/api/v2/summary.json": fixture("incidentio/openai-summary-compat-1.json")},
     "incidentio"),
    ({"/index.json": fixture("betterstack/together-index-1.json")}, "betterstack"),
    ({"/summary.json": fixture("instatus/perplexity-summary-1.json")}, "instatus"),
    ({"/config.json": fixture("datadog-statuspage/openrouter-page-1.json")}, "datadog"),
    ({"/history.atom": fixture("statuspage/anthropic-history-atom-1.xml")}, "rss"),
])
def test_auto_detects_the_platform(server: LoopbackServer, tmp_path: Path, env: dict[str, str],
                                   docs: dict[str, bytes], platform: str) -> None:
    serve(server, docs)
    cfg = write_config(tmp_path, server, feed="auto", probe=None)
    _, data, _ = status_json(cfg, env)
    feed = data["services"][0]["feed"]
    assert feed["platform"] == platform
    assert feed["problem"] is None


def test_auto_on_an_unrecognisable_page_is_a_broken_source(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    serve(server, {"/api/v2/summary.json": b'{"hello": "world"}'})
    cfg = write_config(tmp_path, server, feed="auto", probe=None)
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["level"] == "unknown" and svc["source_broken"] is True and rc == 3
    assert "could not recognise" in svc["summary"]


def test_page_switching_to_html_is_a_broken_source_not_an_outage(
        server: LoopbackServer, tmp_path: Path) -> None:
    serve(server, {"/api/v2/summary.json": fixture("statuspage/anthropic-summary-3.json"),
                   "/v1/models": b"{}"})
    cfg = write_config(tmp_path, server, top="interval = 1")
    env = isolated_env(tmp_path)
    watcher = Watcher(cfg, env, "--json")
    try:
        assert wait_until(lambda: server.hits["/api/v2/summary.json"] >= 2, 20)
        server.set("/api/v2/summary.json",
                   fixture("incidentio/openai-statuspage-html-during-incident-1.html"),
                   content_type="text/html")
        seen = server.hits["/api/v2/summary.json"]
        assert wait_until(lambda: server.hits["/api/v2/summary.json"] >= seen + 3, 20)
        _, data, _ = status_json(cfg, env)
        svc = data["services"][0]
        assert svc["source_broken"] is True
        assert svc["feed"]["level"] == "unknown"
        assert "status source broken" in svc["summary"]
        # a one-shot status has no earlier read: unknown, whatever the keyless probe says
        assert svc["level"] == "unknown"
    finally:
        code, err = watcher.stop()
    assert code == 0
    assert watcher.lines.empty(), "no change may be announced for an unreadable page"
    assert err.count("claude: status source broken: the page serves HTML") == 1   # logged once


@pytest.mark.parametrize(("body", "named"), [
    (fixture("betterstack/together-index-1.json"), "Better Stack"),
    (fixture("instatus/perplexity-summary-1.json"), "Instatus"),
    (fixture("google-cloud/gcp-incidents-1.json"), "Google Cloud"),
])
def test_a_page_that_moved_platform_says_where_it_went(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str], body: bytes,
        named: str) -> None:
    serve(server, {"/api/v2/summary.json": body})
    rc, data, _ = status_json(write_config(tmp_path, server, probe=None), env)
    svc = data["services"][0]
    assert svc["level"] == "unknown" and rc == 3 and svc["source_broken"]
    assert f"it now looks like {named}" in svc["summary"]
