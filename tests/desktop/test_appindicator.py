"""The appindicator backend under a real StatusNotifier host from Debian.

status-notifier-watcher and gtk-sni-tray-standalone (Debian 12:
haskell-status-notifier-item-utils, haskell-gtk-sni-tray-utils; `.ci/run`
installs them) in the virtual desktop session; the real `trayapp` against
the loopback feed. The icon shows and changes level, the menu opens and
stays open across three polls (a rebuilt menu closes on such hosts), and
"Details…" from the menu opens the details window.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.session import DesktopSession, need_appindicator
from tests.desktop.test_tray_e2e import (
    FEED,
    MAJOR,
    SHOTS,
    TIMEOUT,
    Tray,
    feed,
    find,
    grab,
    save,
    xdotool,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.domain.levels import Level
from trayapp.icon import read_level

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]          # the fixture, imported for this module's tests
BAR = 32                    # the host's bar height, at the bottom of the screen


def get_property(desktop: DesktopSession, service: str, path: str, interface: str,
                 name: str) -> list[str]:
    """The strings in a D-Bus property's value (dbus-send's printed reply)."""
    reply = desktop.run("dbus-send", "--session", "--print-reply", f"--dest={service}", path,
                        "org.freedesktop.DBus.Properties.Get", f"string:{interface}",
                        f"string:{name}", check=False).stdout
    return re.findall(r'(?:string|boolean) "?([^"\n]*)"?', reply)


def host_registered(desktop: DesktopSession) -> bool:
    return get_property(desktop, "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                        "org.kde.StatusNotifierWatcher",
                        "IsStatusNotifierHostRegistered") == ["true"]


def items(desktop: DesktopSession) -> str:
    """Each registered item and the icon name it gives the host, for a failure's message."""
    said = []
    for item in get_property(desktop, "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                             "org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems"):
        service, _, path = item.partition("/")
        if not path:            # the watcher keeps the bus name only: ask the item's tree
            tree = desktop.run("gdbus", "introspect", "--session", "--dest", service,
                               "--object-path", "/", "--recurse", check=False).stdout
            path = next(iter(re.findall(r"node (/\S*NotificationItem/\S+)", tree)), "")[1:]
        name = get_property(desktop, service, "/" + path, "org.kde.StatusNotifierItem",
                            "IconName")
        said.append(f"{item}: icon {name}")
    return "; ".join(said) or "no item registered"


def menu_stays_open(desk: DesktopSession, tray: Tray, strip: tuple[int, int, int, int],
                    area: tuple[int, int, int, int]) -> Any:
    """A right click on the red icon in ``strip`` opens the tray's menu in ``area``;
    it is still open after three polls (interval 1 s: a menu rebuilt at each poll
    closes on StatusNotifier hosts); "Details…", its first item, then opens the
    details window. Returns the open menu's picture."""
    shot = grab(desk, strip)
    spot = next(((x, y) for y in range(shot.height) for x in range(shot.width)
                 if shot.getpixel((x, y)) == (215, 38, 38)), None)
    assert spot is not None, "no red icon to click"
    empty = grab(desk, area)
    xdotool(desk, "mousemove", str(strip[0] + spot[0]), str(strip[1] + spot[1]), "click", "3")
    assert wait_until(lambda: grab(desk, area).tobytes() != empty.tobytes(),
                      TIMEOUT), "no menu after a right click"
    snap = tray.state / "trayapp" / "snapshot.json"
    for _ in range(3):
        before = snap.stat().st_mtime_ns if snap.exists() else 0
        assert wait_until(lambda b=before: snap.exists() and snap.stat().st_mtime_ns != b,
                          TIMEOUT), "no poll"
    wait_until(lambda: False, 1.0)         # a rebuilt menu would be gone by now
    open_menu = grab(desk, area)
    assert open_menu.tobytes() != empty.tobytes(), "the menu closed itself during polls"
    xdotool(desk, "key", "Down", "Return")
    assert wait_until(lambda: find(desk, "^trayapp: Claude major outage$") is not None,
                      TIMEOUT), "Details… did not open the details window"
    return open_menu


def host(desktop: DesktopSession, size: int = BAR,
         colour: str | None = None) -> list[subprocess.Popen[bytes]]:
    """status-notifier-watcher and gtk-sni-tray-standalone's bar (``size`` px high
    in GTK's units, ``colour`` its background) at the bottom of the screen, once
    the bar is registered as the host (else libappindicator starts in its XEmbed
    fallback, in the session's own tint2 panel under the bar)."""
    procs = [subprocess.Popen(["status-notifier-watcher"], env=desktop.env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    assert wait_until(lambda: "org.kde.StatusNotifierWatcher" in desktop.run(
        "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames", check=False).stdout,
        TIMEOUT), "status-notifier-watcher did not start"
    bar = ["gtk-sni-tray-standalone", "--bottom", "--size", str(size)]
    procs.append(subprocess.Popen(bar + (["--color", colour] if colour else []),
                                  env=desktop.env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL))
    assert wait_until(lambda: host_registered(desktop), TIMEOUT), \
        "gtk-sni-tray-standalone did not register as the StatusNotifier host"
    return procs


def test_appindicator_under_a_status_notifier_host(desktop: DesktopSession, tmp_path: Path,
                                                   feed: LoopbackServer) -> None:
    need_appindicator("status-notifier-watcher", "gtk-sni-tray-standalone",
                      hint="haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils")
    procs = host(desktop)
    tray = Tray(desktop, tmp_path, "appindicator", feed, "Backup sni")
    width, height = grab(desktop).size
    bar = (0, height - BAR, width, height)
    try:
        assert wait_until(lambda: read_level(grab(desktop, bar)) is Level.OPERATIONAL,
                          TIMEOUT), "no green icon in the StatusNotifier host's bar"
        assert "backend appindicator" in tray.log_text()
        feed.set(FEED, MAJOR)
        assert wait_until(lambda: read_level(grab(desktop, bar)) is Level.MAJOR_OUTAGE,
                          TIMEOUT), f"the icon did not turn red (the bar shows " \
            f"{read_level(grab(desktop, bar))}; {items(desktop)}; " \
            f"tray log: {tray.log_text()[-1500:]})"
        if SHOTS:
            save(grab(desktop, (0, height - BAR - 8, 200, height)), "tray-sni-outage.png")

        # the menu opens above the bar, stays open across polls, and "Details…" works
        above = (0, max(0, height - BAR - 420), 420, height - BAR)
        open_menu = menu_stays_open(desktop, tray, bar, above)
        if SHOTS:
            save(open_menu, "menu-sni.png")
    finally:
        code = tray.stop()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
    assert code == 0, tray.log_text()[-2000:]
