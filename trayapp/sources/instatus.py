"""Instatus pages: ``<page>/summary.json`` plus ``<page>/v2/components.json``.

* ``page.status`` UP -> operational; UNDERMAINTENANCE -> maintenance;
  HASISSUES -> the worst active incident's impact, degraded when none is listed.
* ``activeIncidents``/``activeMaintenances`` are omitted when empty. Incident
  impact MAJOROUTAGE / PARTIALOUTAGE / MINOROUTAGE / DEGRADEDPERFORMANCE ->
  major_outage / partial_outage / degraded / degraded. Incidents and
  maintenances name no components and carry no updates.
* Maintenance NOTSTARTEDYET -> upcoming, INPROGRESS -> in progress,
  COMPLETED -> dropped. ``duration``'s unit is undocumented: no end time.
* Components come from ``/v2/components.json`` (UPPERCASE statuses); when it
  cannot be read the summary is kept, without components, with a warning.
The page level is the worst of ``page.status``, the components and any
maintenance in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident, Maintenance
from trayapp.domain.text import one_line, safe_url
from trayapp.sources import NeedDocuments
from trayapp.sources.common import (
    as_dict,
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    load_json,
    page_report,
    parse_time,
    plain,
    unreadable_is_broken,
    wrong_shape,
)

PLATFORM = "instatus"
EXPECTED = "Instatus summary.json"
SUMMARY_PATH = "summary.json"
COMPONENTS_PATH = "v2/components.json"
PAGE = {"UP": Level.OPERATIONAL, "UNDERMAINTENANCE": Level.MAINTENANCE,
        "HASISSUES": Level.DEGRADED}
IMPACT = {
    "MAJOROUTAGE": Level.MAJOR_OUTAGE,
    "PARTIALOUTAGE": Level.PARTIAL_OUTAGE,
    "MINOROUTAGE": Level.DEGRADED,
    "DEGRADEDPERFORMANCE": Level.DEGRADED,
}
COMPONENT = {**IMPACT, "OPERATIONAL": Level.OPERATIONAL, "UNDERMAINTENANCE": Level.MAINTENANCE}
MAINTENANCE = {"NOTSTARTEDYET": False, "INPROGRESS": True}


def entry(base: str) -> str:
    return join_url(base, SUMMARY_PATH)


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    page_url = base.rstrip("/")
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, dict) or not isinstance(obj.get("page"), dict):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    components_url = join_url(base, COMPONENTS_PATH)
    if components_url not in docs:
        return NeedDocuments((components_url,))
    warnings: list[str] = []
    page = as_dict(obj.get("page"))
    page_url = safe_url(get_str(page, "url").rstrip("/")) or page_url
    incidents = [inc for raw in dicts(obj.get("activeIncidents"))
                 if (inc := _incident(raw, warnings)) is not None]
    maintenances = [m for raw in dicts(obj.get("activeMaintenances"))
                    if (m := _maintenance(raw)) is not None]
    word = get_str(page, "status")
    indicator = level_of(word, PAGE, "page", warnings)
    if word == "HASISSUES" and incidents:
        indicator = worst([Level.DEGRADED, *(i.impact for i in incidents)])
    components = _components(docs.get(components_url), warnings)
    report = page_report(PLATFORM, indicator=indicator, components=components or (),
                         incidents=incidents, maintenances=maintenances,
                         page_url=page_url, warnings=warnings)
    if components is None:
        report = replace(report, warnings=(*report.warnings,
                                           "could not read components.json; "
                                           "components not shown"))
    return unreadable_is_broken(report)


def _incident(raw: Mapping[str, Any], warnings: list[str]) -> Incident | None:
    status = get_str(raw, "status")
    if status == "RESOLVED":
        return None
    name = plain(raw.get("name"), 200) or "Untitled incident"
    return Incident(
        id=get_str(raw, "id") or name, name=name,
        status=one_line(status, 40).lower() or "unknown",
        impact=level_of(get_str(raw, "impact"), IMPACT, f"incident {name!r}", warnings),
        url=safe_url(get_str(raw, "url")), created_at=parse_time(raw.get("started")))


def _maintenance(raw: Mapping[str, Any]) -> Maintenance | None:
    status = get_str(raw, "status")
    if status not in MAINTENANCE:
        return None
    name = plain(raw.get("name"), 200) or "Maintenance"
    return Maintenance(id=get_str(raw, "id") or name, name=name, status=status.lower(),
                       in_progress=MAINTENANCE[status], url=safe_url(get_str(raw, "url")),
                       starts_at=parse_time(raw.get("start")))


def _components(body: bytes | None, warnings: list[str]) -> list[Component] | None:
    obj = load_json(body)[0] if body is not None else None
    if not isinstance(obj, dict) or not isinstance(obj.get("components"), list):
        return None
    out = []
    for row in dicts(obj["components"]):
        name = plain(row.get("name"), 120)
        cid = get_str(row, "id") or name
        if not cid:
            continue
        group = row.get("group")
        group_name = get_str(group, "name") if isinstance(group, dict) else get_str(row, "group")
        out.append(Component(id=cid, name=name or cid, group=plain(group_name, 120) or None,
                             level=level_of(get_str(row, "status"), COMPONENT,
                                            f"component {name!r}", warnings)))
    return out
