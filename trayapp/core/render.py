"""Snapshots and events as terminal text or JSON. Untrusted text is cleaned here too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from trayapp.core.eta import eta_json, usually_words
from trayapp.core.monitor import stale_line
from trayapp.core.pick import offer_label, offers
from trayapp.core.probe import YOUR_SIDE
from trayapp.core.retryafter import wait_words
from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Event,
    FeedReport,
    ModelBudget,
    ModelResult,
    ProbeResult,
    ServiceStatus,
    Snapshot,
)
from trayapp.domain.text import one_line, paragraph

EXIT_OK, EXIT_DEGRADED, EXIT_MAJOR, EXIT_UNKNOWN = 0, 1, 2, 3


def exit_code(snapshot: Snapshot) -> int:
    """2 major outage; 1 degraded or partial; 3 could not tell; 0 all fine. First match wins.
    A local server that is not running is its own known state, not "could not tell",
    unless every watched service is one."""
    judged = [s for s in snapshot.watched if not s.not_running]
    if snapshot.watched and not judged:
        return EXIT_UNKNOWN
    levels = [s.level for s in judged]
    if Level.MAJOR_OUTAGE in levels:
        return EXIT_MAJOR
    if Level.DEGRADED in levels or Level.PARTIAL_OUTAGE in levels:
        return EXIT_DEGRADED
    if snapshot.offline or Level.UNKNOWN in levels:
        return EXIT_UNKNOWN
    return EXIT_OK


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _feed_json(feed: FeedReport, s: ServiceStatus) -> dict[str, Any]:
    return {
        "platform": feed.platform,
        "level": str(feed.level),
        "summary": one_line(feed.summary),
        "error": feed.error,
        "problem": str(feed.problem) if feed.problem else None,
        "url": feed.page_url,
        "components": [{"id": c.id, "name": c.name, "level": str(c.level), "group": c.group}
                       for c in feed.components],
        "incidents": [{
            "id": i.id, "name": i.name, "status": i.status, "impact": str(i.impact),
            "url": i.url, "created_at": _time(i.created_at), "updated_at": _time(i.updated_at),
            "components": list(i.components),
            "updates": [{"status": u.status, "body": paragraph(u.body), "at": _time(u.at)}
                        for u in i.updates],
        } for i in feed.incidents],
        "maintenances": [{
            "id": m.id, "name": m.name, "status": m.status, "in_progress": m.in_progress,
            "url": m.url, "starts_at": _time(m.starts_at), "ends_at": _time(m.ends_at),
            "components": list(m.components),
        } for m in feed.maintenances],
        "warnings": list(feed.warnings),
        "stale_since": _utc(s.stale_since),   # the last good read, while unreadable
        "last_known": str(s.last_known) if s.last_known else None,   # what it said
        "stale_expired": s.stale_expired,     # too long ago to count (stale_after)
        "retry_at": _utc(feed.retry_at),
    }


def _probe_json(probe: ProbeResult) -> dict[str, Any]:
    return {"level": str(probe.level), "detail": one_line(probe.detail),
            "status_code": probe.status_code, "latency_ms": probe.latency_ms,
            "median_ms": probe.median_ms, "error": probe.error,
            "rate_limited": probe.rate_limited, "your_side": probe.your_side,
            "reason": probe.reason, "blame": probe.blame,
            "retry_at": _utc(probe.retry_at), "held": probe.held}


def _models_json(models: tuple[ModelResult, ...]) -> list[dict[str, Any]]:
    return [{"model": m.model, "level": str(m.level), "detail": one_line(m.detail),
             "status_code": m.status_code, "latency_ms": m.latency_ms,
             "median_ms": m.median_ms, "your_side": m.your_side, "reason": m.reason,
             "blame": m.blame} for m in models]


def _budget_json(budget: ModelBudget | None) -> dict[str, Any] | None:
    if budget is None:
        return None
    return {"used": budget.used, "limit": budget.limit, "day": budget.day}


def _side_json(code: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"code": code, "what_to_check": YOUR_SIDE.get(code, "")}


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "checked_at": snapshot.checked_at.isoformat(),
        "offline": snapshot.offline,
        "reason": snapshot.reason,
        "overall": str(snapshot.overall),
        "warnings": list(snapshot.warnings),
        "polling": {"every": round(snapshot.polling.every), "on_battery":
                    snapshot.polling.on_battery} if snapshot.polling else None,
        "services": [{
            "id": s.id, "name": s.name, "role": s.role, "level": str(s.level),
            "summary": one_line(s.summary),
            "probe_disagrees": s.probe_disagrees, "source_broken": s.source_broken,
            "page_url": s.page_url, "web_url": s.web_url, "local": s.local,
            "not_running": s.not_running, "retry_at": _utc(s.retry_at),
            "feed": _feed_json(s.feed, s) if s.feed else None,
            "probe": _probe_json(s.probe) if s.probe else None,
            "models": _models_json(s.models),
            "model_budget": _budget_json(s.budget),
            "your_side": _side_json(s.your_side),
            "eta": eta_json(s.eta),
            "fallbacks": [{"id": f, "level": str(fs.level) if (fs := snapshot.service(f))
                           else "unknown"} for f in s.fallbacks],
        } for s in snapshot.services],
    }


def offered(snapshot: Snapshot, service_id: str,
            data: dict[str, Any] | None = None) -> tuple[ServiceStatus, ...]:
    """The service's fallbacks to offer now, healthy first: :func:`trayapp.core.pick.offers`
    on this snapshot's JSON (the one rule, for the live and the cached paths alike);
    ``data``: that JSON when the caller already has it (one per snapshot, not per service)."""
    data = snapshot_json(snapshot) if data is None else data
    found = (snapshot.service(str(e.get("id"))) for e in offers(data, service_id))
    return tuple(s for s in found if s is not None)


def snapshot_text(snapshot: Snapshot, width: int = 100) -> str:
    lines = []
    when = snapshot.checked_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    head = f"trayapp status at {when}"
    if snapshot.offline:
        head += f": offline ({snapshot.reason}); no remote service can be judged right now"
    lines.append(head)
    name_w = max([len(one_line(s.name, 24)) for s in snapshot.services] + [7])
    data = snapshot_json(snapshot)          # for the fallbacks offered: once, not per service
    for s in snapshot.services:
        role = "" if s.role == "watch" else " (fallback)"
        marks = []
        if s.probe_disagrees:
            marks.append("probe disagrees with the status page")
        if s.source_broken:
            marks.append("status source broken")
        lines.append(f"  {one_line(s.name, 24):<{name_w}}  {s.state_label:<14}  "
                     f"{one_line(s.summary, max(width - name_w - 22, 30))}{role}")
        details = []
        if s.stale_since is not None:
            since = s.stale_since.astimezone().strftime("%H:%M")
            details.append("status page: stale (" + stale_line(
                f"since {since}", s.last_known, s.stale_expired).removeprefix(
                "status page ") + ")")
        elif s.feed is not None:
            details.append(f"status page: {s.feed.level.label}"
                           + (f" ({one_line(s.feed.error, 80)})" if s.feed.error else ""))
        if s.probe is not None:
            details.append(f"API probe: {one_line(s.probe.detail, 80)}"
                           + (f" (usually {s.probe.median_ms} ms)" if s.probe.median_ms
                              else ""))
        if s.models:
            details.append("models: " + ", ".join(
                f"{one_line(m.model, 40)} {m.level.label}" for m in s.models))
        if s.budget is not None:
            details.append(f"model probes today: {s.budget.used}/{s.budget.limit}"
                           + (" (budget spent until 00:00 UTC)"
                              if s.budget.used >= s.budget.limit else ""))
        if s.your_side is not None and not s.not_running:   # that one says it in its column
            marks.append(f"your side ({s.your_side}), not the vendor's")
        waiting = wait_words(s.retry_at, snapshot.checked_at)
        if waiting:
            marks.append(waiting)
        if s.eta is not None:
            marks.append(f"incidents like it: {usually_words(s.eta)} ({s.eta.figures.count} "
                         f"of the last {s.eta.figures.of}, {s.eta.figures.basis})")
        details += marks
        if details:
            lines.append(f"  {'':<{name_w}}  " + "; ".join(details))
        if s.feed is not None:
            for inc in s.feed.incidents[:3]:
                lines.append(f"  {'':<{name_w}}  - {one_line(inc.name, 70)} [{inc.status}]")
        up = offered(snapshot, s.id, data)
        # another model of the same vendor that answers is the nearest fallback
        same = [one_line(m.model, 40) + " (same vendor)" for m in s.models
                if m.level is Level.OPERATIONAL] \
            if any(m.level.is_problem for m in s.models) else []
        if s.role == "watch" and (s.level.is_problem or (snapshot.offline and up)):
            names = same + [offer_label(one_line(f.name, 30), str(f.level), f.local)
                            for f in up]
            offer = ", ".join(names) if names else "no fallback is up right now"
            lines.append(f"  {'':<{name_w}}  try: {offer}")
    lines.append(f"overall: {snapshot.overall.label}")
    for w in snapshot.warnings:
        lines.append(f"warning: {one_line(w)}")
    return "\n".join(lines)


def event_json(event: Event) -> dict[str, Any]:
    return {"time": event.at.isoformat(), "service": event.service, "kind": str(event.kind),
            "old": str(event.old), "new": str(event.new), "reason": one_line(event.reason),
            "incident": one_line(event.incident) if event.incident else None,
            "eta": eta_json(event.eta), **({"source": event.source} if event.source else {})}


def network_json(snapshot: Snapshot, first: bool = False) -> dict[str, Any]:
    """The laptop going offline or coming back, as `watch --json` prints it and hooks get it.
    ``first``: the first state seen (starting offline): ``old`` is null, never an
    "online" that was never seen."""
    new = "offline" if snapshot.offline else "online"
    old = None if first else "online" if snapshot.offline else "offline"
    return {"time": snapshot.checked_at.isoformat(), "service": None, "kind": new,
            "old": old, "new": new, "reason": snapshot.reason or "network is back"}


def event_text(event: Event) -> str:
    when = event.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if event.old != event.new:
        change = f"{event.old.label} -> {event.new.label}"
    else:
        change = event.new.label
    return f"{when}  {event.service}  {change}  {one_line(event.reason, 200)}"


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=True, sort_keys=False)
