"""A page's incident history, for the expected-duration figure. Pure, linear, never raises.

* Statuspage and incident.io: ``<page>/api/v2/incidents.json`` (the 50 newest
  incidents, resolved or not: ``created_at``, ``resolved_at``, ``impact``,
  ``status``). An incident starts at ``started_at`` when the page gives one, else
  at ``created_at``; it ends at ``resolved_at``, else at its first update whose
  status is ``resolved`` or ``postmortem``. ``postmortem`` counts as resolved; an
  incident still open has no end; a resolved one with neither time has no end
  either (never guessed). Scheduled maintenances (impact ``maintenance``, or a
  ``scheduled_for``) are left out.
* Google Cloud: ``incidents.json`` itself (the feed's own document: ``begin``,
  ``end``; the impact from ``status_impact`` as the feed reads it, else the
  newest update's status, else ``severity`` high/medium/low -> major outage /
  partial outage / degraded). Its products are the incident's components.

Ids repeated (across pages of a paginated shim) count once, the first
(newest) copy; at most :data:`~trayapp.domain.past.MAX_PAST` incidents are
kept, newest first. Anything unreadable gives ``None`` (no history), never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trayapp.domain.levels import Level
from trayapp.domain.past import MAX_PAST, PastIncident
from trayapp.sources import google_cloud, statuspage
from trayapp.sources.common import dicts, get_str, join_url, load_json, parse_time

INCIDENTS_PATH = "api/v2/incidents.json"
_STATUSPAGE_KINDS = frozenset({"statuspage", "incidentio"})
_CLOSED = frozenset({"resolved", "postmortem"})
_SEVERITY = {"high": Level.MAJOR_OUTAGE, "medium": Level.PARTIAL_OUTAGE,
             "low": Level.DEGRADED}


def history_url(kind: str, base: str) -> str | None:
    """Where a feed of ``kind`` at ``base`` keeps its incident history; None for the
    kinds that have none this reads (RSS, Instatus, Better Stack, ...)."""
    if kind in _STATUSPAGE_KINDS:
        return join_url(base, INCIDENTS_PATH)
    if kind == "google-cloud":
        from trayapp.sources.google_cloud import entry
        return entry(base)
    return None


def parse(kind: str, body: bytes | None) -> tuple[PastIncident, ...] | None:
    """The incidents of one history document, newest first; None when unreadable."""
    if body is None:
        return None
    obj, err = load_json(body)
    if err is not None:
        return None
    if kind == "google-cloud":
        raws = dicts(obj) if isinstance(obj, list) else None
        read = _google
    else:
        raws = dicts(obj.get("incidents")) if isinstance(obj, dict) \
            and isinstance(obj.get("incidents"), list) else None
        read = _statuspage
    if raws is None:
        return None
    seen: set[str] = set()
    out: list[PastIncident] = []
    for raw in raws:
        inc = read(raw)
        if inc is None or inc.id in seen:
            continue
        seen.add(inc.id)
        out.append(inc)
    out.sort(key=lambda i: i.start, reverse=True)
    return tuple(out[:MAX_PAST])


def _names(products: Any) -> tuple[str, ...]:
    out: list[str] = []
    for p in dicts(products):
        out += [v for k in ("id", "code", "name", "title", "current_title")
                if (v := get_str(p, k)[:120])]
    return tuple(dict.fromkeys(out))


def _statuspage(raw: Mapping[str, Any]) -> PastIncident | None:
    impact_word = get_str(raw, "impact").strip().lower()
    if impact_word == "maintenance" or raw.get("scheduled_for") not in (None, ""):
        return None
    iid = get_str(raw, "id")[:120]
    start = parse_time(raw.get("started_at")) or parse_time(raw.get("created_at"))
    if not iid or start is None:
        return None
    impact = statuspage.IMPACT.get(impact_word, Level.UNKNOWN)   # maintenance left out above
    end: datetime | None = None
    if get_str(raw, "status").strip().lower() in _CLOSED:
        end = parse_time(raw.get("resolved_at"))
        if end is None:
            closing = [t for u in dicts(raw.get("incident_updates"))
                       if get_str(u, "status").strip().lower() in _CLOSED
                       and (t := parse_time(u.get("created_at"))) is not None]
            end = min(closing, default=None)
    return PastIncident(iid, impact, start, end, _names(raw.get("components")))


def _google(raw: Mapping[str, Any]) -> PastIncident | None:
    iid = get_str(raw, "id")[:120]
    start = parse_time(raw.get("begin")) or parse_time(raw.get("created"))
    if not iid or start is None:
        return None
    word = get_str(raw, "status_impact").strip().upper()
    if not word:
        newest = dicts(raw.get("updates"))
        word = get_str(newest[0], "status").strip().upper() if newest else ""
    impact = google_cloud.IMPACT.get(word) or _SEVERITY.get(
        get_str(raw, "severity").strip().lower(), Level.UNKNOWN)
    return PastIncident(iid, impact, start, parse_time(raw.get("end")),
                        _names(raw.get("affected_products")))
