"""Datadog Status Pages (OpenRouter): ``<page>/config.json``.

The feed ``url`` is the page base URL (``https://openrouter.statuspage.datadoghq.com``).

* Components (nested ``ComponentGroup``s, read to depth 8): status
  operational / degraded / partial_outage / major_outage / maintenance -> that level.
* Incidents: kept unless ``resolved`` is true, ``currentStatus`` is
  ``resolved`` or a ``resolvedDate`` is set. There is no impact field: the
  impact is the worst current status of ``componentsAffected``, at least
  ``degraded`` for an open incident. ``timeline`` entries are the updates
  (newest first, dated by ``startedAt``).
* Maintenances (``null`` when none): scheduled -> upcoming, in_progress ->
  in progress; completed / canceled dropped.
* There is no page-wide indicator: the level is the worst component and
  any maintenance in progress.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident, Maintenance, Update
from trayapp.domain.text import one_line, paragraph, safe_url
from trayapp.sources.common import (
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    newest_first,
    page_report,
    parse_time,
    plain,
    unreadable_is_broken,
    wrong_shape,
)

PLATFORM = "datadog"
EXPECTED = "Datadog status page config.json"
STATUS = {
    "operational": Level.OPERATIONAL,
    "degraded": Level.DEGRADED,
    "partial_outage": Level.PARTIAL_OUTAGE,
    "major_outage": Level.MAJOR_OUTAGE,
    "maintenance": Level.MAINTENANCE,
}
MAINTENANCE = {"scheduled": False, "in_progress": True}
_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def entry(base: str) -> str:
    return join_url(base, "config.json")


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    page_url = base.rstrip("/")
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, dict) or not isinstance(obj.get("components"), list):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    custom = get_str(obj, "customDomain") if obj.get("customDomainEnabled") is True else ""
    page_url = (safe_url(f"https://{custom}") if custom else None) \
        or safe_url(get_str(obj, "pageUrl").rstrip("/")) or page_url
    warnings: list[str] = []
    components: list[Component] = []
    _walk(obj["components"], None, 0, components, warnings)
    incidents = [inc for raw in dicts(obj.get("incidents"))
                 if (inc := _incident(raw, page_url)) is not None]
    maintenances = [m for raw in dicts(obj.get("maintenances"))
                    if (m := _maintenance(raw)) is not None]
    return unreadable_is_broken(page_report(
        PLATFORM, indicator=None, components=components, incidents=incidents,
        maintenances=maintenances, page_url=page_url, warnings=warnings,
        description=get_str(obj, "description")))


def _walk(nodes: Any, group: str | None, depth: int, out: list[Component],
          warnings: list[str]) -> None:
    for node in dicts(nodes):
        name = plain(node.get("name"), 120)
        if get_str(node, "type") == "ComponentGroup" or isinstance(node.get("components"), list):
            if depth < 8:
                _walk(node.get("components"), name or group, depth + 1, out, warnings)
            continue
        cid = get_str(node, "id") or name
        if cid:
            out.append(Component(id=cid, name=name or cid, group=group, level=level_of(
                get_str(node, "status"), STATUS, f"component {name!r}", warnings)))


def _affected(raw: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], Level]:
    rows = dicts(raw.get("componentsAffected"))
    names = tuple(n for r in rows if (n := plain(r.get("name"), 120)))
    ids = tuple(i for r in rows if (i := get_str(r, "id")))
    return names, ids, worst(STATUS.get(get_str(r, "status"), Level.UNKNOWN) for r in rows)


def _incident(raw: Mapping[str, Any], page_url: str) -> Incident | None:
    status = get_str(raw, "currentStatus")
    if raw.get("resolved") is True or status == "resolved" or get_str(raw, "resolvedDate"):
        return None
    name = plain(raw.get("title"), 200) or "Untitled incident"
    names, ids, level = _affected(raw)
    updates = newest_first(
        Update(status=one_line(get_str(t, "status"), 40), body=paragraph(get_str(t, "description")),
               at=parse_time(t.get("startedAt")) or parse_time(t.get("createdAt")))
        for t in dicts(raw.get("timeline")))
    iid = get_str(raw, "id")
    return Incident(
        id=iid or name, name=name, status=one_line(status, 40) or "unknown",
        impact=worst([level, Level.DEGRADED]), components=names, component_ids=ids,
        url=safe_url(f"{page_url}/incidents/{iid}") if _ID.match(iid) else None,
        created_at=parse_time(raw.get("publishedDate")),
        updated_at=parse_time(raw.get("lastModifiedAt")), updates=updates)


def _maintenance(raw: Mapping[str, Any]) -> Maintenance | None:
    status = get_str(raw, "currentStatus")
    if status not in MAINTENANCE or raw.get("deletedAt"):
        return None
    names, ids, _ = _affected(raw)
    name = plain(raw.get("title"), 200) or "Maintenance"
    return Maintenance(
        id=get_str(raw, "id") or name, name=name, status=status,
        in_progress=MAINTENANCE[status], starts_at=parse_time(raw.get("startDate")),
        ends_at=parse_time(raw.get("endDate")) or parse_time(raw.get("completedDate")),
        components=names, component_ids=ids)
