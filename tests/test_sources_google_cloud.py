from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.loopback import LoopbackServer
from trayapp.config import parse_text
from trayapp.core.assess import assess
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller
from trayapp.sources import NeedDocuments, get, google_cloud

from .feedkit import assert_standard_failures, assert_total, at, dumps, fixture, json_values

URL = "https://status.cloud.google.com/incidents.json"
PRODUCTS = "https://status.cloud.google.com/products.json"
NOW = at("2026-07-26T00:00:00+00:00")
GEMINI = "Z0FZJAMvEB4j3NbCJs6B"
CATALOG = fixture("google-cloud/google-products-1.json")
UNSET = object()


def read(body: bytes | None, catalog: bytes | object | None = UNSET) -> FeedReport:
    """The adapter's report for ``body``, with the real catalog unless told otherwise."""
    got = google_cloud.parse(URL, {URL: body}, NOW)
    if isinstance(got, FeedReport):
        return got
    assert got == NeedDocuments((PRODUCTS,), hold=google_cloud.CATALOG_HOLD)
    docs = {URL: body, PRODUCTS: CATALOG if catalog is UNSET else catalog}
    report = google_cloud.parse(URL, docs, NOW)  # type: ignore[arg-type]
    assert isinstance(report, FeedReport)
    return report


def without_gemini() -> bytes:
    """The real document on a quiet day for Gemini: its one Gemini incident dropped."""
    data = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    return dumps([i for i in data if not any(p["id"] == GEMINI for p in i["affected_products"])])


def open_copy(index: int, **changes: Any) -> list[dict[str, Any]]:
    """The real fixture with incident ``index`` re-opened (its ``end`` removed)."""
    data = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    del data[index]["end"]
    data[index].update(changes)
    return data


def test_registered_and_entry() -> None:
    adapter = get("google-cloud")
    assert adapter is not None and adapter.entry(URL) == URL
    assert google_cloud.entry("https://status.cloud.google.com") == URL


def test_fixture_all_resolved() -> None:
    report = read(fixture("google-cloud/gcp-incidents-1.json"))
    assert report.platform == "google-cloud" and report.problem is None
    assert report.level is Level.OPERATIONAL
    assert report.incidents == ()
    assert report.summary == "No active incidents" and report.error is None
    assert report.page_url == "https://status.cloud.google.com"
    # the 25 catalog products, then the 9 more that only ended incidents name
    assert len(report.components) == 25 + 9
    assert {c.level for c in report.components} == {Level.OPERATIONAL}


def test_catalog_asked_beside_the_document_and_held() -> None:
    assert google_cloud.catalog_url(URL) == PRODUCTS
    assert google_cloud.catalog_url("http://127.0.0.1:8080/gcp/incidents.json") == \
        "http://127.0.0.1:8080/gcp/products.json"
    got = google_cloud.parse(URL, {URL: b"[]"}, NOW)
    assert isinstance(got, NeedDocuments) and got.urls == (PRODUCTS,) and got.hold >= 3600
    # a document that cannot be read is reported without asking for the catalog
    assert isinstance(google_cloud.parse(URL, {URL: b"<html></html>"}, NOW), FeedReport)


def test_quiet_day_gemini_known_from_the_catalog() -> None:
    report = read(without_gemini())
    [gemini] = [c for c in report.components if c.id == GEMINI]
    assert gemini.level is Level.OPERATIONAL and gemini.name == "Vertex Gemini API"
    for entry in (GEMINI, "Vertex Gemini API", "vertex gemini"):
        got = assess(report, (entry,))
        assert got.level is Level.OPERATIONAL and not got.unmatched_filter, entry


def test_renamed_product_matches_old_and_new_title() -> None:
    report = read(fixture("google-cloud/gcp-incidents-1.json"))
    [gemini] = [c for c in report.components if c.id == GEMINI]
    assert gemini.name == "Gemini on Agent Platform" and gemini.aliases == ("Vertex Gemini API",)
    for entry in ("Gemini on Agent Platform", "Vertex Gemini API", "VERTEX GEMINI"):
        got = assess(report, (entry,))
        assert got.level is Level.OPERATIONAL and [c.id for c in got.report.components] == [GEMINI]
    reopened = read(dumps(open_copy(3)))
    for entry in ("Vertex Gemini API", "gemini on agent", GEMINI):
        assert assess(reopened, (entry,)).level is Level.DEGRADED, entry


