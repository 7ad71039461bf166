"""The desktop's tray hosts, as seen from here: the X tray selection's owner and the
StatusNotifierWatcher's name on the session bus (the decision is
:mod:`trayapp.core.trayhost`). Every failure is ``None``: could not tell.

:func:`wait_for_xembed` blocks on XFixes' selection-owner events (no timer, no
polling) until a tray host takes the selection, as a tray started later does.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

log = logging.getLogger(__name__)
WATCHER = "org.kde.StatusNotifierWatcher"


def _open(display_name: str | None, what: str) -> Any:
    try:
        import Xlib.display
        return Xlib.display.Display(display_name)
    except Exception as exc:
        log.debug("cannot %s X for a tray (%s)", what, type(exc).__name__)
        return None


def _selection(display: Any) -> Any:
    return display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")


def xembed_host(display_name: str | None = None) -> bool | None:
    """True when an XEmbed tray owns this screen's tray selection; None when X cannot tell."""
    display = _open(display_name, "ask")
    if display is None:
        return None
    try:
        import Xlib.X
        return bool(display.get_selection_owner(_selection(display)) != Xlib.X.NONE)
    except Exception as exc:
        log.debug("cannot ask X for a tray (%s)", type(exc).__name__)
        return None
    finally:
        display.close()


def watcher_on_bus() -> bool | None:
    """True when a StatusNotifierWatcher is on the session bus; None without a bus or GLib."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.environ.get("XDG_RUNTIME_DIR"):
        return None
    try:
        from gi.repository import Gio, GLib
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "NameHasOwner",
                              GLib.Variant("(s)", (WATCHER,)),
                              None, Gio.DBusCallFlags.NONE, 2000, None)
        return bool(reply.unpack()[0])
    except Exception as exc:
        log.debug("cannot ask the session bus for a tray (%s)", type(exc).__name__)
        return None


def wait_for_xembed(display_name: str | None = None) -> bool:
    """Block until an XEmbed tray owns the selection: True then; False when X cannot
    be watched (no XFixes, the connection lost)."""
    display = _open(display_name, "watch")
    if display is None:
        return False
    try:
        import Xlib.X
        from Xlib.ext import xfixes
        if not display.has_extension("XFIXES"):
            return False
        display.xfixes_query_version()
        atom = _selection(display)
        display.xfixes_select_selection_input(
            display.screen().root, atom, xfixes.XFixesSetSelectionOwnerNotifyMask)
        display.sync()
        while display.get_selection_owner(atom) == Xlib.X.NONE:   # checked after selecting
            event = display.next_event()
            if getattr(event, "owner", Xlib.X.NONE) != Xlib.X.NONE:
                return True
        return True
    except Exception as exc:
        log.debug("lost the watch for a tray (%s)", type(exc).__name__)
        return False
    finally:
        with contextlib.suppress(Exception):
            display.close()
