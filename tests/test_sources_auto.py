from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.loopback import LoopbackServer
from trayapp.config import parse_text
from trayapp.core.feeds import read_feed
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.domain.outcome import Fetched, Outcome
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller
from trayapp.sources import NeedDocuments, auto, document_base, get

from .feedkit import CHALLENGE, assert_total, at, dumps, fixture, full_parse, json_values

BASE = "https://status.example.com"
NOW = at("2026-10-08T06:04:00+00:00")
FIRST = BASE + "/api/v2/summary.json"


def run(bodies: dict[str, bytes | None]) -> FeedReport:
    """Answer every request from ``bodies`` (path -> body; others fail)."""
    docs: dict[str, bytes | None] = {}
    for _ in range(5):
        got = auto.parse(BASE, docs, NOW)
        if isinstance(got, FeedReport):
            return got
        for url in got.urls:
            docs[url] = bodies.get(url.removeprefix(BASE + "/"))
    raise AssertionError("too many rounds")


def test_registered_and_first_request() -> None:
    assert get("auto") is not None
    assert auto.entry(BASE) == FIRST
    assert auto.parse(BASE, {}, NOW) == NeedDocuments((FIRST,))


def test_statuspage_detected_from_first_document() -> None:
    report = run({"api/v2/summary.json": fixture("statuspage/anthropic-summary-1.json")})
    assert report.platform == "statuspage"
    assert report.level is Level.DEGRADED     # indicator minor, Claude Console degraded
    assert [i.name for i in report.incidents] == ["Elevated errors on platform.claude.com"]


def test_incidentio_detected_and_its_extra_document_fetched() -> None:
    incidents = fixture("incidentio/perplexity-incidents-compat-1.json")
    report = run({"api/v2/summary.json": fixture("incidentio/perplexity-summary-compat-1.json"),
                  "api/v2/incidents.json": incidents})
    assert report.platform == "incidentio"
    assert report.problem is None
    assert not any("incidents.json" in w for w in report.warnings)   # it was fetched and read


def test_other_candidates_asked_together_when_first_is_html() -> None:
    got = auto.parse(BASE, {FIRST: b"<!doctype html><html><body>Status</body></html>"}, NOW)
    assert isinstance(got, NeedDocuments)
    assert set(got.urls) == {BASE + p for p in ("/api/v1/status.json", "/summary.json",
                                                "/index.json", "/config.json",
                                                "/incidents.json", "/history.atom")}


@pytest.mark.parametrize(("path", "fixture_path", "kind", "level"), [
    ("summary.json", "instatus/perplexity-summary-1.json", "instatus", Level.OPERATIONAL),
    ("index.json", "betterstack/together-index-1.json", "betterstack", Level.OPERATIONAL),
    ("incidents.json", "google-cloud/gcp-incidents-1.json", "google-cloud", Level.OPERATIONAL),
    ("history.atom", "statuspage/anthropic-history-atom-1.xml", "rss", Level.DEGRADED),
    ("api/v1/status.json", "rootly/doc-status-major.json", "rootly", Level.MAJOR_OUTAGE),
])
def test_fallback_platforms(path: str, fixture_path: str, kind: str, level: Level) -> None:
    report = run({path: fixture(fixture_path)})
    assert report.platform == kind and report.problem is None and report.level is level
    adapter = get(kind)
    assert adapter is not None and adapter.entry(BASE) == f"{BASE}/{path}"


def test_nothing_recognised_is_broken() -> None:
    report = run({"api/v2/summary.json": b'{"hello": "world"}', "index.json": b"<html></html>"})
    assert report.problem is SourceProblem.BROKEN
    assert report.error == ("status source broken: could not recognise the status "
                            "page's platform")


def test_incidentio_web_page_named_in_error() -> None:
    page = fixture("incidentio/openai-statuspage-html-during-incident-1.html")
    report = run({"api/v2/summary.json": page})
    assert report.problem is SourceProblem.BROKEN
    assert "incidentio" in (report.error or "")


def test_challenge_is_blocked() -> None:
    report = run({"api/v2/summary.json": CHALLENGE})
    assert report.problem is SourceProblem.BLOCKED and report.level is Level.UNKNOWN


def test_nothing_fetched_is_unreachable() -> None:
    assert run({}).problem is SourceProblem.UNREACHABLE


def test_never_asks_twice() -> None:
    report = full_parse(auto.parse, BASE, {}, NOW, fill=None)
    assert report.problem is SourceProblem.UNREACHABLE


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(auto.parse, BASE, FIRST, body, NOW)


def run_at(url: str, bodies: dict[str, bytes | None]) -> tuple[FeedReport, list[str]]:
    """auto on ``url``, answering from ``bodies`` (full URL -> body); the URLs asked for."""
    docs: dict[str, bytes | None] = {}
    asked: list[str] = []
    for _ in range(5):
        got = auto.parse(url, docs, NOW)
        if isinstance(got, FeedReport):
            return got, asked
        asked += got.urls
        for u in got.urls:
            docs[u] = bodies.get(u)
    raise AssertionError("too many rounds")


# A document URL a user may paste, the real payload it serves, the kind that reads it.
DOCUMENTS = [
    ("/feed.xml", "xai-custom/xai-feed-rss-1.xml", "rss"),
    ("/history.atom", "statuspage/anthropic-history-atom-1.xml", "rss"),
    ("/incidents.json", "google-cloud/gcp-incidents-1.json", "google-cloud"),
    ("/api/v2/summary.json", "statuspage/anthropic-summary-1.json", "statuspage"),
    ("/api/v2/summary.json", "incidentio/openai-summary-compat-1.json", "incidentio"),
    ("/summary.json", "instatus/perplexity-summary-1.json", "instatus"),
    ("/index.json", "betterstack/together-index-1.json", "betterstack"),
    ("/config.json", "datadog-statuspage/openrouter-page-1.json", "datadog"),
    ("/api/status-page/6410630422455/summary/active",
     "flashduty/deepseek-summary-active-1.json", "flashduty"),
    ("/api/status-page/mistral-ai/uptime", "checkly/mistral-uptime-1.json", "checkly"),
    ("/api/v1/status.json", "rootly/doc-status-minor.json", "rootly"),
]


