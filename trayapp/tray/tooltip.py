"""The tray icon's tooltip: one line about the worst watched service. Pure.

    Claude: partial outage - Elevated errors on Claude Opus (updated 4 min ago)

Built from sanitized text (:func:`trayapp.text.one_line`) and capped to the
platform's limit (Windows: 128 characters including the terminating NUL).
"""

from __future__ import annotations

from datetime import datetime

from trayapp.levels import Level
from trayapp.model import ServiceStatus, Snapshot
from trayapp.text import truncate
from trayapp.tray.textclean import line
from trayapp.tray.timefmt import ago

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


def _headline(service: ServiceStatus) -> str:
    """The incident name when there is one, else the service's summary."""
    if service.feed is not None and service.feed.incidents:
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
        why = line(snapshot.reason or "offline", 80)
        text = f"{APP_NAME}: {why} - checked {ago(snapshot.checked_at, now)}"
        return truncate(line(text + suffix, limit * 2), limit)
    watched = sorted(snapshot.watched, key=lambda s: -s.level.rank)
    if not watched:
        return truncate(f"{APP_NAME}: nothing watched{suffix}", limit)
    top = watched[0]
    if top.level is Level.OPERATIONAL:
        names = ", ".join(line(s.name, 40) for s in watched)
        text = f"{names}: operational (checked {ago(snapshot.checked_at, now)})"
        return truncate(line(text + suffix, limit * 2), limit)
    when = _latest_update(top) or snapshot.checked_at
    others = [s for s in watched[1:] if s.level.is_problem]
    more = f" (+{len(others)} more)" if others else ""
    tail = f" (updated {ago(when, now)}){more}{suffix}"
    head = f"{line(top.name, 40)}: {top.level.label}"
    # The headline is what gets cut; the name, level and age always fit.
    room = limit - len(head) - len(" - ") - len(tail)
    text = f"{head} - {line(_headline(top), room)}{tail}" if room >= 8 else head + tail
    return truncate(text, limit)
