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
from trayapp.core.textclean import line, noted
from trayapp.core.timefmt import ago, local_time
from trayapp.domain.links import safe_link
from trayapp.domain.model import Incident, ServiceStatus, Snapshot
from trayapp.domain.text import safe_url

LABEL = 60         # cap for any label built from feed text
MAX_INCIDENTS = 5
MAX_COMPONENTS = 8
MAX_MAINTENANCES = 3


class Act(StrEnum):
    DETAILS = "details"
    OPEN_URL = "open_url"
    CHECK_NOW = "check_now"
    PAUSE_HOUR = "pause_hour"
    PAUSE_TOMORROW = "pause_tomorrow"
    RESUME = "resume"
    AUTOSTART = "autostart"
    TEST_NOTIFICATION = "test_notification"
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
    visible: bool = True               # False: a slot kept hidden (see _slots)


SEPARATOR = Item("", separator=True)
COMMANDS = frozenset({Act.CHECK_NOW, Act.AUTOSTART, Act.PREFERENCES, Act.ABOUT, Act.QUIT})


@dataclass(frozen=True, slots=True)
class MenuState:
    """What the menu shows besides the snapshot."""

    paused_until: datetime | None = None
    autostart: bool | None = None      # None: autostart is not available here
    local_ids: frozenset[str] = frozenset()
    fallback_ids: tuple[str, ...] = ()
    tomorrow: datetime | None = None   # when "Until tomorrow" would end


def _label(text: object, limit: int = LABEL) -> str:
    return line(text, limit) or "-"


def _open(text: str, url: str | None) -> Item:
    safe = safe_url(url)
    return Item(text, Action(Act.OPEN_URL, safe) if safe else None, enabled=safe is not None)


def _slots(items: list[Item], size: int, blank: Item) -> list[Item]:
    """``items`` padded to ``size`` with hidden ``blank`` slots: the menu keeps one shape
    whatever the feed says, so a change is a patch of the menu shown, never a new menu."""
    return items[:size] + [blank] * (size - len(items))


def _section(items: list[Item]) -> list[Item]:
    """A separator, shown only when one of ``items`` is."""
    return [replace(SEPARATOR, visible=any(i.visible for i in items)), *items]


HIDDEN = Item("", enabled=False, visible=False)
NO_INCIDENT = Item("", enabled=False, visible=False, children=(HIDDEN,) * 4)


def _incident(inc: Incident, s: ServiceStatus, now: datetime) -> Item:
    since = f", since {ago(inc.created_at, now)}" if inc.created_at else ""
    latest = f"Latest: {_label(inc.updates[0].body)}" if inc.updates else ""
    affects = "Affects: " + _label(", ".join(inc.components)) if inc.components else ""
    return Item(f"Incident: {_label(inc.name, 50)}", children=(
        Item(f"Status: {_label(inc.status, 30)}{since}", enabled=False),
        Item(latest, enabled=False, visible=bool(latest)),
        Item(affects, enabled=False, visible=bool(affects)),
        _open("Open incident", safe_link(inc.url, s.page_url, vendor_hosts()))))


def _service_items(s: ServiceStatus, now: datetime) -> tuple[Item, ...]:
    """A service's submenu: the same slots for every level (see :func:`_slots`)."""
    feed = s.feed
    incidents = [_incident(i, s, now) for i in (feed.incidents[:MAX_INCIDENTS] if feed else ())]
    hurt = [c for c in feed.components if c.level.is_problem] if feed else []
    parts = [Item(f"{_label(c.name, 40)}: {c.level.label}", enabled=False) for c in hurt]
    more = len(hurt) - MAX_COMPONENTS
    parts = [*_slots(parts, MAX_COMPONENTS, HIDDEN),
             Item(f"+{more} more…" if more > 0 else "", Action(Act.DETAILS), visible=more > 0)]
    planned: list[Item] = []
    for m in feed.maintenances[:MAX_MAINTENANCES] if feed else ():
        start = local_time(m.starts_at, None, "%a %d %b %H:%M") if m.starts_at else ""
        when = "in progress" if m.in_progress else (start or "planned")
        planned.append(Item(f"Maintenance: {noted(_label(m.name, 40), when)}", enabled=False))
    return (Item(_label(s.summary), enabled=False),
            *_section(_slots(incidents, MAX_INCIDENTS, NO_INCIDENT)),
            *_section(parts), *_section(_slots(planned, MAX_MAINTENANCES, HIDDEN)),
            SEPARATOR, _open("Open status page", s.page_url))


