"""The tray icon's tooltip: one line about the worst watched service. Pure.

    Claude: partial outage - Elevated errors on Claude Opus (updated 4 min ago)
    Claude: major outage (stale) - status page unreadable since 14:03; last known:
        major outage (read 12 min ago)          [one line, wrapped here]
    trayapp: offline: no network - checked just now - Try: Ollama (local)

Built from sanitized text (:func:`trayapp.domain.text.one_line`) and capped to the
platform's limit (Windows: 128 characters including the terminating NUL).
"""

from __future__ import annotations

from datetime import datetime

from trayapp.core.textclean import line
from trayapp.core.timefmt import ago
from trayapp.domain.levels import Level
from trayapp.domain.model import ServiceStatus, Snapshot
from trayapp.domain.text import truncate

APP_NAME = "trayapp"
TOOLTIP_LIMITS = {"win32": 127, "darwin": 255}
DEFAULT_LIMIT = 255


def limit_for(platform: str) -> int:
    return TOOLTIP_LIMITS.get(platform, DEFAULT_LIMIT)


def _latest_update(service: ServiceStatus) -> datetime | None:
    times: list[datetime] = []
    if service.feed is not None:
        for inc in service.feed.incidents:
            times += [t for t in (inc.updated_at, inc.created_at) if t is not None]
            times += [u.at for u in inc.updates if u.at is not None]
    return max(times) if times else None


def _local_name(service: ServiceStatus) -> str:
    name = line(service.name, 40)
    return name if "local" in name.lower() else f"{name} (local)"


def _headline(service: ServiceStatus) -> str:
    """The incident name when there is one, else the service's summary."""
    if service.page_readable and service.feed is not None and service.feed.incidents:
        worst_first = sorted(service.feed.incidents, key=lambda i: -i.impact.rank)
        return worst_first[0].name
    return service.summary


def tooltip(snapshot: Snapshot | None, now: datetime, limit: int = DEFAULT_LIMIT,
            paused: bool = False) -> str:
    """One line for the icon's tooltip, at most ``limit`` characters."""
    suffix = " [notifications paused]" if paused else ""
    if snapshot is None:
        return truncate(f"{APP_NAME}: starting, first check in progress{suffix}", limit)
    if snapshot.offline:
        why = line(snapshot.reason or "no network", 80)
        text = f"{APP_NAME}: offline: {why} - checked {ago(snapshot.checked_at, now)}"
        local = [s for s in snapshot.services if s.local and s.level.is_usable]
        if local:
            text += " - Try: " + ", ".join(_local_name(s) for s in local)
        return truncate(line(text + suffix, limit * 2), limit)
    watched = sorted(snapshot.watched, key=lambda s: -s.level.rank)
    if not watched:
        return truncate(f"{APP_NAME}: nothing watched{suffix}", limit)
    stale = [s for s in watched if s.stale_since is not None]
    top = watched[0]
    if top.level is Level.OPERATIONAL and stale:
        top = stale[0]                    # "operational" from an unreadable page says so
    if top.level is Level.OPERATIONAL and top.stale_since is None:
        names = ", ".join(line(s.name, 40) for s in watched)
        text = f"{names}: operational (checked {ago(snapshot.checked_at, now)})"
        return truncate(line(text + suffix, limit * 2), limit)
    others = [s for s in watched if s is not top and s.level.is_problem]
    more = f" (+{len(others)} more)" if others else ""
    if top.stale_since is not None:
        tail = f" (read {ago(top.stale_since, now)}){more}{suffix}"
        head = f"{line(top.name, 40)}: {top.level.label} (stale)"
    else:
        when = _latest_update(top) or snapshot.checked_at
        tail = f" (updated {ago(when, now)}){more}{suffix}"
        head = f"{line(top.name, 40)}: {top.state_label}"
    # The headline is what gets cut; the name, level and age always fit.
    room = limit - len(head) - len(" - ") - len(tail)
    text = f"{head} - {line(_headline(top), room)}{tail}" if room >= 8 else head + tail
    return truncate(text, limit)
