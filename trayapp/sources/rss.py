"""Incident-history feeds: Atom and RSS 2.0.

Reads Statuspage ``history.atom``/``history.rss``, incident.io
``/history.atom``/``/feed.rss``, Flashduty ``/history.rss`` and xAI
``/feed.xml``. The feed ``url`` is the document's own URL; ``entry`` returns
it unchanged (a bare page URL gets ``/history.atom``, so that a kind learnt by
auto-detection still works).

A history feed has no current-state field and no components
(``components = ()``), so the state is *inferred* from each entry's text:

* Updates: Statuspage writes ``<small>Oct 7, 21:44 UTC</small><strong>Monitoring</strong> - body``
  (newest first, no year: the year comes from the entry's own date); xAI
  writes a date line, a status heading, then the body (oldest first);
  incident.io and Flashduty write one ``Status: Resolved`` line. Updates are
  returned newest first.
* Status of an entry: its ``Status:`` line, else its newest update's label,
  else a ``<category>`` naming a status. An entry is *active* unless that
  status is resolved / completed / postmortem / closed. An entry with no
  readable status is not counted (a warning says how many).
* Level of an active entry, first rule that applies:
  1. a ``Severity:``/``Impact:`` line (critical, major outage, full outage -> major_outage;
     major, partial outage, high -> partial_outage; minor, medium, low, degraded -> degraded;
     maintenance -> maintenance; none, available, operational -> operational);
  2. outage words in the title or newest update (incident.io's
     "Affected components" list says "(Full outage)" etc.): the worst one;
  3. otherwise ``degraded``.
  Entries whose labels are maintenance ones (Scheduled, In progress,
  Verifying, Completed) are maintenances: in progress or upcoming.
* Staleness: an active entry whose newest date (update, ``updated``,
  ``published``) is older than 7 days before ``now``, or that has no date at
  all, is ignored with a warning: a forgotten entry never holds an outage.
* The page level is the worst active level, ``operational`` when none.

Safety: documents over 4 MiB are refused, and so is any document type
declaration: the parser is stopped at the start of a DOCTYPE, seen by expat
after decoding (UTF-16, UTF-32, a BOM or a declared encoding cannot hide it),
before any entity it declares can be expanded ("billion laughs"). Dates more
than a day after ``now``, or before 2000, are unknown (an entry dated 9999 never
holds an outage).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from trayapp.domain.levels import Level
from trayapp.domain.model import (
    FeedReport,
    Incident,
    Maintenance,
    SourceProblem,
    Update,
    failed_feed,
)
from trayapp.domain.text import html_to_text, one_line, origin, paragraph, safe_url
from trayapp.sources.common import (
    STALE_AFTER,
    fetched,
    join_url,
    looks_like_challenge,
    looks_like_html,
    newest_first,
    not_json_report,
    page_report,
    past_time,
)

PLATFORM = "rss"
EXPECTED = "an Atom or RSS feed"
MAX_BYTES = 4 * 1024 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"

CLOSED = frozenset({"resolved", "completed", "postmortem", "closed", "fixed", "cancelled",
                    "canceled"})
MAINTENANCE_WORDS = frozenset({"scheduled", "in_progress", "verifying", "completed"})
IN_PROGRESS = frozenset({"in_progress", "verifying"})
STATUS_WORDS = frozenset({"investigating", "identified", "update", "updated", "monitoring",
                          "resolved", "postmortem", "scheduled", "in_progress", "verifying",
                          "completed", "closed", "fixed", "cancelled", "canceled"})
SEVERITY = {
    "critical": Level.MAJOR_OUTAGE, "major_outage": Level.MAJOR_OUTAGE,
    "full_outage": Level.MAJOR_OUTAGE, "outage": Level.MAJOR_OUTAGE,
    "service_outage": Level.MAJOR_OUTAGE, "down": Level.MAJOR_OUTAGE,
    "major": Level.PARTIAL_OUTAGE, "partial_outage": Level.PARTIAL_OUTAGE,
    "high": Level.PARTIAL_OUTAGE, "partial": Level.PARTIAL_OUTAGE,
    "minor": Level.DEGRADED, "medium": Level.DEGRADED, "low": Level.DEGRADED,
    "degraded": Level.DEGRADED, "degraded_performance": Level.DEGRADED,
    "maintenance": Level.MAINTENANCE, "under_maintenance": Level.MAINTENANCE,
    "none": Level.OPERATIONAL, "available": Level.OPERATIONAL,
    "operational": Level.OPERATIONAL,
}
# Words in free text, worst first: the first that occurs sets the level.
TEXT_LEVELS = (
    (re.compile(r"\b(?:major|full|complete|total) outage\b", re.I), Level.MAJOR_OUTAGE),
    (re.compile(r"\bpartial (?:outage|service outage)\b", re.I), Level.PARTIAL_OUTAGE),
    (re.compile(r"\bdegraded\b", re.I), Level.DEGRADED),
)
_STATUS_LINE = re.compile(r"^\s*status\s*[:：]\s*(in[ _]progress|under[ _]maintenance|\w+)",
                          re.I | re.M)
_SEVERITY_LINE = re.compile(
    r"^\s*(?:severity|impact)\s*[:：]\s*((?:major|partial|full|degraded|under)[ _]\w+|\w+)",
    re.I | re.M)
_LABELLED = re.compile(r"^([A-Za-z][A-Za-z ]{1,20}?)\s+[-–]\s+(.*)$")
_SHORT_DATE = re.compile(
    r"^([A-Z][a-z]{2})\s+(\d{1,2})(?:,\s*(\d{4}))?\s*[,-]?\s*(\d{1,2}):(\d{2})\s*(UTC|GMT)$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def entry(base: str) -> str:
    """The feed URL itself; a bare page URL (no path) gets ``/history.atom``."""
    page = origin(base)
    return join_url(base, "history.atom") if page and base.rstrip("/") == page else base


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    body = fetched(docs, entry(base), PLATFORM, origin(base))
    if isinstance(body, FeedReport):
        return body
    root, problem = _parse_xml(body, origin(base))
    if problem is not None:
        return problem
    assert root is not None
    return read_feed(root, base, now)


def _parse_xml(body: bytes, page_url: str | None) -> tuple[ET.Element | None, FeedReport | None]:
    if looks_like_challenge(body) or looks_like_html(body):
        return None, not_json_report(PLATFORM, body, EXPECTED, page_url)
    if len(body) > MAX_BYTES:
        return None, failed_feed(PLATFORM, SourceProblem.BROKEN,
                                 "status source broken: the feed is too large (over 4 MiB)",
                                 page_url)
    try:
        parser = ET.XMLParser(target=_NoDoctype())  # noqa: S314 (a DOCTYPE stops it)
        parser.feed(body)
        root = parser.close()
    except _DoctypeRefused:
        return None, failed_feed(PLATFORM, SourceProblem.BROKEN,
                                 "status source broken: the feed declares a DTD (refused)",
                                 page_url)
    except Exception:  # ParseError, bad encodings, anything expat may throw
        return None, not_json_report(PLATFORM, body, EXPECTED, page_url)
    if root.tag not in (f"{ATOM}feed", "rss", "feed"):
        return None, not_json_report(PLATFORM, body, EXPECTED, page_url)
    return root, None


class _DoctypeRefused(Exception):
    pass


class _NoDoctype(ET.TreeBuilder):
    """A tree builder that stops the parse at the start of any DOCTYPE.

    Expat reports the declaration after decoding the document, whatever its
    encoding, and before its internal subset (where entities are declared)."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _DoctypeRefused(name)