@pytest.mark.parametrize(("path", "fixture_path", "kind"), DOCUMENTS)
def test_document_url_is_read_as_itself(path: str, fixture_path: str, kind: str) -> None:
    url = BASE + path
    report, asked = run_at(url, {url: fixture(fixture_path)})
    assert report.platform == kind and report.problem is None, report.error
    assert report.level is not Level.UNKNOWN
    assert asked[0] == url
    # nothing guessed below the document: only what that platform's adapter reads
    assert not any(u.startswith(url + "/") for u in asked), asked


def test_document_url_with_its_platforms_extra_document() -> None:
    url = BASE + "/api/v2/summary.json"
    report, asked = run_at(url, {
        url: fixture("incidentio/perplexity-summary-compat-1.json"),
        BASE + "/api/v2/incidents.json": fixture("incidentio/perplexity-incidents-compat-1.json")})
    assert report.platform == "incidentio" and report.problem is None
    assert asked == [url, BASE + "/api/v2/incidents.json"]


def test_unrecognised_url_with_a_path_is_then_tried_as_a_base() -> None:
    url = BASE + "/status"
    report, asked = run_at(url, {
        url: b"<!doctype html><html><body>Status</body></html>",
        url + "/index.json": fixture("betterstack/together-index-1.json")})
    assert report.platform == "betterstack" and report.problem is None
    assert asked[0] == url and url + "/api/v2/summary.json" in asked


def test_auto_failure_never_suggests_auto() -> None:
    """The issue's message: a server that answers its Atom feed at every path."""
    adapter = get("auto")
    assert adapter is not None
    atom = fixture("statuspage/anthropic-history-atom-1.xml")
    outcomes: dict[str, Outcome] = {}
    result = read_feed(adapter, BASE, outcomes, NOW)
    for _ in range(4):
        assert isinstance(result, NeedDocuments)
        for u in result.urls:
            body = atom if u == FIRST else b'{"error":"not found"}'
            outcomes[u] = Fetched(u, 200 if u == FIRST else 404, body, 1)
        result = read_feed(adapter, BASE, outcomes, NOW)
        if isinstance(result, FeedReport):
            break
    assert isinstance(result, FeedReport) and result.problem is SourceProblem.BROKEN
    assert "auto" not in (result.error or "") and "try kind" not in (result.error or "")


def test_configured_kind_still_told_where_the_page_went() -> None:
    adapter = get("statuspage")
    assert adapter is not None
    body = fixture("betterstack/together-index-1.json")
    report = read_feed(adapter, BASE, {FIRST: Fetched(FIRST, 200, body, 1)}, NOW)
    assert isinstance(report, FeedReport) and report.problem is SourceProblem.BROKEN
    assert 'try kind = "betterstack" or "auto"' in (report.error or "")


def test_pasted_entry_document_read_with_the_configured_kind() -> None:
    adapter = get("statuspage")
    assert adapter is not None
    assert document_base(adapter, FIRST) == BASE
    assert document_base(adapter, BASE) == BASE
    rss = get("rss")
    assert rss is not None and document_base(rss, BASE + "/feed.xml") == BASE + "/feed.xml"
    report = read_feed(adapter, FIRST, {FIRST: Fetched(
        FIRST, 200, fixture("statuspage/anthropic-summary-3.json"), 1)}, NOW)
    assert isinstance(report, FeedReport) and report.level is Level.OPERATIONAL


@pytest.mark.parametrize(("path", "fixture_path", "kind"), [DOCUMENTS[0], DOCUMENTS[3]])
def test_poller_remembers_a_document_urls_platform(path: str, fixture_path: str,
                                                    kind: str) -> None:
    server = LoopbackServer()
    try:
        server.set(path, fixture(fixture_path))
        config = parse_text(
            'connectivity_url = ""\n[[services]]\nid = "x"\n'
            f'feed = {{ kind = "auto", url = "{server.url(path)}" }}\n', "t")
        poller = Poller(config, HttpClient(timeout=5))
        for minutes in range(3):
            feed = poller.poll(NOW + timedelta(minutes=minutes)).observations["x"].feed
            assert feed is not None and feed.problem is None and feed.platform == kind
        # one request a poll, nothing guessed; a Statuspage's incident history once an
        # hour (trayapp.core.eta), beside the document's own base
        history = {"/api/v2/incidents.json": 1} if kind == "statuspage" else {}
        assert dict(server.hits) == {path: 3, **history}
    finally:
        server.close()


def test_auto_backs_off_at_the_first_challenge() -> None:
    """A page that blocks us is not asked for five more documents: blocked at once."""
    server = LoopbackServer()
    try:
        server.set("/api/v2/summary.json", CHALLENGE, status=403, content_type="text/html",
                   headers={"cf-mitigated": "challenge"})
        config = parse_text(
            'connectivity_url = ""\n[[services]]\nid = "x"\n'
            f'feed = {{ kind = "auto", url = "{server.base}" }}\n', "t")
        feed = Poller(config, HttpClient(timeout=5)).poll(NOW).observations["x"].feed
        assert feed is not None and feed.problem is SourceProblem.BLOCKED
        assert "bot challenge" in feed.summary
        assert dict(server.hits) == {"/api/v2/summary.json": 1}
    finally:
        server.close()
