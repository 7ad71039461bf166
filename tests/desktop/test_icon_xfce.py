"""The appindicator backend's icon under XFCE 4.18's panel (its systray plugin is a
StatusNotifier host with its own watcher), at 1x and at GDK_SCALE=2.

A 24 px panel shows a 22 px icon: at 1x the host loads trayapp's 22 px file
and at 2x its 44 px file, each shown pixel for pixel (compared with
``render_icon`` at that size on the panel's colour, as in test_icon_size).
Skips when xfce4-panel is not installed (Debian: xfce4-panel).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import IO

import pytest

from tests.desktop.session import DesktopSession, missing_programs, need_appindicator
from tests.desktop.test_icon_size import DARK, LIGHT, drawn, mismatch, rgb, shows
from tests.desktop.test_tray_e2e import FEED, MAJOR, SHOTS, TIMEOUT, Tray, feed, grab, save
from tests.loopback import LoopbackServer, wait_until
from trayapp.domain.levels import Level

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]              # the fixture, imported for this module's tests
PANEL = 24                      # xfce4-panel's size: its systray draws 22 px icons
ICON = 22


def panel_xml(colour: str) -> str:
    """A panel at the top of the screen with only the systray plugin, in ``colour``."""
    red, green, blue = (f'<value type="double" value="{c / 255:.6f}"/>' for c in rgb(colour))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="{PANEL}"/>
      <property name="background-style" type="uint" value="1"/>
      <property name="background-rgba" type="array">{red}{green}{blue}
        <value type="double" value="1.0"/></property>
      <property name="plugin-ids" type="array"><value type="int" value="1"/></property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def start_panel(desk: DesktopSession, tmp_path: Path,
                colour: str) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """xfce4-panel in ``desk`` with only its systray, in ``colour``; its log file."""
    channel = desk.home / ".config" / "xfce4" / "xfconf" / "xfce-perchannel-xml"
    channel.mkdir(parents=True)
    (channel / "xfce4-panel.xml").write_text(panel_xml(colour))
    log = open(tmp_path / "xfce4-panel.log", "wb")  # noqa: SIM115
    panel = subprocess.Popen(["xfce4-panel", "--disable-wm-check"], env=desk.env(),
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    return panel, log


CASES = [("light", LIGHT, 1), ("dark", DARK, 1), ("light", LIGHT, 2), ("dark", DARK, 2)]


@pytest.mark.parametrize(("name", "colour", "scale"), CASES,
                         ids=[f"{n}-{s}x" for n, _, s in CASES])
def test_xfce_panel_shows_the_file_drawn_at_its_size(tmp_path: Path, feed: LoopbackServer,
                                                     name: str, colour: str,
                                                     scale: int) -> None:
    need_appindicator("xfce4-panel", *missing_programs(), hint="xfce4-panel")
    with DesktopSession(tmp_path / "desk", scale=scale) as desk:
        panel, log = start_panel(desk, tmp_path, colour)
        tray = Tray(desk, tmp_path, "appindicator", feed, "Backup xfce")
        strip = (0, 0, 120 * scale, PANEL * scale)
        px = ICON * scale
        try:
            for level in (Level.OPERATIONAL, Level.MAJOR_OUTAGE):
                if level is Level.MAJOR_OUTAGE:
                    feed.set(FEED, MAJOR)
                assert wait_until(lambda lv=level: shows(grab(desk, strip), lv, px,
                                                         rgb(colour), scale), TIMEOUT), \
                    f"xfce4-panel does not show the {px} px {level} design (off by " \
                    f"{mismatch(grab(desk, strip), drawn(level, px, rgb(colour)))})"
            if SHOTS:
                from PIL import Image
                picture = grab(desk, (0, 0, 100 * scale, PANEL * scale))
                if scale == 1:
                    picture = picture.resize((picture.width * 2, picture.height * 2),
                                             Image.Resampling.NEAREST)
                save(picture, f"tray-xfce-{name}-{scale}x.png")
        finally:
            code = tray.stop()
            panel.terminate()
            panel.wait(10)
            log.close()
    assert code == 0, tray.log_text()[-2000:]


def test_the_menu_stays_open_in_xfces_panel_across_polls(tmp_path: Path,
                                                         feed: LoopbackServer) -> None:
    """Issue 13's first defect, on the desktop where it was seen: XFCE 4.18's
    StatusNotifier host closed an open menu at the next poll (the menu was rebuilt
    each time). The menu is opened with a right click and must still be on screen
    after three polls (interval 1 s), then "Details…" opens the details window."""
    need_appindicator("xfce4-panel", *missing_programs(), hint="xfce4-panel")
    from tests.desktop.test_appindicator import menu_stays_open
    with DesktopSession(tmp_path / "desk") as desk:
        panel, log = start_panel(desk, tmp_path, DARK)
        tray = Tray(desk, tmp_path, "appindicator", feed, "Backup xfce")
        strip = (0, 0, 120, PANEL)
        try:
            feed.set(FEED, MAJOR)
            assert wait_until(lambda: shows(grab(desk, strip), Level.MAJOR_OUTAGE, ICON,
                                            rgb(DARK), 1), TIMEOUT), "no red icon in the panel"
            menu_stays_open(desk, tray, strip, (0, PANEL, 420, PANEL + 420))
        finally:
            code = tray.stop()
            panel.terminate()
            panel.wait(10)
            log.close()
    assert code == 0, tray.log_text()[-2000:]
