"""The tray icon's tooltip: one line about the worst watched service. Pure.

    Claude: partial outage - Elevated errors on Claude Opus (updated 4 min ago)
    Claude: major outage (stale) - status page unreadable since 14:03; last known:
        major outage (last good read 12 min ago)     [one line, wrapped here]
    trayapp: offline: no network - checked just now - Try: Ollama (local)

Built from sanitized text (:func:`trayapp.domain.text.one_line`) and capped to the
platform's limit (Windows: 128 characters including the terminating NUL).
"""

from __future__ import annotations

from datetime import datetime

from trayapp.core.pick import offer_label
from trayapp.core.render import offered, snapshot_json
from trayapp.core.textclean import line
from trayapp.core.timefmt import JUST_NOW, ago
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
        # what the watched services' fallbacks offer now (offline: the local ones),
        # healthy first, a degraded one named as such: the one rule (core.pick)
        data = snapshot_json(snapshot)
        up = {f.id: f for w in snapshot.watched for f in offered(snapshot, w.id, data)
              if f.local}
        ranked = sorted(up.values(), key=lambda f: f.level is Level.DEGRADED)
        if ranked:
            text += " - Try: " + ", ".join(
                offer_label(line(f.name, 40), str(f.level), local=True) for f in ranked)
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
        # the age of the last GOOD read; under a minute it would read "just now" next
        # to "unreadable", so it is left out (the summary has its clock time)
        age = ago(top.stale_since, now)
        tail = (f" (last good read {age})" if age not in (JUST_NOW, "?") else "") \
            + f"{more}{suffix}"
        head = f"{line(top.name, 40)}: {top.level.label} (stale)"
    elif not top.page_readable and top.feed is not None:
        # the page was not read this time: only when it was checked can be said
        tail = f" (checked {ago(snapshot.checked_at, now)}){more}{suffix}"
        head = f"{line(top.name, 40)}: {top.level.label}"
    else:
        when = _latest_update(top) or snapshot.checked_at
        tail = f" (updated {ago(when, now)}){more}{suffix}"
        head = f"{line(top.name, 40)}: {top.state_label}"
    # The headline is what gets cut; the name, level and age always fit.
    room = limit - len(head) - len(" - ") - len(tail)
    text = f"{head} - {line(_headline(top), room)}{tail}" if room >= 8 else head + tail
    return truncate(text, limit)


def checking(snapshot: Snapshot | None, why: str, now: datetime,
             limit: int = DEFAULT_LIMIT) -> str:
    """While the first poll after a sleep or a network change runs: the last level is
    from before it, said as such (the icon is grey meanwhile, never green from before)."""
    if snapshot is None:
        return truncate(f"{APP_NAME}: checking again ({why})", limit)
    last = "offline" if snapshot.offline else snapshot.overall.label
    return truncate(f"{APP_NAME}: checking again ({why}); before: {last}, checked "
                    f"{ago(snapshot.checked_at, now)}", limit)