def service_line(s: ServiceStatus) -> str:
    return f"{_label(s.name, 30)}: {s.state_label}"


def _fallback(f: ServiceStatus, local_ids: frozenset[str]) -> Item:
    name = fallback_name(f, local_ids)
    page = _open("Open status page", f.page_url)
    return Item(f"{name}: {f.state_label}", children=(
        _open(f"Open {name}", f.web_url), replace(page, visible=bool(f.page_url))))


def _clock(at: datetime | None) -> str:
    return local_time(at, None, "%H:%M") if at is not None else ""


def build_menu(snapshot: Snapshot | None, state: MenuState, now: datetime) -> tuple[Item, ...]:
    """The tray menu. Its :func:`structure` depends only on the services and fallbacks
    shown (and whether autostart is available): every other change keeps the menu open."""
    paused = state.paused_until is not None and state.paused_until > now
    until = _clock(state.paused_until) if paused else ""
    items = [Item(f"Paused until {until} \u2013 Resume" if until else "Paused \u2013 Resume",
                  Action(Act.RESUME), visible=paused),
             Item("Details…", Action(Act.DETAILS), default=True)]
    if snapshot is None:
        items.append(Item("Checking…", enabled=False))
    else:
        items.append(Item(f"Offline: {_label(snapshot.reason or 'no network')}",
                          enabled=False, visible=snapshot.offline))
        items += [Item(service_line(s), children=_service_items(s, now))
                  for s in snapshot.watched]
        fallbacks = [_fallback(f, state.local_ids)
                     for fid in state.fallback_ids if (f := snapshot.service(fid))]
        items += _section([Item("Fallbacks", enabled=False, visible=bool(fallbacks)),
                           *fallbacks])
    tomorrow = _clock(state.tomorrow)
    items += [SEPARATOR, Item("Check now", Action(Act.CHECK_NOW)),
              Item("Pause notifications" + (f" (until {until})" if until else ""), children=(
                  Item("For 1 hour", Action(Act.PAUSE_HOUR)),
                  Item(f"Until tomorrow ({tomorrow})" if tomorrow else "Until tomorrow",
                       Action(Act.PAUSE_TOMORROW)),
                  Item("Resume", Action(Act.RESUME), enabled=paused)))]
    if state.autostart is not None:
        items.append(Item("Start at login", Action(Act.AUTOSTART), checked=state.autostart))
    items += [Item("Preferences…", Action(Act.PREFERENCES)),
              Item("Troubleshooting", children=(
                  Item("Send a test notification", Action(Act.TEST_NOTIFICATION)),
                  Item("Open config file", Action(Act.OPEN_CONFIG)),
                  Item("Open log", Action(Act.OPEN_LOG)))),
              Item("About", Action(Act.ABOUT)), Item("Quit", Action(Act.QUIT))]
    return tuple(items)


def _button(item: Item) -> Item:
    """A submenu's item as a button: "For 1 hour" says what it pauses."""
    kind = item.action.kind if item.action is not None else None
    if kind is Act.PAUSE_HOUR or kind is Act.PAUSE_TOMORROW:
        return replace(item, text=f"Pause {item.text[:1].lower()}{item.text[1:]}")
    return replace(item, text="Resume notifications") if kind is Act.RESUME else item


def flat_actions(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The commands (no feed text), as buttons for menu-less backends: the top level's
    and its submenus' (named for a window where they stand alone)."""
    out: list[Item] = []
    for item in items:
        if not item.visible or (item.action is not None and item.action.kind is Act.RESUME):
            continue                       # the "Paused until ... – Resume" line
        if item.action is not None and item.action.kind in COMMANDS:
            out.append(item)
        elif item.children and all(c.action is not None for c in item.children):
            out += [_button(c) for c in item.children if c.action is not None and c.enabled]
    return tuple(out)


Shape = tuple[object, ...]


def structure(items: tuple[Item, ...]) -> tuple[Shape, ...]:
    """What a tray backend cannot change on a shown menu without building a new one:
    the items' kinds and submenus, never their labels, actions, checks, enabled or
    visible states (:class:`trayapp.tray.menuview.MenuView` patches those)."""
    return tuple((i.separator, i.checked is None, i.default, structure(i.children))
                 for i in items)
