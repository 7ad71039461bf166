"""Adding a status page by its URL: detected through the real poller and HTTP edge
against a loopback server serving real captures; what cannot be read is refused."""

from __future__ import annotations

import pytest

from tests.loopback import LoopbackServer, fixture
from trayapp.config import default_config
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport
from trayapp.runtime import addpage

CURSOR = fixture("statuspage/cursor-summary-1.json")
GITHUB = fixture("statuspage/github-summary-1.json")
CHALLENGE = fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")


@pytest.mark.parametrize("path", ["/cursor", "/cursor/api/v2/summary.json"])
def test_a_statuspage_is_found_with_its_components(server: LoopbackServer, path: str) -> None:
    server.set("/cursor/api/v2/summary.json", CURSOR)
    found = addpage.discover(server.base + path, default_config())
    assert isinstance(found, addpage.Found), found
    assert found.platform == "statuspage"
    assert found.summary == "Atlassian Statuspage, 8 components, all operational"
    assert found.components[:3] == ("Automations", "Review Agents", "CLI")
    assert found.url == server.base + path


def test_a_page_in_an_outage_says_so(server: LoopbackServer) -> None:
    server.set("/gh/api/v2/summary.json", GITHUB)
    found = addpage.discover(server.base + "/gh", default_config())
    assert isinstance(found, addpage.Found)
    assert found.summary.startswith("Atlassian Statuspage, 9 components, ")
    assert "all operational" not in found.summary


@pytest.mark.parametrize(("routes", "why"), [
    ({}, "HTTP 404"),                                                # nothing there
    ({"/p/api/v2/summary.json": (b"<html><body>hi</body></html>", 200, "text/html")},
     "cannot use this page"),                                        # a web page, no API
    ({"/p/api/v2/summary.json": (CHALLENGE, 403, "text/html")}, "cannot use this page"),
    ({"/p/api/v2/summary.json": (b'{"not": "a status page"}', 200, "application/json")},
     "cannot use this page"),
])
def test_a_page_it_cannot_read_is_refused_with_the_reason(
        server: LoopbackServer, routes: dict[str, tuple[bytes, int, str]], why: str) -> None:
    for path, (body, status, kind) in routes.items():
        server.set(path, body, status=status, content_type=kind)
    refused = addpage.discover(server.base + "/p", default_config())
    assert isinstance(refused, str), refused
    assert refused.startswith("cannot use this page: ") and why in refused
    assert "\n" not in refused


@pytest.mark.parametrize(("url", "why"), [
    ("http://status.example.com", "must use https"),
    ("ftp://status.example.com", "must be an http(s) URL"),
    ("", "must be a URL string"),
])
def test_a_url_trayapp_would_not_poll_is_refused_unread(url: str, why: str) -> None:
    refused = addpage.discover(url, default_config())
    assert isinstance(refused, str) and why in refused


@pytest.mark.parametrize("report", [
    FeedReport(platform="statuspage", level=Level.UNKNOWN, summary="cannot tell"),
    FeedReport(platform="auto", level=Level.OPERATIONAL, summary="?"),
])
def test_an_unknown_or_unrecognised_read_is_never_offered(report: FeedReport) -> None:
    assert isinstance(addpage.interpret("https://s.example", report), str)
