"""Atlassian Statuspage: ``<page>/api/v2/summary.json``.

The same schema also serves ``status.json``, ``components.json``,
``incidents.json`` and ``scheduled-maintenances.json``: whatever keys a
document has are read, the rest is left empty. incident.io's compatible
shim is read by the same code (:mod:`trayapp.sources.incidentio`).

Mapping (documented in docs/vendors.md):
  indicator none/minor/major/critical/maintenance
      -> operational/degraded/partial_outage/major_outage/maintenance
  component operational/degraded_performance/partial_outage/major_outage/under_maintenance
      -> the matching level
  incident impact none/minor/major/critical -> operational/degraded/partial_outage/major_outage
The page-wide level is the worst of the indicator and all components.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Component,
    FeedReport,
    Incident,
    Maintenance,
    SourceProblem,
    Update,
    failed_feed,
)
from trayapp.domain.text import one_line, paragraph, quote_part, safe_url
from trayapp.sources.common import (
    as_dict,
    dicts,
    get_str,
    join_url,
    load_json,
    newest_first,
    not_json_report,
    page_report,
    parse_time,
    unreadable_is_broken,
)

PLATFORM = "statuspage"
SUMMARY_PATH = "api/v2/summary.json"

INDICATOR = {
    "none": Level.OPERATIONAL,
    "minor": Level.DEGRADED,
    "major": Level.PARTIAL_OUTAGE,
    "critical": Level.MAJOR_OUTAGE,
    "maintenance": Level.MAINTENANCE,
}
COMPONENT_STATUS = {
    "operational": Level.OPERATIONAL,
    "degraded_performance": Level.DEGRADED,
    "partial_outage": Level.PARTIAL_OUTAGE,
    "major_outage": Level.MAJOR_OUTAGE,
    "full_outage": Level.MAJOR_OUTAGE,          # incident.io's native word
    "under_maintenance": Level.MAINTENANCE,
}
IMPACT = {
    "none": Level.OPERATIONAL,
    "minor": Level.DEGRADED,
    "major": Level.PARTIAL_OUTAGE,
    "critical": Level.MAJOR_OUTAGE,
    "maintenance": Level.MAINTENANCE,
}
CLOSED_INCIDENT = frozenset({"resolved", "postmortem", "completed"})
MAINTENANCE_ACTIVE = frozenset({"in_progress", "verifying"})
MAINTENANCE_UPCOMING = frozenset({"scheduled"})


def entry(base: str) -> str:
    return join_url(base, SUMMARY_PATH)


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    url = entry(base)
    body = docs.get(url)
    if body is None:
        return failed_feed(PLATFORM, SourceProblem.UNREACHABLE, "status page not fetched", base)
    return parse_document(body, PLATFORM, "Statuspage JSON", base)


def parse_document(body: bytes, platform: str, expected: str, base: str) -> FeedReport:
    obj, err = load_json(body)
    if err is not None or not isinstance(obj, dict):
        return not_json_report(platform, body, expected, base)
    known = ("status", "components", "incidents", "scheduled_maintenances")
    if not any(k in obj for k in known):
        return failed_feed(platform, SourceProblem.BROKEN,
                           f"status source broken: the page no longer serves {expected}", base)
    return read_summary(obj, platform, base)


def read_summary(obj: Mapping[str, Any], platform: str, base: str,
                 extra_incidents: list[dict[str, Any]] | None = None) -> FeedReport:
    warnings: list[str] = []
    page = as_dict(obj.get("page"))
    page_url = safe_url(get_str(page, "url").rstrip("/") or None) or base.rstrip("/")

    indicator: Level | None = None
    status = obj.get("status")
    if isinstance(status, dict):
        word = get_str(status, "indicator")
        indicator = INDICATOR.get(word)
        if indicator is None:
            indicator = Level.UNKNOWN
            warnings.append(f"unknown status indicator {one_line(word, 40)!r}")
    elif "status" in obj:
        warnings.append("status indicator unreadable")

    components = _components(obj.get("components"), warnings)
    incidents_src = dicts(obj.get("incidents")) if extra_incidents is None else extra_incidents
    incidents = tuple(inc for raw in incidents_src
                      if (inc := _incident(raw, page_url, warnings)) is not None)
    maintenances = tuple(m for raw in dicts(obj.get("scheduled_maintenances"))
                         if (m := _maintenance(raw, page_url)) is not None)

    description = get_str(as_dict(status), "description")
    return unreadable_is_broken(page_report(
        platform, indicator=indicator, components=components, incidents=incidents,
        maintenances=maintenances, page_url=page_url, warnings=warnings,
        description=description))


def _components(value: Any, warnings: list[str]) -> tuple[Component, ...]:
    rows = dicts(value)
    groups = {get_str(r, "id"): one_line(get_str(r, "name"), 120)
              for r in rows if r.get("group") is True}
    out = []
    for row in rows:
        if row.get("group") is True:
            continue
        cid = get_str(row, "id")
        name = one_line(get_str(row, "name"), 120)
        if not cid and not name:
            continue
        word = get_str(row, "status")
        level = COMPONENT_STATUS.get(word)
        if level is None:
            level = Level.UNKNOWN
            warnings.append(f"component {name!r}: unknown status {one_line(word, 40)!r}")
        group_id = get_str(row, "group_id")
        out.append(Component(id=cid or name, name=name or cid, level=level,
                             group=groups.get(group_id) if group_id else None))
    return tuple(out)


def _updates(value: Any) -> tuple[tuple[Update, ...], list[str], list[str]]:
    """Updates newest first, plus component names and ids they mention."""
    updates = []
    names: list[str] = []
    ids: list[str] = []
    for raw in dicts(value):
        at = parse_time(raw.get("display_at")) or parse_time(raw.get("created_at"))
        updates.append(Update(status=one_line(get_str(raw, "status"), 40),
                              body=paragraph(get_str(raw, "body")), at=at))
        for ac in dicts(raw.get("affected_components")):
            if n := one_line(get_str(ac, "name"), 120):
                names.append(n)
            if c := get_str(ac, "code"):
                ids.append(c)
    # De-duplicated in linear time (order kept): a page may list thousands.
    return newest_first(updates), list(dict.fromkeys(names)), list(dict.fromkeys(ids))


def incident_url(raw: Mapping[str, Any], page_url: str | None) -> str | None:
    link = safe_url(get_str(raw, "shortlink"))
    if link:
        return link
    iid = get_str(raw, "id")
    return safe_url(f"{page_url}/incidents/{quote_part(iid)}") if page_url and iid else None


def _incident(raw: Mapping[str, Any], page_url: str | None,
              warnings: list[str]) -> Incident | None:
    status = get_str(raw, "status")
    if status in CLOSED_INCIDENT or get_str(raw, "resolved_at"):
        return None
    impact_word = get_str(raw, "impact", "none")
    impact = IMPACT.get(impact_word)
    name = one_line(get_str(raw, "name"), 200) or "Untitled incident"
    if impact is None:
        impact = Level.UNKNOWN
        warnings.append(f"incident {name!r}: unknown impact {one_line(impact_word, 40)!r}")
    updates, upd_names, upd_ids = _updates(raw.get("incident_updates"))
    comps = dicts(raw.get("components"))
    names = [one_line(get_str(c, "name"), 120) for c in comps if get_str(c, "name")]
    ids = [get_str(c, "id") for c in comps if get_str(c, "id")]
    seen_names, seen_ids = set(names), set(ids)
    names += [n for n in upd_names if n not in seen_names]
    ids += [i for i in upd_ids if i not in seen_ids]
    return Incident(
        id=get_str(raw, "id") or name, name=name, status=one_line(status, 40) or "unknown",
        impact=impact, url=incident_url(raw, page_url),
        created_at=parse_time(raw.get("started_at")) or parse_time(raw.get("created_at")),
        updated_at=parse_time(raw.get("updated_at")), updates=updates,
        components=tuple(names), component_ids=tuple(ids))


def _maintenance(raw: Mapping[str, Any], page_url: str | None) -> Maintenance | None:
    status = get_str(raw, "status")
    if status not in MAINTENANCE_ACTIVE and status not in MAINTENANCE_UPCOMING:
        return None
    comps = dicts(raw.get("components"))
    return Maintenance(
        id=get_str(raw, "id"), name=one_line(get_str(raw, "name"), 200) or "Maintenance",
        status=one_line(status, 40), in_progress=status in MAINTENANCE_ACTIVE,
        url=incident_url(raw, page_url),
        starts_at=parse_time(raw.get("scheduled_for")),
        ends_at=parse_time(raw.get("scheduled_until")),
        components=tuple(one_line(get_str(c, "name"), 120) for c in comps if get_str(c, "name")),
        component_ids=tuple(get_str(c, "id") for c in comps if get_str(c, "id")))
