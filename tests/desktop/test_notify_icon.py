"""A notification's icon is the icon of the level it announces (dunst on a private bus).

The real Notifier, with the tray's own icon files (:func:`trayapp.tray.appfiles.level_icon_file`),
in a child process on the virtual desktop: "Claude: major outage", then "Claude:
operational", then one of trayapp's own messages (no level). dbus-monitor reads
each ``Notify`` call on the bus: the icon it names is that level's file (and the
file's pixels are that level's glyph, read back with :func:`trayapp.icon.read_level`).
A screenshot of the screen while each one is displayed shows that level's colour
and not the others' (before, every notification carried the green check).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession
from tests.loopback import wait_until
from trayapp.domain.levels import Level

pytestmark = [pytest.mark.desktop]

SENDER = """
import sys
from pathlib import Path
from trayapp.domain.levels import Level
from trayapp.tray.appfiles import level_icon_file
from trayapp.tray.notifier import Notifier
n = Notifier("linux", icons=lambda level: level_icon_file(Path({state!r}), level))
level = None if sys.argv[1] == "none" else Level(sys.argv[1])
n.send(sys.argv[2], "body", key="claude", urgency="critical" if level is Level.MAJOR_OUTAGE
       else "normal", level=level)
n.close(30)
"""

CASES = [
    (Level.MAJOR_OUTAGE, "Claude: major outage"),
    (Level.OPERATIONAL, "Claude: operational"),
    (None, "trayapp: configuration not reloaded"),
]


def displayed(desk: DesktopSession) -> int:
    out = desk.run("dunstctl", "count", "displayed", check=False).stdout.strip()
    return int(out) if out.isdigit() else -1


def colours_shown(desk: DesktopSession, name: str) -> dict[tuple[int, int, int], int]:
    """How many pixels of each colour the screen shows (TRAYAPP_SCREENSHOTS=DIR keeps it)."""
    from PIL import ImageGrab
    image = ImageGrab.grab(xdisplay=desk.display).convert("RGB")
    shots = os.environ.get("TRAYAPP_SCREENSHOTS")
    if shots and Path(shots).is_dir():
        image.save(Path(shots) / f"notify-{name}.png")
    return {px: n for n, px in image.getcolors(maxcolors=1 << 24) or []}


def test_each_notification_carries_its_levels_icon(desktop: DesktopSession,
                                                   tmp_path: Path) -> None:
    if not shutil.which("dbus-monitor"):
        pytest.skip("dbus-monitor is missing (Debian: dbus)")
    from PIL import Image

    from trayapp.icon import LEVEL_COLOURS, read_level
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications',"
         "member='Notify'"], env=desktop.env(), stdout=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    seen: dict[str, dict[Level, int]] = {}
    try:
        assert wait_until(lambda: desktop.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames",
            check=False).stdout.count(":1.") >= 3, 10)
        for level, title in CASES:
            desktop.run("dunstctl", "close-all", check=False)
            assert wait_until(lambda: displayed(desktop) == 0, 10)
            done = subprocess.run(
                [sys.executable, "-c", SENDER.format(state=str(tmp_path)),
                 str(level) if level else "none", title], env=desktop.env(),
                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
            assert done.returncode == 0, done.stderr
            assert wait_until(lambda: displayed(desktop) == 1, 10), displayed(desktop)
            counts = colours_shown(desktop, (level or Level.UNKNOWN).value)
            seen[title] = {lv: counts.get(LEVEL_COLOURS[lv], 0)
                           for lv in (Level.MAJOR_OUTAGE, Level.OPERATIONAL, Level.UNKNOWN)}
    finally:
        desktop.run("dunstctl", "close-all", check=False)
        monitor.terminate()
        out, _ = monitor.communicate(timeout=10)
    calls = out.split("member=Notify")[1:]
    assert len(calls) == len(CASES), out[-3000:]
    for (level, title), call in zip(CASES, calls, strict=True):
        assert f'"{title}"' in call, call[:1500]
        icons = set(re.findall(r'"([^"]*notify-icon-[a-z_]+\.png)"', call))
        want = str(tmp_path / f"notify-icon-{(level or Level.UNKNOWN).value}.png")
        assert icons == {want}, call[:1500]           # that level's file, and no other
        assert read_level(Image.open(want)) is (level or Level.UNKNOWN)
        # on screen: the level's colour is shown, the other levels' are not
        shown = seen[title]
        mine = level or Level.UNKNOWN
        assert shown[mine] > 50, shown
        assert all(n == 0 for lv, n in shown.items() if lv is not mine), (title, shown)
