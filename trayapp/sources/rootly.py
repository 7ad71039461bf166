"""Rootly status pages: ``<page>/api/v1/status.json`` (public, keyless, on the page's domain).

Built from Rootly's documentation of its Status Page Public API
(docs.rootly.com, "Status Page Public API"); no capture of a real page was
available, so the fixtures are made from the documented shape (see
tests/fixtures/README.md).

* ``status.indicator`` none / minor / major / maintenance ->
  operational / degraded / partial_outage / maintenance. Rootly's ``major``
  covers "a major outage or a critical incident": the incidents say which.
* ``incidents`` (active only; when the key is missing, ``/api/v1/incidents.json``
  is read, which has the same items): ``impact`` none / minor / major / critical
  -> operational / degraded / partial_outage / major_outage (Rootly derives it
  from the incident's severity: Critical -> critical, High -> major, Medium and
  Low -> minor). ``incident_updates`` give the updates (``body``, ``status``,
  ``created_at``). An incident with ``resolved_at`` or a closing status
  (resolved, closed, cancelled, completed) no longer counts; ``scheduled`` and
  ``in_progress`` (Rootly's scheduled-maintenance statuses) are maintenances.
* No components. The page level is the worst of the indicator, the active
  incidents' impacts and any maintenance in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, Incident, Maintenance, Update
from trayapp.domain.text import paragraph, safe_url
from trayapp.sources import NeedDocuments
from trayapp.sources.common import (
    as_dict,
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    load_json,
    newest_first,
    page_report,
    parse_time,
    plain,
    unreadable_is_broken,
    wrong_shape,
)

PLATFORM = "rootly"
EXPECTED = "Rootly status.json"
STATUS_PATH = "api/v1/status.json"
INCIDENTS_PATH = "api/v1/incidents.json"
INDICATOR = {
    "none": Level.OPERATIONAL,
    "minor": Level.DEGRADED,
    "major": Level.PARTIAL_OUTAGE,
    "maintenance": Level.MAINTENANCE,
}
IMPACT = {
    "none": Level.OPERATIONAL,
    "minor": Level.DEGRADED,
    "major": Level.PARTIAL_OUTAGE,
    "critical": Level.MAJOR_OUTAGE,
}
CLOSED = frozenset({"resolved", "closed", "cancelled", "completed"})
MAINTENANCE = {"scheduled": False, "in_progress": True}


def entry(base: str) -> str:
    return join_url(base, STATUS_PATH)


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    page_url = base.rstrip("/")
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, dict) or not isinstance(obj.get("status"), dict):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    warnings: list[str] = []
    raw_incidents: list[dict[str, Any]] = dicts(obj.get("incidents"))
    if "incidents" not in obj:
        more = join_url(base, INCIDENTS_PATH)
        if more not in docs:
            return NeedDocuments((more,))
        extra = docs[more]
        listed = load_json(extra)[0] if extra is not None else None
        if isinstance(listed, dict) and isinstance(listed.get("incidents"), list):
            raw_incidents = dicts(listed["incidents"])
        else:
            warnings.append("could not read incidents.json; incidents not shown")
    page = as_dict(obj.get("page"))
    page_url = safe_url(get_str(page, "url").rstrip("/")) or page_url
    status = as_dict(obj.get("status"))
    indicator = level_of(get_str(status, "indicator"), INDICATOR, "status indicator", warnings)
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for raw in raw_incidents:
        word = plain(raw.get("status"), 40).lower()
        if word in CLOSED or raw.get("resolved_at") not in (None, ""):
            continue
        if word in MAINTENANCE:
            maintenances.append(_maintenance(raw, word))
        else:
            incidents.append(_incident(raw, word, warnings))
    report = page_report(PLATFORM, indicator=indicator, components=(), incidents=incidents,
                         maintenances=maintenances, page_url=page_url, warnings=warnings,
                         description=get_str(status, "description"),
                         extra_levels=(i.impact for i in incidents))
    return unreadable_is_broken(report)


def _updates(value: Any) -> tuple[Update, ...]:
    return newest_first(Update(status=plain(u.get("status"), 40),
                               body=paragraph(get_str(u, "body")),
                               at=parse_time(u.get("created_at")))
                        for u in dicts(value))


def _incident(raw: Mapping[str, Any], word: str, warnings: list[str]) -> Incident:
    name = plain(raw.get("name"), 200) or "Untitled incident"
    updates = _updates(raw.get("incident_updates"))
    return Incident(
        id=get_str(raw, "id") or get_str(raw, "url") or name, name=name,
        status=word or "unknown",
        impact=level_of(get_str(raw, "impact", "none"), IMPACT, f"incident {name!r}",
                        warnings),
        url=safe_url(get_str(raw, "url")), created_at=parse_time(raw.get("started_at")),
        updated_at=parse_time(raw.get("updated_at")) or (updates[0].at if updates else None),
        updates=updates)


def _maintenance(raw: Mapping[str, Any], word: str) -> Maintenance:
    name = plain(raw.get("name"), 200) or "Maintenance"
    return Maintenance(id=get_str(raw, "id") or get_str(raw, "url") or name, name=name,
                       status=word, in_progress=MAINTENANCE[word],
                       url=safe_url(get_str(raw, "url")),
                       starts_at=parse_time(raw.get("started_at")))
