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
  ids: filter by id).
* Known products: the catalog, ``products.json`` beside ``incidents.json``
  (``{"products": [{"id", "title"}]}``, asked for once the incidents are read
  and held by the poller for :data:`CATALOG_HOLD` seconds), plus every product
  any incident in the document names, open or ended. Each is a component: at
  the worst level of the open incidents naming it, else operational. Google
  renames products ("Vertex Gemini API" is now "Gemini on Agent Platform"): a
  component's name is its newest title, its other titles are ``aliases``, so a
  filter written with either keeps matching. When the catalog cannot be read,
  the document's products alone are known, and the summary says so.
* Page level = worst active impact, operational when none. Google gives no
  workflow status (investigating, ...): active incidents say ``ongoing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident, Update
from trayapp.domain.text import one_line, origin, paragraph, safe_url
from trayapp.sources import NeedDocuments
from trayapp.sources.common import (
    dicts,
    get_str,
    join_url,
    json_document,
    level_of,
    load_json,
    looks_like_html,
    newest_first,
    page_report,
    parse_time,
    plain,
    wrong_shape,
)

PLATFORM = "google-cloud"
EXPECTED = "Google Cloud incidents.json"
CATALOG_HOLD = 3600.0       # seconds: the product catalog changes rarely
IMPACT = {
    "SERVICE_OUTAGE": Level.MAJOR_OUTAGE,
    "SERVICE_DISRUPTION": Level.PARTIAL_OUTAGE,
    "SERVICE_INFORMATION": Level.DEGRADED,
    "AVAILABLE": Level.OPERATIONAL,
}


def entry(base: str) -> str:
    page = origin(base)
    return join_url(base, "incidents.json") if page and base.rstrip("/") == page else base


def catalog_url(base: str) -> str:
    """``products.json`` beside the incidents document."""
    return urljoin(entry(base), "products.json")


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    page_url = origin(base)
    obj, problem = json_document(docs, entry(base), PLATFORM, EXPECTED, page_url)
    if problem is not None:
        return problem
    if not isinstance(obj, list) or (obj and not dicts(obj)):
        return wrong_shape(PLATFORM, EXPECTED, page_url)
    products_at = catalog_url(base)
    if products_at not in docs:
        return NeedDocuments((products_at,), hold=CATALOG_HOLD)
    catalog, catalog_problem = _catalog(docs[products_at])
    warnings: list[str] = []
    raws = dicts(obj)
    incidents = [inc for raw in raws if (inc := _incident(raw, page_url, warnings)) is not None]
    components = _known_products(catalog or {}, raws, incidents)
    report = page_report(PLATFORM, indicator=None, components=components, incidents=incidents,
                         maintenances=(), page_url=page_url, warnings=warnings,
                         quiet="No active incidents",
                         extra_levels=[Level.OPERATIONAL, *(i.impact for i in incidents)])
    if catalog_problem is None:
        return report
    note = (f"Google's product catalog (products.json) {catalog_problem}: "
            "only the products named in incidents are known")
    return replace(report, summary=f"{report.summary}; {note}", error=note,
                   warnings=(*report.warnings, note))


def _catalog(body: bytes | None) -> tuple[dict[str, str] | None, str | None]:
    """(product id -> title, None), or (None, why the catalog could not be read)."""
    if body is None:
        return None, "could not be fetched"
    obj, err = load_json(body)
    if err is not None:
        return None, "is HTML, not JSON" if looks_like_html(body) else f"is {err}"
    products = obj.get("products") if isinstance(obj, dict) else None
    if not isinstance(products, list):
        return None, "has an unexpected shape"
    out: dict[str, str] = {}
    for product in dicts(products):
        pid = plain(get_str(product, "id"), 120)
        if pid:
            out.setdefault(pid, plain(get_str(product, "title"), 120) or pid)
    return out, None


def _titles(product: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(stable id or a title, its titles, newest first) of one affected product."""
    current = plain(get_str(product, "current_title"), 120)
    title = plain(get_str(product, "title"), 120)
    names = [t for t in (current, title) if t]
    pid = plain(get_str(product, "id"), 120)
    return pid or (names[0] if names else ""), list(dict.fromkeys(names))


def _known_products(catalog: Mapping[str, str], raws: list[dict[str, Any]],
                    incidents: list[Incident]) -> list[Component]:
    """Every known product: the catalog, then those only the incidents name."""
    names: dict[str, dict[str, None]] = {pid: {} for pid in catalog}   # ordered sets
    for raw in raws:                          # newest incident first: its titles lead
        for product in dicts(raw.get("affected_products")):
            pid, titles = _titles(product)
            if pid:
                names.setdefault(pid, {}).update(dict.fromkeys(titles))
    levels: dict[str, list[Level]] = {}
    for inc in incidents:
        for pid in inc.component_ids:
            levels.setdefault(pid, []).append(inc.impact)
    out = []
    for pid, seen in names.items():
        found = list(seen)
        titles = [*found, catalog[pid]] if pid in catalog and catalog[pid] not in seen else found
        name = titles[0] if titles else pid
        level = worst(levels.get(pid, [Level.OPERATIONAL]))
        aliases = tuple(t for t in titles[1:] if t.casefold() != name.casefold())
        out.append(Component(id=pid, name=name, level=level, aliases=aliases))
    return out


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
    named: dict[str, str] = {}                # product id -> its newest title, in order
    for product in dicts(raw.get("affected_products")):
        pid, titles = _titles(product)
        if pid:
            named.setdefault(pid, titles[0] if titles else pid)
    iid = get_str(raw, "id")
    uri = get_str(raw, "uri") or (f"incidents/{quote(iid, safe='')}" if iid else "")
    return Incident(
        id=iid or name, name=name, status="ongoing", impact=impact,
        url=safe_url(join_url(page_url, uri)) if page_url and uri else None,
        created_at=parse_time(raw.get("begin")) or parse_time(raw.get("created")),
        updated_at=parse_time(raw.get("modified")), updates=updates,
        components=tuple(named.values()), component_ids=tuple(named))

