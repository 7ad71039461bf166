from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, SourceProblem
from trayapp.sources import get, rss

from .feedkit import CHALLENGE, at, fixture

URL = "https://status.example.com/history.atom"


def read(body: bytes | None, now: datetime, url: str = URL) -> FeedReport:
    return rss.parse(url, {url: body}, now)


def atom(*entries: str) -> bytes:
    return ("<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            "<link rel='alternate' href='https://status.example.com'/>"
            + "".join(entries) + "</feed>").encode()


def atom_entry(title: str, content: str, updated: str = "2026-10-07T21:45:27Z",
               link: str = "https://status.example.com/incidents/abc") -> str:
    return (f"<entry><id>tag:x,2005:Incident/1</id><updated>{updated}</updated>"
            f"<link rel='alternate' type='text/html' href='{link}'/>"
            f"<title>{title}</title><content type='html'>{content}</content></entry>")


def rss_doc(*items: str) -> bytes:
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
            "<link>https://status.example.com</link>" + "".join(items)
            + "</channel></rss>").encode()


def rss_item(title: str, description: str, pub: str = "Mon, 05 Oct 2026 10:00:00 GMT") -> str:
    return (f"<item><title>{title}</title><guid>g1</guid><link>https://status.example.com/i/1</link>"
            f"<pubDate>{pub}</pubDate><description><![CDATA[{description}]]></description></item>")


NOW = at("2026-10-08T06:04:00+00:00")


def test_registered() -> None:
    adapter = get("rss")
    assert adapter is not None and adapter.entry(URL) == URL


def test_entry_keeps_feed_url_and_completes_bare_page() -> None:
    assert rss.entry("https://status.x.ai/feed.xml") == "https://status.x.ai/feed.xml"
    assert rss.entry("https://status.openai.com/feed.rss") == "https://status.openai.com/feed.rss"
    assert rss.entry("https://status.claude.com") == "https://status.claude.com/history.atom"


def test_statuspage_atom_fixture_has_one_open_incident() -> None:
    report = read(fixture("statuspage/anthropic-history-atom-1.xml"), NOW)
    assert report.platform == "rss"
    assert report.problem is None
    assert report.components == ()
    assert report.page_url == "https://status.claude.com"
    assert [i.name for i in report.incidents] == ["Elevated errors on platform.claude.com"]
    inc = report.incidents[0]
    assert inc.status == "monitoring"
    assert inc.impact is Level.DEGRADED      # no severity, no outage words -> degraded
    assert report.level is Level.DEGRADED
    assert report.summary == "Elevated errors on platform.claude.com"
    assert inc.url == "https://status.claude.com/incidents/978mjkgw6mh7"
    assert [u.status for u in inc.updates] == ["monitoring", "identified", "update",
                                               "investigating"]
    assert [u.at for u in inc.updates][:2] == [at("2026-10-07T21:44:00+00:00"),
                                               at("2026-10-07T17:28:00+00:00")]
    assert inc.updates[0].body.startswith("We've mitigated the errors loading usage data")
    assert "<" not in inc.updates[0].body and "var" not in inc.updates[0].body


def test_statuspage_atom_open_incident_goes_stale_after_a_week() -> None:
    report = read(fixture("statuspage/anthropic-history-atom-1.xml"),
                  at("2026-10-20T00:00:00+00:00"))
    assert report.incidents == ()
    assert report.level is Level.OPERATIONAL
    assert any("stale" in w for w in report.warnings)


def test_xai_rss_fixture_is_resolved() -> None:
    url = "https://status.x.ai/feed.xml"
    report = read(fixture("xai-custom/xai-feed-rss-1.xml"), at("2026-05-18T13:00:00+00:00"), url)
    assert report.level is Level.OPERATIONAL
    assert report.incidents == ()
    assert report.summary == "No open incidents"
    assert report.page_url == "https://status.x.ai"


def test_xai_style_open_item_with_severity_and_oldest_first_updates() -> None:
    desc = ("<h3>Status: INVESTIGATING</h3><p>Severity: partial_outage</p><hr/><h4>Updates:</h4>"
            "<div><p><strong>Mon, 05 Oct 2026 09:00:00 GMT</strong></p><h3>Investigating</h3>"
            "<p>Looking into it</p></div>"
            "<div><p><strong>Mon, 05 Oct 2026 10:00:00 GMT</strong></p><h3>Updated</h3>"
            "<p>Still <b>looking</b></p></div>")
    report = read(rss_doc(rss_item("[API] Errors", desc)), at("2026-10-05T12:00:00+00:00"))
    [inc] = report.incidents
    assert inc.status == "investigating"
    assert inc.impact is Level.PARTIAL_OUTAGE
    assert report.level is Level.PARTIAL_OUTAGE
    assert [u.status for u in inc.updates] == ["updated", "investigating"]
    assert inc.updates[0].body == "Still looking"


def test_incidentio_style_status_line_and_component_state() -> None:
    content = ("&lt;b&gt;Status: Identified&lt;/b&gt;&lt;br/&gt;&lt;br/&gt;Errors on login"
               "&lt;br/&gt;&lt;br/&gt;&lt;b&gt;Affected components&lt;/b&gt;&lt;ul&gt;"
               "&lt;li&gt;Login (Full outage)&lt;/li&gt;&lt;/ul&gt;")
    report = read(atom(atom_entry("Login down", content)), NOW)
    [inc] = report.incidents
    assert inc.status == "identified"
    assert inc.impact is Level.MAJOR_OUTAGE
    assert "Login (Full outage)" in inc.updates[0].body
    assert "<" not in inc.updates[0].body


