"""Flashcat/Flashduty status pages (DeepSeek).

The feed ``url`` is the full JSON URL the page itself calls,
``https://status.deepseek.com/api/status-page/<pageId>/summary/active``
(the numeric page id is not discoverable from the host; for DeepSeek it is
``6410630422455``); ``entry`` returns it unchanged.

* ``data.page.components`` are the components, grouped by ``sections``.
* ``data.active_changes`` lists the open incidents and maintenances. Its item
  schema has never been seen non-empty, so it is read best-effort: a title
  (``title``/``name``), a ``status``, a ``type`` containing "maintenance" for
  maintenances, and component ids (``component_id`` or ``components[]`` /
  ``affected_components[]``, as ids or objects). An active change is at
  least ``degraded``; a ``severity``/``impact`` word (critical, major, minor,
  ...) raises it. Components named by a change take its level; when any change
  names none, components not named are ``unknown`` (we cannot tell).
* No active change: every component is operational. Limits: no update texts,
  no timeline: the payload carries none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident, Maintenance
from trayapp.domain.text import one_line, origin, safe_url
from trayapp.sources.common import (
    as_dict,
    as_list,
    as_str,
    dicts,
    get_str,
    json_document,
    page_report,
    parse_time,
    plain,
    wrong_shape,
)

PLATFORM = "flashduty"
EXPECTED = "Flashduty status-page JSON"
SEVERITY = {"critical": Level.MAJOR_OUTAGE, "major": Level.PARTIAL_OUTAGE,
            "warning": Level.DEGRADED, "minor": Level.DEGRADED, "info": Level.DEGRADED}


def entry(base: str) -> str:
    return base


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    page_url = origin(base)
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    data = as_dict(obj.get("data")) if isinstance(obj, dict) else {}
    page = as_dict(data.get("page"))
    if not page or not isinstance(data.get("active_changes"), list):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    domain = get_str(page, "custom_domain")
    page_url = (safe_url(f"https://{domain}") if domain else None) or page_url
    sections = {get_str(s, "section_id"): plain(s.get("name"), 120)
                for s in dicts(page.get("sections"))}
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    named: dict[str, list[Level]] = {}
    anonymous = False
    for raw in dicts(data["active_changes"]):
        title = plain(raw.get("title") or raw.get("name"), 200) or "Active incident"
        ids = _component_ids(raw)
        anonymous = anonymous or not ids
        cid = get_str(raw, "id") or get_str(raw, "change_id") or title
        status = one_line(get_str(raw, "status"), 40).lower() or "ongoing"
        started = parse_time(raw.get("start_time")) or parse_time(raw.get("created_at"))
        if "maintenance" in get_str(raw, "type").lower():
            maintenances.append(Maintenance(id=cid, name=title, status=status,
                                            in_progress=True, starts_at=started,
                                            component_ids=ids))
            level = Level.MAINTENANCE
        else:
            word = (get_str(raw, "severity") or get_str(raw, "impact")).lower()
            level = worst([Level.DEGRADED, SEVERITY.get(word, Level.DEGRADED)])
            incidents.append(Incident(id=cid, name=title, status=status, impact=level,
                                      created_at=started, component_ids=ids))
        for i in ids:
            named.setdefault(i, []).append(level)
    quiet = Level.UNKNOWN if anonymous else Level.OPERATIONAL
    components = []
    for row in dicts(page.get("components")):
        name = plain(row.get("name"), 120)
        cid = get_str(row, "component_id") or name
        if cid:
            components.append(Component(
                id=cid, name=name or cid, group=sections.get(get_str(row, "section_id")),
                level=worst(named[cid]) if cid in named else quiet))
    return page_report(PLATFORM, indicator=None, components=components, incidents=incidents,
                       maintenances=maintenances, page_url=page_url, warnings=(),
                       extra_levels=[Level.OPERATIONAL, *(i.impact for i in incidents)])


def _component_ids(raw: Mapping[str, Any]) -> tuple[str, ...]:
    ids = [get_str(raw, "component_id")]
    for key in ("components", "affected_components", "component_ids"):
        for item in as_list(raw.get(key)):
            ids.append(get_str(item, "component_id") or get_str(item, "id")
                       if isinstance(item, dict) else as_str(item))
    return tuple(dict.fromkeys(i for i in ids if i))