def _text(node: ET.Element | None) -> str:
    if node is None:
        return ""
    if len(node):  # xhtml content: its visible text
        return " ".join(t for t in node.itertext())
    return node.text or ""


def _child(node: ET.Element, *tags: str) -> ET.Element | None:
    for tag in tags:
        found = node.find(tag)
        if found is not None:
            return found
    return None


def _atom_link(node: ET.Element) -> str | None:
    for link in node.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return safe_url(link.get("href"))
    return None


@dataclass
class _Entry:
    id: str
    title: str
    link: str | None
    at: datetime | None      # the entry's own newest date
    markup: str
    categories: tuple[str, ...]


def _entries(root: ET.Element, now: datetime) -> tuple[list[_Entry], str | None]:
    out = []
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            return [], None
        page = safe_url(_text(channel.find("link")).strip())
        for item in channel.findall("item"):
            out.append(_Entry(
                id=_text(item.find("guid")).strip(), title=_text(item.find("title")),
                link=safe_url(_text(item.find("link")).strip()),
                at=past_time(_text(_child(item, "pubDate", DC_DATE)).strip(), now),
                markup=_text(_child(item, CONTENT, "description")),
                categories=tuple(_text(c) for c in item.findall("category"))))
        return out, page
    ns = ATOM if root.tag.startswith(ATOM) else ""
    page = _atom_link(root) if ns else None
    for item in root.findall(f"{ns}entry"):
        times = [t for tag in ("updated", "published")
                 if (t := past_time(_text(item.find(f"{ns}{tag}")).strip(), now)) is not None]
        out.append(_Entry(
            id=_text(item.find(f"{ns}id")).strip(), title=_text(item.find(f"{ns}title")),
            link=_atom_link(item) if ns else None, at=max(times) if times else None,
            markup=_text(_child(item, f"{ns}content", f"{ns}summary")),
            categories=tuple(c.get("term", "") for c in item.findall(f"{ns}category"))))
    return out, page