def test_incidentio_style_resolved_entry_is_not_active() -> None:
    content = "&lt;b&gt;Status: Resolved&lt;/b&gt;&lt;br/&gt;All good"
    report = read(atom(atom_entry("Login down", content)), NOW)
    assert report.incidents == () and report.level is Level.OPERATIONAL


def test_flashduty_style_rss_description() -> None:
    item = rss_item("API slow", "Status: investigating\nAffected components: API (degraded)")
    report = read(rss_doc(item), at("2026-10-05T11:00:00+00:00"))
    [inc] = report.incidents
    assert inc.status == "investigating" and inc.impact is Level.DEGRADED
    assert inc.created_at == at("2026-10-05T10:00:00+00:00")


@pytest.mark.parametrize(("label", "in_progress"), [("In progress", True), ("Scheduled", False)])
def test_statuspage_maintenance_entry(label: str, in_progress: bool) -> None:
    content = (f"&lt;p&gt;&lt;small&gt;Oct &lt;var data-var='date'&gt; 7&lt;/var&gt;, "
               f"&lt;var data-var='time'&gt;21:00&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;"
               f"&lt;strong&gt;{label}&lt;/strong&gt; - Upgrading the database&lt;/p&gt;")
    report = read(atom(atom_entry("DB upgrade", content)), NOW)
    assert report.incidents == ()
    [m] = report.maintenances
    assert m.name == "DB upgrade" and m.in_progress is in_progress
    assert report.level is (Level.MAINTENANCE if in_progress else Level.OPERATIONAL)
    if in_progress:
        assert report.summary == "Maintenance: DB upgrade"


def test_year_inferred_backwards_across_new_year() -> None:
    content = ("&lt;p&gt;&lt;small&gt;Dec 31, 23:50 UTC&lt;/small&gt;&lt;br&gt;"
               "&lt;strong&gt;Investigating&lt;/strong&gt; - late night&lt;/p&gt;")
    report = read(atom(atom_entry("Edge", content, updated="2027-01-01T00:10:00Z")),
                  at("2027-01-01T01:00:00+00:00"))
    [inc] = report.incidents
    assert inc.updates[0].at == at("2026-12-31T23:50:00+00:00")


def test_timezone_offsets_in_dates() -> None:
    item = rss_item("X", "Status: monitoring", pub="Mon, 05 Oct 2026 12:00:00 +0200")
    report = read(rss_doc(item), at("2026-10-05T10:30:00+00:00"))
    assert report.incidents[0].updated_at == at("2026-10-05T10:00:00+00:00")


def test_non_ascii_and_markup_in_title() -> None:
    report = read(atom(atom_entry("Erreurs élevées ∶ &lt;b&gt;API&lt;/b&gt; – Ünïcode",
                                  "Status: investigating")), NOW)
    assert report.incidents[0].name == "Erreurs élevées ∶ API – Ünïcode"


def test_entry_without_status_is_ignored_with_warning() -> None:
    report = read(atom(atom_entry("Mystery", "Something happened")), NOW)
    assert report.incidents == ()
    assert any("no readable status" in w for w in report.warnings)


def test_entry_without_dates_is_stale() -> None:
    doc = (b"<rss version='2.0'><channel><item><title>X</title><description>Status: investigating"
           b"</description></item></channel></rss>")
    report = read(doc, NOW)
    assert report.incidents == () and any("stale" in w for w in report.warnings)


def test_empty_feed() -> None:
    report = read(atom(), NOW)
    assert report.level is Level.OPERATIONAL and report.incidents == ()
    assert report.problem is None


def test_unsafe_link_dropped() -> None:
    report = read(atom(atom_entry("X", "Status: investigating", link="javascript:alert(1)")), NOW)
    assert report.incidents[0].url is None


def test_entity_declarations_refused() -> None:
    doc = b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>]><rss><channel/></rss>"
    report = read(doc, NOW)
    assert report.problem is SourceProblem.BROKEN and "DTD" in (report.error or "")
    # An ENTITY outside a DOCTYPE is not XML at all: broken, never read.
    assert read(b"<?xml version='1.0'?><!ENTITY x 'y'><rss/>", NOW).problem \
        is SourceProblem.BROKEN


def test_challenge_page_is_blocked() -> None:
    assert read(CHALLENGE, NOW).problem is SourceProblem.BLOCKED


@pytest.mark.parametrize("doc", [
    b"", b"\xff\xfe\x00garbage", b"<rss><channel><item><title>trunc", b'{"json": true}',
    b"<html><body>hello</body></html>", b"<other/>",
    b"<?xml version='1.0' encoding='bogus'?><rss/>",
])
def test_unreadable_documents_are_broken(doc: bytes) -> None:
    report = read(doc, NOW)
    assert report.problem is SourceProblem.BROKEN and report.level is Level.UNKNOWN


def test_too_large_refused() -> None:
    report = read(b"<rss>" + b" " * (rss.MAX_BYTES + 1) + b"</rss>", NOW)
    assert report.problem is SourceProblem.BROKEN


def test_not_fetched() -> None:
    assert read(None, NOW).problem is SourceProblem.UNREACHABLE


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_never_raises_on_bytes(body: bytes) -> None:
    assert isinstance(read(body, NOW), FeedReport)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=200)), max_size=4))
def test_never_raises_on_text_in_valid_xml(entries: list[tuple[str, str]]) -> None:
    from xml.sax.saxutils import escape
    doc = atom(*(atom_entry(escape(t), escape(c)) for t, c in entries))
    assert isinstance(read(doc, NOW), FeedReport)