def test_unknown_product_still_matches_nothing() -> None:
    got = assess(read(without_gemini()), ("Gemini Ultra Cloud",))
    assert got.unmatched_filter and got.level is Level.UNKNOWN


@pytest.mark.parametrize(("catalog", "why"), [
    (None, "could not be fetched"), (b"<!doctype html><html>x</html>", "is HTML, not JSON"),
    (b'{"products": {"id": "x"}}', "has an unexpected shape"), (b"[1", "is not valid JSON")])
def test_unreadable_catalog_only_document_products_known(catalog: bytes | None, why: str) -> None:
    quiet = read(without_gemini(), catalog)
    assert quiet.problem is None and quiet.level is Level.OPERATIONAL
    assert why in quiet.summary
    assert "only the products named in incidents are known" in quiet.summary
    assert quiet.summary.startswith("No active incidents; ") and quiet.error and quiet.warnings
    assert len(quiet.components) == 6     # the products of the two non-Gemini incidents
    assert assess(quiet, (GEMINI,)).unmatched_filter
    named = read(fixture("google-cloud/gcp-incidents-1.json"), catalog)
    assert assess(named, (GEMINI,)).level is Level.OPERATIONAL   # an ended incident names it


def test_reopened_gemini_incident() -> None:
    report = read(dumps(open_copy(3)))
    [inc] = report.incidents
    assert inc.name == ("Vertex AI Gemini API customers experienced increased error rates "
                        "when accessing the global endpoint.")
    assert inc.impact is Level.DEGRADED            # SERVICE_INFORMATION
    assert inc.url == "https://status.cloud.google.com/incidents/41E5S3mkTGDfkZuJZH5k"
    assert GEMINI in inc.component_ids
    assert "Gemini on Agent Platform" in inc.components
    assert [u.status for u in inc.updates] == ["available", "available", "service_information"]
    assert inc.updates[0].at == at("2026-03-09T05:25:43+00:00")
    assert report.level is Level.DEGRADED
    gemini = [c for c in report.components if c.id == GEMINI]
    assert gemini and gemini[0].level is Level.DEGRADED
    hurt = [c for c in report.components if c.level is not Level.OPERATIONAL]
    assert len(hurt) == 4


@pytest.mark.parametrize(("impact", "level"), [
    ("SERVICE_OUTAGE", Level.MAJOR_OUTAGE), ("SERVICE_DISRUPTION", Level.PARTIAL_OUTAGE),
    ("SERVICE_INFORMATION", Level.DEGRADED)])
def test_impact_mapping(impact: str, level: Level) -> None:
    report = read(dumps(open_copy(1, status_impact=impact)))
    assert report.incidents[0].impact is level and report.level is level


def test_empty_end_is_open_and_worst_wins() -> None:
    data = open_copy(0)          # SERVICE_DISRUPTION
    data[1]["end"] = ""          # SERVICE_DISRUPTION too
    data[3]["end"] = None        # SERVICE_INFORMATION
    report = read(dumps(data))
    assert len(report.incidents) == 3
    assert report.level is Level.PARTIAL_OUTAGE
    assert report.summary.endswith("(+2 more)")


def test_unknown_impact_is_unknown_with_warning() -> None:
    report = read(dumps(open_copy(1, status_impact="SERVICE_APOCALYPSE")))
    assert report.incidents[0].impact is Level.UNKNOWN
    assert report.warnings and "SERVICE_APOCALYPSE" in report.warnings[0]


def test_markup_and_non_ascii_text_kept_plain() -> None:
    data = [{"id": "x", "external_desc": "Ärger \x1b[31mred\x1b[0m\u202e", "status_impact":
             "SERVICE_OUTAGE", "updates": [{"status": "SERVICE_OUTAGE", "text": "a\nb",
                                            "when": "2026-07-25T10:00:00-07:00"}]}]
    [inc] = read(dumps(data)).incidents
    assert inc.name == "Ärger red"
    assert inc.updates[0].at == at("2026-07-25T17:00:00+00:00")
    assert inc.url == "https://status.cloud.google.com/incidents/x"


@pytest.mark.parametrize("body", [b"null", b"5", b"{}", b'{"incidents": []}', b'["a", 1]'])
def test_wrong_shapes_are_broken(body: bytes) -> None:
    assert read(body).problem is SourceProblem.BROKEN


