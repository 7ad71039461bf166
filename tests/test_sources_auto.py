from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.levels import Level
from trayapp.model import FeedReport, SourceProblem
from trayapp.sources import NeedDocuments, auto, get

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
    assert set(got.urls) == {BASE + p for p in ("/summary.json", "/index.json", "/config.json",
                                                "/incidents.json", "/history.atom")}


@pytest.mark.parametrize(("path", "fixture_path", "kind", "level"), [
    ("summary.json", "instatus/perplexity-summary-1.json", "instatus", Level.OPERATIONAL),
    ("index.json", "betterstack/together-index-1.json", "betterstack", Level.OPERATIONAL),
    ("incidents.json", "google-cloud/gcp-incidents-1.json", "google-cloud", Level.OPERATIONAL),
    ("history.atom", "statuspage/anthropic-history-atom-1.xml", "rss", Level.DEGRADED),
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
