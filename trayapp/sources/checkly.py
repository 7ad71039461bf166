"""Checkly status pages (Mistral): ``/api/status-page/<slug>/uptime``.

The feed ``url`` is that document's own URL
(``https://status.mistral.ai/api/status-page/mistral-ai/uptime``): the slug
cannot be learnt from the host, so ``entry`` returns the URL unchanged.

The document lists service groups with their services and, per day, the
*events* (incidents) that touched each service. It has no current-state
field, so the state is inferred:

* each service is a component (its group's name as the group);
* an event whose ``lastUpdateStatus`` is not RESOLVED (or CLOSED/COMPLETED)
  is active; its severity MINOR / MEDIUM / MAJOR / CRITICAL ->
  degraded / degraded / partial_outage / major_outage (unknown words:
  degraded, with a warning). An event on several services is one incident;
* a component's level is the worst active event on it, else operational;
* an active event not created within the last 7 days is stale and ignored,
  with a warning, so a forgotten event never holds an outage;
* the page level is the worst component.
The page's ``/unresolved-incidents`` and ``/maintenance-windows`` documents
were not available as real captures, so maintenances are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident
from trayapp.domain.text import one_line, origin
from trayapp.sources.common import (
    STALE_AFTER,
    dicts,
    get_str,
    json_document,
    page_report,
    parse_time,
    plain,
    wrong_shape,
)

PLATFORM = "checkly"
EXPECTED = "Checkly status page uptime JSON"
SEVERITY = {
    "MINOR": Level.DEGRADED,
    "MEDIUM": Level.DEGRADED,
    "MAJOR": Level.PARTIAL_OUTAGE,
    "CRITICAL": Level.MAJOR_OUTAGE,
}
CLOSED = frozenset({"RESOLVED", "CLOSED", "COMPLETED"})


def entry(base: str) -> str:
    return base


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    page_url = origin(base)
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, dict) or not isinstance(obj.get("uptime"), list):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    warnings: list[str] = []
    components: list[Component] = []
    open_events: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {}
    for group in dicts(obj["uptime"]):
        group_name = plain(group.get("name"), 120) or None
        for service in dicts(group.get("services")):
            sid = get_str(service, "id")
            name = plain(service.get("name"), 120) or sid
            if not sid and not name:
                continue
            levels = []
            for day in dicts(service.get("days")):
                for event in dicts(day.get("events")):
                    level = _active_level(event, now, warnings)
                    if level is None:
                        continue
                    levels.append(level)
                    key = get_str(event, "id") or plain(event.get("name"))
                    open_events.setdefault(key, (event, []))[1].append((sid or name, name))
            components.append(Component(id=sid or name, name=name, group=group_name,
                                        level=worst([Level.OPERATIONAL, *levels])))
    incidents = [_incident(eid, event, where, page_url)
                 for eid, (event, where) in open_events.items()]
    return page_report(PLATFORM, indicator=None, components=components, incidents=incidents,
                       maintenances=(), page_url=page_url, warnings=warnings)


def _active_level(event: Mapping[str, Any], now: datetime, warnings: list[str]) -> Level | None:
    """The level of an active, fresh event; None for a closed or stale one."""
    if get_str(event, "lastUpdateStatus").upper() in CLOSED:
        return None
    name = plain(event.get("name"), 80)
    created = parse_time(event.get("created_at"))
    if created is None or now - created > STALE_AFTER:
        warnings.append(f"event {name!r} is unresolved but stale; ignored")
        return None
    word = get_str(event, "severity").upper()
    if word not in SEVERITY:
        warnings.append(f"event {name!r}: unknown severity {one_line(word, 40)!r}")
    return SEVERITY.get(word, Level.DEGRADED)


def _incident(eid: str, event: Mapping[str, Any], where: list[tuple[str, str]],
              page_url: str | None) -> Incident:
    name = plain(event.get("name"), 200) or "Untitled incident"
    word = get_str(event, "severity").upper()
    created = parse_time(event.get("created_at"))
    return Incident(
        id=eid or name, name=name,
        status=one_line(get_str(event, "lastUpdateStatus").lower(), 40) or "unknown",
        impact=SEVERITY.get(word, Level.DEGRADED), url=page_url,
        created_at=created, updated_at=created,
        components=tuple(dict.fromkeys(n for _, n in where)),
        component_ids=tuple(dict.fromkeys(i for i, _ in where)))