def read_feed(root: ET.Element, base: str, now: datetime) -> FeedReport:
    items, page = _entries(root, now)
    page_url = page or origin(base)
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    stale = unreadable = 0
    for item in items:
        got = _read_entry(item, now)
        if got == "stale":
            stale += 1
        elif got == "unreadable":
            unreadable += 1
        elif isinstance(got, Incident):
            incidents.append(got)
        elif isinstance(got, Maintenance):
            maintenances.append(got)
    warnings = []
    if stale:
        warnings.append(f"{stale} unresolved feed entries ignored: not updated for "
                        f"{STALE_AFTER.days} days (stale)")
    if unreadable:
        warnings.append(f"{unreadable} feed entries ignored: no readable status")
    return page_report(PLATFORM, indicator=None, components=(), incidents=incidents,
                       maintenances=maintenances, page_url=page_url, warnings=warnings,
                       quiet="No open incidents",
                       extra_levels=[Level.OPERATIONAL, *(i.impact for i in incidents)])


def _word(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _read_entry(item: _Entry, now: datetime) -> Incident | Maintenance | str | None:
    text = html_to_text(item.markup, limit=20000)
    updates = _updates(text, item.at, now)
    match = _STATUS_LINE.search(text)
    labels = [u.status for u in updates if u.status]
    if match:
        status = _word(match.group(1))
    elif labels:
        status = labels[0]
    else:
        status = next((w for c in item.categories if (w := _word(c)) in STATUS_WORDS), "")
    if not status:
        return "unreadable"
    if status in CLOSED:
        return None
    times = [t for t in (item.at, *(u.at for u in updates)) if t is not None]
    if not times or now - max(times) > STALE_AFTER:
        return "stale"
    if not updates:
        body = paragraph(_STATUS_LINE.sub("", text, count=1))
        updates = (Update(status=status, body=body, at=item.at),)
    name = one_line(html_to_text(item.title), 200) or "Untitled incident"
    ident = item.id or item.link or name
    if status in MAINTENANCE_WORDS or any(w in MAINTENANCE_WORDS for w in labels):
        return Maintenance(id=ident, name=name, status=status, url=item.link,
                           in_progress=status in IN_PROGRESS)
    return Incident(id=ident, name=name, status=status,
                    impact=_impact(text, updates, name), url=item.link,
                    created_at=min(times), updated_at=max(times), updates=updates)


def _impact(text: str, updates: tuple[Update, ...], name: str) -> Level:
    match = _SEVERITY_LINE.search(text)
    if match:
        level = SEVERITY.get(_word(match.group(1)))
        if level is not None:
            return level
    sample = f"{name}\n{updates[0].body}"
    for pattern, level in TEXT_LEVELS:
        if pattern.search(sample):
            return level
    return Level.DEGRADED


def _line_time(line: str, hint: datetime | None, now: datetime) -> datetime | None:
    if len(line) > 60:
        return None
    match = _SHORT_DATE.match(line)
    if match is None:
        return past_time(line, now) if re.search(r"\d{1,2}:\d{2}", line) else None
    mon, day, year, hh, mm, _tz = match.groups()
    if mon not in _MONTHS:
        return None
    ref = hint or datetime(1970, 1, 1, tzinfo=UTC)
    try:
        at = datetime(int(year) if year else ref.year, _MONTHS.index(mon) + 1, int(day),
                      int(hh), int(mm), tzinfo=UTC)
        if not year and hint is not None and (at - hint).days > 1:
            at = at.replace(year=at.year - 1)  # a December update in a January entry
    except ValueError:
        return None
    return past_time(at.isoformat(), now)


def _updates(text: str, hint: datetime | None, now: datetime) -> tuple[Update, ...]:
    """Dated updates found in an entry's text, newest first."""
    found: list[tuple[datetime, list[str], list[str]]] = []   # (at, [status], body lines)
    for line in text.split("\n"):
        at = _line_time(line.strip(), hint, now)
        if at is not None:
            found.append((at, [], []))
            continue
        if not found:
            continue   # header lines ("Status: ...", "Severity: ...", "Updates:")
        _, status, body = found[-1]
        if not line.strip() and not body:
            continue
        labelled = _LABELLED.match(line.strip())
        if not status and labelled and _word(labelled.group(1)) in STATUS_WORDS:
            status.append(_word(labelled.group(1)))
            body.append(labelled.group(2))
        elif not status and not body and _word(line) in STATUS_WORDS:
            status.append(_word(line))
        else:
            body.append(line)
    return newest_first(Update(status=status[0] if status else "", body=paragraph("\n".join(body)),
                               at=at) for at, status, body in found)
