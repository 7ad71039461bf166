"""Whether this desktop has a tray to show the icon in (the decision; the looking is
:mod:`trayapp.edges.trayhost`).

A freedesktop tray is either an XEmbed host (the owner of the X selection
``_NET_SYSTEM_TRAY_S<screen>``: tint2, trayer, xfce4-panel, KDE's and most
others) or a StatusNotifierWatcher on the session bus (KDE, GNOME's AppIndicator
extension). pystray's ``xorg`` and ``gtk`` backends dock only into an XEmbed
host; ``appindicator`` into either (libappindicator falls back to XEmbed).
``None`` for a check means it could not be made: then the icon is shown as before.
"""

from __future__ import annotations

NO_TRAY = ("no system tray on this desktop: notifications only; "
           "on GNOME, install the AppIndicator extension")


def no_tray_reason(backend: str, xembed: bool | None, watcher: bool | None) -> str | None:
    """The one line to say when the icon has nowhere to go, else None."""
    if xembed is not False:
        return None
    if backend == "appindicator" and watcher is not False:
        return None
    return NO_TRAY
