"""Google Cloud Service Health: ``https://status.cloud.google.com/incidents.json``.

The feed ``url`` is the document's own URL (``entry`` returns it unchanged; a
bare page URL gets ``/incidents.json``). The document is a bare array of
incidents over a rolling window, newest first.

* Active = no ``end`` (absent, null or empty): the only open/closed signal.
* ``status_impact`` SERVICE_OUTAGE / SERVICE_DISRUPTION / SERVICE_INFORMATION
  -> major_outage / partial_outage / degraded (when absent, the newest
  update's ``status`` is read the same way; AVAILABLE -> operational).
* Affected products become the incident's ``components`` (their
  ``current_title``, else ``title``) and ``component_ids`` (the stable product
  ids: filter by id). The products of active incidents are also exposed as
  components at the worst level of the incidents naming them; products with
  no active incident are not listed (the document does not name them).
* Page level = worst active impact, operational when none. Google gives no
  workflow status (investigating, ...): active incidents say ``ongoing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.levels import Level, worst
from trayapp.model import Component, FeedReport, Incident, Update
from trayapp.sources.common import (
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    newest_first,
    origin,
    page_report,
    parse_time,
    plain,
    wrong_shape,
)
from trayapp.text import one_line, paragraph, safe_url

PLATFORM = "google-cloud"
EXPECTED = "Google Cloud incidents.json"
IMPACT = {
    "SERVICE_OUTAGE": Level.MAJOR_OUTAGE,
    "SERVICE_DISRUPTION": Level.PARTIAL_OUTAGE,
    "SERVICE_INFORMATION": Level.DEGRADED,
    "AVAILABLE": Level.OPERATIONAL,
}


def entry(base: str) -> str:
    page = origin(base)
    return join_url(base, "incidents.json") if page and base.rstrip("/") == page else base


def parse(base: str, docs: Mapping[str, bytes | None], now: datetime) -> FeedReport:
    page_url = origin(base)
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, list) or (obj and not dicts(obj)):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    warnings: list[str] = []
    incidents = [inc for raw in dicts(obj)
                 if (inc := _incident(raw, page_url, warnings)) is not None]
    products: dict[str, tuple[str, list[Level]]] = {}
    for inc in incidents:
        for pid, name in zip(inc.component_ids, inc.components, strict=True):
            products.setdefault(pid, (name, []))[1].append(inc.impact)
    components = [Component(id=pid, name=name, level=worst(levels))
                  for pid, (name, levels) in products.items()]
    return page_report(PLATFORM, indicator=None, components=components, incidents=incidents,
                       maintenances=(), page_url=page_url, warnings=warnings,
                       quiet="No active incidents",
                       extra_levels=[Level.OPERATIONAL, *(i.impact for i in incidents)])


def _incident(raw: Mapping[str, Any], page_url: str | None,
              warnings: list[str]) -> Incident | None:
    end = raw.get("end")
    if end is not None and (not isinstance(end, str) or end.strip()):
        return None
    name = plain(raw.get("external_desc"), 200) or "Untitled incident"
    updates = newest_first(
        Update(status=one_line(get_str(u, "status"), 40).lower(),
               body=paragraph(get_str(u, "text")),
               at=parse_time(u.get("when")) or parse_time(u.get("created")))
        for u in dicts(raw.get("updates")))
    word = get_str(raw, "status_impact") or (updates[0].status.upper() if updates else "")
    impact = level_of(word, IMPACT, f"incident {name!r}", warnings)
    ids: list[str] = []
    names: list[str] = []
    for product in dicts(raw.get("affected_products")):
        pid = get_str(product, "id")
        title = plain(get_str(product, "current_title") or get_str(product, "title"), 120)
        if (pid or title) and (pid or title) not in ids:
            ids.append(pid or title)
            names.append(title or pid)
    iid = get_str(raw, "id")
    uri = get_str(raw, "uri") or (f"incidents/{iid}" if iid else "")
    return Incident(
        id=iid or name, name=name, status="ongoing", impact=impact,
        url=safe_url(join_url(page_url, uri)) if page_url and uri else None,
        created_at=parse_time(raw.get("begin")) or parse_time(raw.get("created")),
        updated_at=parse_time(raw.get("modified")), updates=updates,
        components=tuple(names), component_ids=tuple(ids))

