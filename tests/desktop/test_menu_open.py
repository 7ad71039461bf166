"""An open tray menu stays open and true across a level change (issue 26, item 1).

The real trayapp against a loopback feed that goes from a major outage to
operational while the user has the menu open:

* gtk backend (tint2's tray, GtkStatusIcon): the open menu is patched in
  place, so its picture changes while it stays open and then is exactly the
  picture of the menu opened afresh (before, it kept "Claude: major outage"
  until it was closed);
  "Send a test notification" in its Troubleshooting submenu then shows a real
  notification (dunst) that says it is a test and names the fallback that is up;
* appindicator backend under XFCE 4.18's panel (a StatusNotifier host, which
  closes an open menu when the DBusMenu layout is replaced): the menu stays
  open through the level change and shows the new words, as a fresh menu does;
  on the session bus (dbus-monitor) the change is an ``ItemsPropertiesUpdated``
  of libdbusmenu, and no ``LayoutUpdated`` is sent at all.

The menu is found as the new override-redirect window a right click maps; no
text recognition: the patched menu's pixels are compared with a fresh menu's.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.session import DesktopSession, missing_programs, need_appindicator
from tests.desktop.test_tray_e2e import (
    FEED,
    MAJOR,
    OPERATIONAL,
    TIMEOUT,
    Tray,
    feed,
    grab,
    wait_colour,
    wait_notification,
    xdotool,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.domain.levels import Level
from trayapp.icon import read_level

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]              # the fixture, imported for this module's tests
Box = tuple[int, int, int, int]


def popups(desk: DesktopSession) -> dict[int, Box]:
    """The mapped override-redirect windows (menus, tooltips) taller than 60 px."""
    import Xlib.display
    import Xlib.X
    display = Xlib.display.Display(desk.display)
    found: dict[int, Box] = {}
    try:
        for win in display.screen().root.query_tree().children:
            try:
                attrs = win.get_attributes()
                if not attrs.override_redirect or attrs.map_state != Xlib.X.IsViewable:
                    continue
                g = win.get_geometry()
            except Exception:       # gone meanwhile
                continue
            if g.height > 60 and g.width > 60:
                found[win.id] = (g.x, g.y, g.x + g.width, g.y + g.height)
    finally:
        display.close()
    return found


def steady(desk: DesktopSession, box: Box) -> Any:
    """The picture of ``box`` once two grabs in a row agree (drawing finished)."""
    shots: list[Any] = []

    def same() -> bool:
        shots.append(grab(desk, box))
        return len(shots) > 1 and shots[-1].tobytes() == shots[-2].tobytes()
    assert wait_until(same, TIMEOUT, step=0.3), "the menu never stopped changing"
    return shots[-1]


def open_menu(desk: DesktopSession, spot: tuple[int, int]) -> tuple[int, Box]:
    """Right-click ``spot``; the menu window that opens and its box."""
    before = set(popups(desk))
    xdotool(desk, "mousemove", str(spot[0]), str(spot[1]), "click", "3")
    new: dict[int, Box] = {}
    assert wait_until(lambda: bool(new.update({k: v for k, v in popups(desk).items()
                                               if k not in before}) or new), TIMEOUT), \
        "no menu after a right click"
    wid = max(new, key=lambda k: (new[k][3] - new[k][1]) * (new[k][2] - new[k][0]))
    # the pointer away from the icon (its tooltip) and off the menu (no item highlighted)
    width, height = grab(desk).size
    xdotool(desk, "mousemove", str(width - 5), str(height // 2))
    return wid, new[wid]


def close_menu(desk: DesktopSession, wid: int) -> None:
    xdotool(desk, "key", "Escape")
    assert wait_until(lambda: wid not in popups(desk), TIMEOUT), "Escape did not close the menu"


def menu_follows_the_level(desk: DesktopSession, feed: LoopbackServer, spot: tuple[int, int],
                           shows: Callable[[Level], bool]) -> None:
    """The menu opened at ``spot`` during a major outage; the feed recovers; ``shows``
    tells when the icon has the new level. The same menu window must still be open,
    look different, and look exactly like the menu opened afresh."""
    wid, box = open_menu(desk, spot)
    down = steady(desk, box)
    feed.set(FEED, OPERATIONAL)
    assert wait_until(lambda: shows(Level.OPERATIONAL), TIMEOUT), "the icon never turned green"
    assert wait_until(lambda: wid in popups(desk)
                      and grab(desk, popups(desk)[wid]).tobytes() != down.tobytes(), TIMEOUT), \
        "the open menu " + ("did not change" if wid in popups(desk) else "closed")
    patched = steady(desk, popups(desk)[wid])
    close_menu(desk, wid)
    wid2, box2 = open_menu(desk, spot)
    fresh = steady(desk, box2)
    close_menu(desk, wid2)
    assert patched.size == fresh.size, (patched.size, fresh.size)
    assert patched.tobytes() == fresh.tobytes(), "the open menu differs from a fresh one"


def test_an_open_gtk_menu_shows_the_new_level(desktop: DesktopSession, tmp_path: Path,
                                              feed: LoopbackServer) -> None:
    pytest.importorskip("gi", reason="PyGObject is not installed")
    feed.set(FEED, MAJOR)
    tray = Tray(desktop, tmp_path, "gtk", feed, "Backup gtk")
    try:
        x0, y0, x1, y1 = wait_colour(desktop, Level.MAJOR_OUTAGE)
        spot = ((x0 + x1) // 2, (y0 + y1) // 2)
        menu_follows_the_level(desktop, feed, spot, lambda lv: bool(wait_colour(desktop, lv)))
        # Troubleshooting (third from the end) > "Send a test notification": a real one
        open_menu(desktop, spot)
        xdotool(desktop, "key", "Up", "Up", "Up", "Right", "Return")
        wait_notification(desktop, "trayapp: test notification", "Try: Backup gtk")
    finally:
        code = tray.stop()
    assert code == 0, tray.log_text()[-2000:]


def test_xfces_panel_keeps_the_menu_open_across_a_level_change(tmp_path: Path,
                                                                feed: LoopbackServer) -> None:
    need_appindicator("xfce4-panel", *missing_programs(), hint="xfce4-panel")
    from tests.desktop.test_icon_size import DARK, rgb
    from tests.desktop.test_icon_size import shows as panel_shows
    from tests.desktop.test_icon_xfce import ICON, PANEL, start_panel
    with DesktopSession(tmp_path / "desk") as desk:
        panel, log = start_panel(desk, tmp_path, DARK)
        feed.set(FEED, MAJOR)
        tray = Tray(desk, tmp_path, "appindicator", feed, "Backup xfce")
        strip = (0, 0, 120, PANEL)

        def shows(level: Level) -> bool:      # the panel draws its button under the pointer
            return read_level(grab(desk, strip)) is level
        try:
            assert wait_until(lambda: panel_shows(grab(desk, strip), Level.MAJOR_OUTAGE, ICON,
                                                  rgb(DARK), 1), TIMEOUT), "no red icon"
            shot = grab(desk, strip)
            spot = next(((x, y) for y in range(shot.height) for x in range(shot.width)
                         if shot.getpixel((x, y)) == (215, 38, 38)), None)
            assert spot is not None, "no red icon to click"
            monitor = subprocess.Popen(
                ["dbus-monitor", "--session", "interface='com.canonical.dbusmenu'"],
                env=desk.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            said: list[str] = []
            reader = threading.Thread(target=lambda: said.extend(monitor.stdout or ()),
                                      daemon=True)
            reader.start()
            try:
                assert wait_until(lambda: any("NameAcquired" in ln for ln in list(said)),
                                  TIMEOUT), "dbus-monitor did not start"
                menu_follows_the_level(desk, feed, spot, shows)
            finally:
                monitor.terminate()
                monitor.wait(10)
                reader.join(10)
            # the level change went over the bus as property updates, never a new layout
            signals = re.findall(r"member=(\w+)", "".join(said))
            assert "ItemsPropertiesUpdated" in signals and "LayoutUpdated" not in signals, \
                signals
        finally:
            code = tray.stop()
            panel.terminate()
            panel.wait(10)
            log.close()
    assert code == 0, tray.log_text()[-2000:]