def test_empty_array_is_operational() -> None:
    assert read(b"[]").level is Level.OPERATIONAL


def test_empty_body_is_broken() -> None:
    assert read(b"").problem is SourceProblem.BROKEN


def test_challenge_garbage_truncated_unfetched() -> None:
    assert_standard_failures(read, b'[{"id": "x", "end"')


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(dumps)
       | st.lists(json_values, max_size=3).map(dumps))
def test_never_raises(body: bytes) -> None:
    assert_total(google_cloud.parse, URL, URL, body, NOW)


def test_poller_fetches_the_catalog_once_an_hour() -> None:
    """Through a real loopback server: the catalog is read, then held for an hour."""
    server = LoopbackServer()
    try:
        server.set("/gcp/incidents.json", without_gemini())
        server.set("/gcp/products.json", CATALOG, etag='"p1"')
        config = parse_text(
            'connectivity_url = ""\n[[services]]\nid = "gemini"\npreset = "gemini"\n'
            f'feed = {{ url = "{server.url("/gcp/incidents.json")}" }}\nprobe = false\n', "t")
        clock = [1000.0]                          # the hold is timed on the monotonic clock
        poller = Poller(config, HttpClient(timeout=5), monotonic=lambda: clock[0])
        levels = []
        for minutes in (0, 1, 59, 61):
            clock[0] = 1000.0 + minutes * 60
            obs = poller.poll(NOW + timedelta(minutes=minutes)).observations["gemini"]
            assert obs.feed is not None
            levels.append(assess(obs.feed, config.services[0].components).level)
        assert levels == [Level.OPERATIONAL] * 4
        assert server.hits["/gcp/incidents.json"] == 4
        assert server.hits["/gcp/products.json"] == 2          # at 0 and after the hour
        assert server.requests_to("/gcp/products.json")[1].headers.get("if-none-match") == '"p1"'
    finally:
        server.close()


def test_poller_retries_an_unreadable_catalog() -> None:
    server = LoopbackServer()
    try:
        server.set("/incidents.json", without_gemini())
        server.set("/products.json", b"", status=503)
        config = parse_text(
            'connectivity_url = ""\n[[services]]\nid = "gemini"\npreset = "gemini"\n'
            f'feed = {{ url = "{server.url("/incidents.json")}" }}\nprobe = false\n', "t")
        poller = Poller(config, HttpClient(timeout=5))
        feed = poller.poll(NOW).observations["gemini"].feed
        assert feed is not None and feed.problem is None
        assert "catalog (products.json) could not be fetched" in feed.summary
        assert assess(feed, (GEMINI,)).unmatched_filter        # still "matches nothing"
        server.set("/products.json", b"<!doctype html><html><body>Sign in</body></html>",
                   content_type="text/html")                  # a 200 that is no catalog
        feed = poller.poll(NOW + timedelta(minutes=1)).observations["gemini"].feed
        assert feed is not None and "catalog (products.json) is HTML" in feed.summary
        server.set("/products.json", CATALOG)
        feed = poller.poll(NOW + timedelta(minutes=2)).observations["gemini"].feed
        assert feed is not None and assess(feed, (GEMINI,)).level is Level.OPERATIONAL
    finally:
        server.close()


def test_an_incident_id_is_percent_encoded_into_its_link() -> None:
    """A real open incident whose ``uri`` is missing and whose id carries a newline,
    an ESC, quotes and a slash: the built link encodes every one of them."""
    data = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    incident = data[0]
    incident.pop("end", None)                  # re-opened
    incident.pop("uri", None)
    incident["id"] = 'a/b\n\x1b"\'?x'
    report = read(dumps([incident]))
    (inc,) = report.incidents
    assert inc.url == "https://status.cloud.google.com/incidents/a%2Fb%0A%1B%22%27%3Fx"


def test_one_incident_naming_many_products_keeps_each_once_in_order() -> None:
    data = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    incident = data[0]
    incident.pop("end", None)                  # re-opened
    products = [{"id": f"p{i}", "title": f"Product {i}"} for i in range(3000)]
    incident["affected_products"] = products + products[::-1]       # every one twice
    (inc,) = read(dumps([incident])).incidents
    assert inc.component_ids == tuple(f"p{i}" for i in range(3000))
    assert inc.components == tuple(f"Product {i}" for i in range(3000))
