"""Better Stack (formerly Better Uptime) pages: ``<page>/index.json`` (JSON:API).

* ``data.attributes.aggregate_state`` and each ``status_page_resource``'s
  ``status``: operational / degraded / downtime / maintenance ->
  operational / degraded / major_outage / maintenance. ``not_monitored``
  resources are listed as ``unknown`` (they never hide nor raise the level).
  Resources are grouped by their ``status_page_section``.
* ``status_report``s: a ``manual`` report is an active incident while
  ``ends_at`` is null (or in the future) and its own ``aggregate_state`` is
  not ``resolved``; its impact is that state (else the worst affected
  resource status, else degraded). A ``maintenance`` report is in progress
  between ``starts_at`` and ``ends_at``, upcoming before. Their
  ``status_update``s (found by id in ``included``) are the updates, newest
  first. Better Stack has no workflow status: incidents say ``ongoing``.
The page level is the worst of ``aggregate_state``, the resources and any
maintenance in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident, Maintenance, Update
from trayapp.domain.text import one_line, paragraph, safe_url
from trayapp.sources.common import (
    as_dict,
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    newest_first,
    page_report,
    parse_time,
    plain,
    wrong_shape,
)

PLATFORM = "betterstack"
EXPECTED = "Better Stack index.json"
STATE = {
    "operational": Level.OPERATIONAL,
    "degraded": Level.DEGRADED,
    "downtime": Level.MAJOR_OUTAGE,
    "maintenance": Level.MAINTENANCE,
    "not_monitored": Level.UNKNOWN,
}


def entry(base: str) -> str:
    return join_url(base, "index.json")


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    page_url = base.rstrip("/")
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    data = as_dict(obj.get("data")) if isinstance(obj, dict) else {}
    if get_str(data, "type") != "status_page":
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    attrs = as_dict(data.get("attributes"))
    domain = get_str(attrs, "custom_domain")
    page_url = (safe_url(f"https://{domain}") if domain else None) or page_url
    warnings: list[str] = []
    included: dict[tuple[str, str], dict[str, Any]] = {
        (get_str(row, "type"), get_str(row, "id")): row for row in dicts(obj.get("included"))}
    sections = {rid: plain(as_dict(row.get("attributes")).get("name"), 120)
                for (kind, rid), row in included.items() if kind == "status_page_section"}
    components = []
    for (kind, rid), row in included.items():
        if kind != "status_page_resource":
            continue
        a = as_dict(row.get("attributes"))
        name = plain(a.get("public_name"), 120) or rid
        components.append(Component(
            id=rid, name=name, group=sections.get(get_str(a, "status_page_section_id")) or None,
            level=level_of(get_str(a, "status"), STATE, f"component {name!r}", warnings)))
    names = {c.id: c.name for c in components}
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for (kind, rid), row in included.items():
        got = _report(rid, row, included, names, now) if kind == "status_report" else None
        if isinstance(got, Incident):
            incidents.append(got)
        elif isinstance(got, Maintenance):
            maintenances.append(got)
    indicator = level_of(get_str(attrs, "aggregate_state"), STATE, "page", warnings)
    return page_report(PLATFORM, indicator=indicator, components=components,
                       incidents=incidents, maintenances=maintenances, page_url=page_url,
                       warnings=warnings)


def _report(rid: str, row: Mapping[str, Any], included: Mapping[tuple[str, str], Any],
            names: Mapping[str, str], now: datetime) -> Incident | Maintenance | None:
    a = as_dict(row.get("attributes"))
    state = get_str(a, "aggregate_state")
    starts, ends = parse_time(a.get("starts_at")), parse_time(a.get("ends_at"))
    if state == "resolved" or (ends is not None and ends <= now):
        return None
    affected = dicts(a.get("affected_resources"))
    ids = tuple(i for r in affected if (i := get_str(r, "status_page_resource_id")))
    comp_names = tuple(names.get(i, i) for i in ids)
    title = plain(a.get("title"), 200)
    if get_str(a, "report_type") == "maintenance":
        return Maintenance(
            id=rid, name=title or "Maintenance", status=one_line(state, 40) or "scheduled",
            in_progress=starts is None or starts <= now, starts_at=starts, ends_at=ends,
            components=comp_names, component_ids=ids)
    refs = dicts(as_dict(as_dict(row.get("relationships")).get("status_updates")).get("data"))
    updates = newest_first(
        Update(status="update", body=paragraph(get_str(ua, "message")),
               at=parse_time(ua.get("published_at")))
        for ref in refs
        if (ua := as_dict(as_dict(included.get(("status_update", get_str(ref, "id"))))
                          .get("attributes"))))
    impact = STATE.get(state) or worst(STATE.get(get_str(r, "status"), Level.UNKNOWN)
                                       for r in affected)
    if impact in (Level.OPERATIONAL, Level.UNKNOWN):
        impact = Level.DEGRADED   # an open report is at least a degradation
    return Incident(
        id=rid, name=title or "Untitled incident", status="ongoing", impact=impact,
        created_at=starts, updated_at=updates[0].at if updates else starts, updates=updates,
        components=comp_names, component_ids=ids)
