from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.sources.detect import detect, html_hint

from .feedkit import CHALLENGE, FIXTURES, dumps, fixture, json_values

# What each real fixture is (SOURCES.md), as the feed kind that reads it.
EXPECTED = {
    "betterstack/together-index-1.json": "betterstack",
    "checkly/mistral-uptime-1.json": "checkly",
    "datadog-statuspage/openrouter-page-1.json": "datadog",
    "flashduty/deepseek-summary-active-1.json": "flashduty",
    "google-cloud/gcp-incidents-1.json": "google-cloud",
    "incidentio/openai-summary-compat-1.json": "incidentio",
    "incidentio/openai-summary-compat-2.json": "incidentio",
    "incidentio/perplexity-incidents-compat-1.json": "incidentio",
    "incidentio/perplexity-summary-compat-1.json": "incidentio",
    "instatus/perplexity-summary-1.json": "instatus",
    "instatus/perplexity-v2-components-1.json": "instatus",
    "statusio/gitlab-statusio-status-1.json": "statusio",
    "rootly/doc-status-quiet.json": "rootly",
    "rootly/doc-status-minor.json": "rootly",
    "rootly/doc-status-major.json": "rootly",
    "rootly/doc-status-maintenance.json": "rootly",
    # incidents.json has no status: read beside status.json, not a feed of its own.
    "rootly/doc-incidents.json": None,
    "statuspage/anthropic-history-atom-1.xml": "rss",
    "statuspage/anthropic-scheduled-maintenances-1.json": "statuspage",
    "statuspage/anthropic-status-1.json": "statuspage",
    "statuspage/anthropic-summary-1.json": "statuspage",
    "statuspage/anthropic-summary-1-edit-api-partial.json": "statuspage",
    "statuspage/anthropic-summary-3.json": "statuspage",
    "statuspage/cursor-summary-1.json": "statuspage",
    "statuspage/github-incidents-trimmed-1.json": "statuspage",
    "statuspage/github-summary-1.json": "statuspage",
    "statuspage/github-summary-1-edit-churned.json": "statuspage",
    "statuspage/github-summary-1-edit-quiet.json": "statuspage",
    "statuspage/snowflake-status-critical-1.json": "statuspage",
    "xai-custom/xai-feed-rss-1.xml": "rss",
    # The incident.io web page (HTML, Next.js) is not a feed: not recognised as
    # one; html_hint names it for the error message (test below).
    "incidentio/openai-statuspage-html-during-incident-1.html": None,
    # Google's JSON *schema* of incidents.json, not a payload.
    "google-cloud/google-incidents-schema-1.json": None,
    # Google's product catalog: read beside incidents.json, not a feed of its own.
    "google-cloud/google-products-1.json": None,
    # Notification-server answers (gdbus, dbus-send, notify-send --help): not feeds.
    "notify/gdbus-capabilities-dunst-1.9.0.txt": None,
    "notify/dbus-send-capabilities-dunst-1.9.0.txt": None,
    "notify/gdbus-name-owner.txt": None,
    "notify/dbus-send-name-owner.txt": None,
    "notify/notify-send-0.8.1-help.txt": None,
    # Claude Code hook inputs (`trayapp report --from claude-code`): not feeds.
    "claude-code/stop.json": None,
    "claude-code/stopfailure-overloaded.json": None,
    "claude-code/stopfailure-rate-limit.json": None,
}


def test_every_fixture_is_listed() -> None:
    found = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*")
             if p.is_file() and p.suffix != ".md" and p.parent.name != "edge-cases"}
    assert found == set(EXPECTED)


@pytest.mark.parametrize(("path", "kind"), sorted(EXPECTED.items()))
def test_fixture_platform(path: str, kind: str | None) -> None:
    assert detect(fixture(path)) == kind


def test_html_hint() -> None:
    page = fixture("incidentio/openai-statuspage-html-during-incident-1.html")
    assert html_hint(page) == "incidentio"
    assert html_hint(CHALLENGE) is None
    assert detect(CHALLENGE) is None


@pytest.mark.parametrize("name", ["anthropic-api-401-missing-key-1.json",
                                  "anthropic-api-529-overloaded-1.json",
                                  "openai-api-401-missing-key-1.json"])
def test_api_errors_are_not_status_pages(name: str) -> None:
    assert detect(fixture(f"edge-cases/{name}")) is None


@pytest.mark.parametrize(("body", "kind"), [
    (b'{"page": {"id": "01JMDK9XYNY6RXSED6SDWW50WY", "time_zone": "Etc/UTC"}}', None),
    (b'{"page": {"id": "tymt9n04zgry"}}', "statuspage"),
    (b'{"page": {"id": "TYMT9N04ZGRY"}}', None),
    (b'{"page": {"status": "DOWN"}}', None),
    (b"[]", None), (b"[1, 2]", None), (b"null", None), (b"", None), (b"\xff", None),
    (b"\xef\xbb\xbf<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "rss"),
    (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'></feed>", "rss"),
    (b"<?xml version='1.0'?><note>hi</note>", None),
    (b'{"pageUrl": "https://x.statuspage.datadoghq.com", "components": []}', "datadog"),
])
def test_small_payloads(body: bytes, kind: str | None) -> None:
    assert detect(body) == kind


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | json_values.map(dumps))
def test_never_raises(body: bytes) -> None:
    assert detect(body) is None or isinstance(detect(body), str)
