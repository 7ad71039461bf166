"""The tray menu as plain data, built from a snapshot. Pure.

:func:`build_menu` returns a tuple of :class:`Item`; ``trayapp.tray.app``
maps it onto ``pystray.MenuItem`` and the details window turns the actions
into buttons. Every label is sanitized feed text (:func:`one_line`, capped);
every URL is checked with :func:`safe_url` here (an incident's also with
:func:`trayapp.domain.links.safe_link` against the service's page), so an item either
opens a harmless http(s) link or has no link at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from trayapp.config import vendor_hosts
from trayapp.core.policy import fallback_name
from trayapp.core.textclean import line
from trayapp.core.timefmt import ago, local_time
from trayapp.domain.links import safe_link
from trayapp.domain.model import ServiceStatus, Snapshot
from trayapp.domain.text import safe_url

LABEL = 60         # cap for any label built from feed text
MAX_INCIDENTS = 5
MAX_COMPONENTS = 8
MAX_MAINTENANCES = 3
PAUSE_BUTTONS = {"For 1 hour": "Pause for 1 hour", "Until tomorrow": "Pause until tomorrow",
                 "Resume": "Resume notifications"}


class Act(StrEnum):
    DETAILS = "details"
    OPEN_URL = "open_url"
    CHECK_NOW = "check_now"
    PAUSE_HOUR = "pause_hour"
    PAUSE_TOMORROW = "pause_tomorrow"
    RESUME = "resume"
    AUTOSTART = "autostart"
    OPEN_CONFIG = "open_config"
    OPEN_LOG = "open_log"
    PREFERENCES = "preferences"
    ABOUT = "about"
    QUIT = "quit"


@dataclass(frozen=True, slots=True)
class Action:
    kind: Act
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    action: Action | None = None
    children: tuple[Item, ...] = ()
    checked: bool | None = None        # None: not a checkbox
    enabled: bool = True
    default: bool = False              # the icon's left-click action
    separator: bool = False


SEPARATOR = Item("", separator=True)


@dataclass(frozen=True, slots=True)
class MenuState:
    """What the menu shows besides the snapshot."""

    paused_until: datetime | None = None
    autostart: bool | None = None      # None: autostart is not available here
    local_ids: frozenset[str] = frozenset()
    fallback_ids: tuple[str, ...] = ()


def _label(text: object, limit: int = LABEL) -> str:
    return line(text, limit) or "-"


def _open(text: str, url: str | None) -> Item:
    safe = safe_url(url)
    return Item(text, Action(Act.OPEN_URL, safe) if safe else None, enabled=safe is not None)


def _service_items(s: ServiceStatus, now: datetime) -> tuple[Item, ...]:
    items: list[Item] = [Item(_label(s.summary), enabled=False)]
    feed = s.feed
    if feed is not None and feed.incidents:
        items.append(SEPARATOR)
        for inc in feed.incidents[:MAX_INCIDENTS]:
            since = f", since {ago(inc.created_at, now)}" if inc.created_at else ""
            sub: list[Item] = [Item(f"Status: {_label(inc.status, 30)}{since}", enabled=False)]
            if inc.updates:
                sub.append(Item(f"Latest: {_label(inc.updates[0].body)}", enabled=False))
            if inc.components:
                sub.append(Item("Affects: " + _label(", ".join(inc.components)), enabled=False))
            sub.append(_open("Open incident", safe_link(inc.url, s.page_url, vendor_hosts())))
            items.append(Item(f"Incident: {_label(inc.name, 50)}", children=tuple(sub)))
    if feed is not None:
        hurt = [c for c in feed.components if c.level.is_problem]
        if hurt:
            items.append(SEPARATOR)
            items += [Item(f"{_label(c.name, 40)}: {c.level.label}", enabled=False)
                      for c in hurt[:MAX_COMPONENTS]]
            if len(hurt) > MAX_COMPONENTS:
                items.append(Item(f"+{len(hurt) - MAX_COMPONENTS} more…", Action(Act.DETAILS)))
        upcoming = feed.maintenances[:MAX_MAINTENANCES]
        if upcoming:
            items.append(SEPARATOR)
            for m in upcoming:
                start = local_time(m.starts_at, None, "%a %d %b %H:%M") if m.starts_at else ""
                when = "in progress" if m.in_progress else (start or "planned")
                items.append(Item(f"Maintenance: {_label(m.name, 40)} ({when})", enabled=False))
    items.append(SEPARATOR)
    items.append(_open("Open status page", s.page_url))
    return tuple(items)


def service_line(s: ServiceStatus) -> str:
    return f"{_label(s.name, 30)}: {s.state_label}"


def build_menu(snapshot: Snapshot | None, state: MenuState, now: datetime) -> tuple[Item, ...]:
    items: list[Item] = []
    paused = state.paused_until is not None and state.paused_until > now
    until = local_time(state.paused_until, None, "%H:%M") if state.paused_until else ""
    if paused:
        items.append(Item(f"Paused until {until} - Resume" if until else "Paused - Resume",
                          Action(Act.RESUME)))
    items.append(Item("Details…", Action(Act.DETAILS), default=True))
    if snapshot is None:
        items.append(Item("Checking…", enabled=False))
    else:
        if snapshot.offline:
            items.append(Item(f"Offline: {_label(snapshot.reason or 'no network')}",
                              enabled=False))
        for s in snapshot.watched:
            items.append(Item(service_line(s), children=_service_items(s, now)))
        fallbacks = [f for fid in state.fallback_ids if (f := snapshot.service(fid))]
        if fallbacks:
            items.append(SEPARATOR)
            items.append(Item("Fallbacks", enabled=False))
            for f in fallbacks:
                name = fallback_name(f, state.local_ids)
                sub = [_open(f"Open {name}", f.web_url)]
                if f.page_url:
                    sub.append(_open("Open status page", f.page_url))
                items.append(Item(f"{name}: {f.state_label}", children=tuple(sub)))
    items.append(SEPARATOR)
    items.append(Item("Check now", Action(Act.CHECK_NOW)))
    pause_label = "Pause notifications"
    if paused and until:
        pause_label += f" (until {until})"
    items.append(Item(pause_label, children=(
        Item("For 1 hour", Action(Act.PAUSE_HOUR)),
        Item("Until tomorrow", Action(Act.PAUSE_TOMORROW)),
        Item("Resume", Action(Act.RESUME), enabled=paused),
    )))
    if state.autostart is not None:
        items.append(Item("Start at login", Action(Act.AUTOSTART), checked=state.autostart))
    items.append(Item("Preferences…", Action(Act.PREFERENCES)))
    items.append(Item("Open config file", Action(Act.OPEN_CONFIG)))
    items.append(Item("Open log", Action(Act.OPEN_LOG)))
    items.append(Item("About", Action(Act.ABOUT)))
    items.append(Item("Quit", Action(Act.QUIT)))
    return tuple(items)


def flat_actions(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The top-level commands (no feed text), as buttons for menu-less backends."""
    keep = {Act.CHECK_NOW, Act.PAUSE_HOUR, Act.PAUSE_TOMORROW, Act.RESUME, Act.AUTOSTART,
            Act.PREFERENCES, Act.OPEN_CONFIG, Act.OPEN_LOG, Act.ABOUT, Act.QUIT}
    out: list[Item] = []
    for item in items:
        if item.action is not None and item.action.kind is Act.RESUME:
            continue                       # the "Paused until ... - Resume" line
        if item.action is not None and item.action.kind in keep:
            out.append(item)
        elif item.text.startswith("Pause notifications"):
            # a button has no parent menu to say what "For 1 hour" is about
            out += [replace(c, text=PAUSE_BUTTONS.get(c.text, c.text)) for c in item.children
                    if c.action is not None and c.enabled]
    return tuple(out)



Shape = tuple[object, ...]


def structure(items: tuple[Item, ...]) -> tuple[Shape, ...]:
    """Everything about ``items`` but their labels and enabled states: what a tray
    backend cannot change on an open menu without rebuilding it."""
    return tuple((i.separator, i.action, i.checked, i.default, structure(i.children))
                 for i in items)
