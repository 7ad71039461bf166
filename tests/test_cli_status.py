"""`trayapp status` end to end: a real subprocess against a real loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import isolated_env, status_json, trayapp, write_config
from tests.loopback import LoopbackServer, fixture, free_port

KEY_401 = fixture("edge-cases/anthropic-api-401-missing-key-1.json")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


def online(server: LoopbackServer, summary: str, probe_status: int = 401,
           probe_body: bytes = KEY_401) -> None:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", fixture(summary))
    server.set("/v1/models", probe_body, status=probe_status)


@pytest.mark.parametrize(("summary", "components", "level", "code"), [
    ("statuspage/anthropic-summary-3.json", None, "operational", 0),
    ("statuspage/anthropic-summary-1.json", None, "degraded", 1),
    ("statuspage/anthropic-summary-1.json", ["Claude API"], "operational", 0),
    # component degraded, incident impact major: the component's own status counts
    ("statuspage/anthropic-summary-1.json", ["Claude Console"], "degraded", 1),
    ("statuspage/github-summary-1.json", None, "major_outage", 2),
    ("statuspage/github-summary-1.json", ["GitHub Pages"], "operational", 0),
    ("statuspage/github-summary-1.json", ["github actions"], "partial_outage", 1),
    ("statuspage/snowflake-status-critical-1.json", None, "major_outage", 2),
])
def test_levels_and_exit_codes(server: LoopbackServer, tmp_path: Path, env: dict[str, str],
                               summary: str, components: list[str] | None, level: str,
                               code: int) -> None:
    online(server, summary)
    cfg = write_config(tmp_path, server, components=components)
    rc, data, _ = status_json(cfg, env)
    (svc,) = data["services"]
    assert (svc["level"], rc) == (level, code)
    assert data["offline"] is False and data["overall"] == level
    assert svc["probe"]["status_code"] == 401 and svc["probe"]["level"] == "operational"
    assert svc["feed"]["url"]


def test_github_incident_filtered_by_its_listed_component(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    # The real incident lists the component "Visit www.githubstatus.com ..." (operational);
    # its impact "major" is not the level: the page gives that component's status.
    online(server, "statuspage/github-summary-1.json")
    cfg = write_config(tmp_path, server, components=["Visit www.githubstatus.com"])
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["level"] == "operational" and rc == 0
    assert svc["summary"] == "Incident on 2020-04-02 20:20 UTC"     # still the headline


def test_json_shape(server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-1.json")
    _, data, _ = status_json(write_config(tmp_path, server), env)
    assert set(data) >= {"checked_at", "offline", "reason", "overall", "services"}
    svc = data["services"][0]
    assert set(svc) >= {"id", "name", "role", "level", "summary", "feed", "probe", "fallbacks"}
    assert set(svc["feed"]) >= {"level", "error", "url", "components", "incidents",
                                "maintenances"}
    inc = svc["feed"]["incidents"][0]
    assert inc["name"] == "Elevated errors on platform.claude.com"
    assert inc["status"] == "monitoring" and inc["impact"] == "partial_outage"
    assert inc["updates"][0]["status"] == "monitoring"
    console = next(c for c in svc["feed"]["components"] if c["name"].startswith("Claude Con"))
    assert console["level"] == "degraded"
    assert set(svc["probe"]) >= {"level", "status_code", "latency_ms", "error"}


def test_filter_matching_nothing_is_unknown_not_green(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-3.json")
    cfg = write_config(tmp_path, server, components=["Gemini"])
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["level"] == "unknown" and rc == 3
    assert "component filter matches nothing on the page" in svc["summary"]
    assert any("'Gemini' matches nothing" in w for w in data["warnings"])


def test_no_network_says_offline_not_outage(server: LoopbackServer, tmp_path: Path,
                                            env: dict[str, str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'connectivity_url = "{dead}/generate_204"\ntimeout = 2\n'
                   f'[[services]]\nid = "claude"\n'
                   f'feed = {{ kind = "statuspage", url = "{dead}" }}\n'
                   f'probe = {{ url = "{dead}/v1/models" }}\n')
    rc, data, _ = status_json(cfg, env)
    assert data["offline"] is True and data["reason"] == "no network"
    assert rc == 3 and data["overall"] == "unknown"
    assert [s["level"] for s in data["services"]] == ["unknown"]
    assert "outage" not in data["services"][0]["summary"]


def test_captive_portal(server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-3.json")
    server.set("/generate_204", b"<html><title>Hotel WiFi</title>Log in</html>",
               content_type="text/html")
    rc, data, _ = status_json(write_config(tmp_path, server), env)
    assert data["offline"] is True and "captive portal" in data["reason"] and rc == 3


@pytest.mark.parametrize(("probe_status", "level", "code"), [
    (529, "degraded", 1), (503, "degraded", 1), (500, "partial_outage", 1),
])
def test_probe_errors_while_the_page_is_green_are_the_early_warning(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str],
        probe_status: int, level: str, code: int) -> None:
    online(server, "statuspage/anthropic-summary-3.json", probe_status,
           fixture("edge-cases/anthropic-api-529-overloaded-1.json"))
    rc, data, _ = status_json(write_config(tmp_path, server), env)
    svc = data["services"][0]
    assert (svc["level"], rc) == (level, code)
    assert svc["feed"]["level"] == "operational"
    assert "the status page still says operational" in svc["summary"]
    assert svc["probe_disagrees"] is True
    assert len(server.requests_to("/v1/models")) == 2        # retried once


def test_probe_timeout_is_a_major_outage_with_the_early_warning(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-3.json")
    server.set("/v1/models", hang=True)
    rc, data, _ = status_json(write_config(tmp_path, server), env)
    svc = data["services"][0]
    assert svc["level"] == "major_outage" and rc == 2
    assert "timed out" in svc["summary"] and "still says operational" in svc["summary"]


def test_rate_limited_probe_is_not_an_outage(server: LoopbackServer, tmp_path: Path,
                                              env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-3.json", 429,
           fixture("edge-cases/anthropic-oauth-usage-429-1.json"))
    rc, data, _ = status_json(write_config(tmp_path, server), env)
    assert data["services"][0]["level"] == "operational" and rc == 0
    assert data["services"][0]["probe"]["detail"].count("rate limited") == 1


def test_incidentio_reads_incidents_json_when_the_summary_has_none(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "incidentio/perplexity-summary-compat-1.json")
    incidents = json.loads(fixture("incidentio/perplexity-incidents-compat-1.json"))
    incidents["incidents"][1]["status"] = "identified"          # reopen "usage based billing"
    incidents["incidents"][1].pop("resolved_at")
    server.set("/api/v2/incidents.json", json.dumps(incidents))
    cfg = write_config(tmp_path, server, feed="incidentio")
    rc, data, _ = status_json(cfg, env)
    feed = data["services"][0]["feed"]
    assert [i["name"] for i in feed["incidents"]] == ["Issue with usage based billing"]
    assert feed["incidents"][0]["impact"] == "major_outage"
    assert data["services"][0]["level"] == "operational"   # incidents never set the page level
    assert rc == 0


def test_html_instead_of_json_is_a_broken_source_not_an_outage(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "incidentio/openai-statuspage-html-during-incident-1.html")
    cfg = write_config(tmp_path, server, feed="incidentio", probe=None)
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["level"] == "unknown" and rc == 3 and svc["source_broken"] is True
    assert "status source broken" in svc["summary"]


def test_fallbacks_are_listed_with_their_levels(server: LoopbackServer, tmp_path: Path,
                                                 env: dict[str, str]) -> None:
    online(server, "statuspage/github-summary-1.json")
    server.set("/local/models", b"{}")
    cfg = write_config(tmp_path, server, service_extra='fallbacks = ["local"]',
                       more=f'[[services]]\nid = "local"\nrole = "fallback"\n'
                            f'probe = {{ url = "{server.url("/local/models")}" }}')
    rc, data, _ = status_json(cfg, env)
    assert data["services"][0]["fallbacks"] == [{"id": "local", "level": "operational"}]
    assert rc == 2                                      # fallbacks never set the exit code
    text = trayapp("status", "--config", str(cfg), env=env).stdout
    assert "try: local" in text


def test_service_option(server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-3.json")
    cfg = write_config(tmp_path, server)
    _, data, _ = status_json(cfg, env, "--service", "claude")
    assert [s["id"] for s in data["services"]] == ["claude"]
    done = trayapp("status", "--config", str(cfg), "--service", "nope", env=env)
    assert done.returncode == 64 and "no service with id 'nope'" in done.stderr


def test_text_output(server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    online(server, "statuspage/anthropic-summary-1.json")
    done = trayapp("status", "--config", str(write_config(tmp_path, server)), env=env)
    assert done.returncode == 1
    assert "Claude" in done.stdout and "degraded" in done.stdout
    assert "Elevated errors on platform.claude.com" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1] == "overall: degraded"


@pytest.mark.parametrize("args", [["status", "--bogus"], ["frobnicate"], ["watch", "extra"]])
def test_bad_usage_is_64(args: list[str], env: dict[str, str]) -> None:
    done = trayapp(*args, env=env)
    assert done.returncode == 64 and "Traceback" not in done.stderr


@pytest.mark.parametrize(("text", "words"), [
    ("this is [not toml", "not valid TOML"),
    ('interval = "x"\n[[services]]\nid = "a"\npreset = "openai"\n', "interval"),
    ("[[services]]\nid = \"a\"\npreset = \"openai\"\nfeed = { kind = 3 }\n",
     "services.a.feed.kind"),
])
def test_bad_config_is_one_line_and_78(tmp_path: Path, env: dict[str, str], text: str,
                                       words: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    done = trayapp("status", "--config", str(cfg), env=env)
    assert done.returncode == 78
    assert done.stderr.count("\n") == 1 and str(cfg) in done.stderr and words in done.stderr


def test_missing_named_config_is_78(tmp_path: Path, env: dict[str, str]) -> None:
    done = trayapp("status", "--config", str(tmp_path / "nope.toml"), env=env)
    assert done.returncode == 78 and "file not found" in done.stderr


def test_trayapp_config_env_and_version(tmp_path: Path, server: LoopbackServer) -> None:
    online(server, "statuspage/anthropic-summary-3.json")
    cfg = write_config(tmp_path, server)
    env = isolated_env(tmp_path, TRAYAPP_CONFIG=str(cfg))
    rc, _, _ = status_json(cfg, env)
    assert rc == 0
    done = trayapp("status", "--json", env=env)
    assert json.loads(done.stdout)["services"][0]["id"] == "claude"
    from trayapp import __version__
    assert trayapp("--version", env=env).stdout.strip() == f"trayapp {__version__}"
