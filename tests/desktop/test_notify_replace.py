"""A flapping service leaves one notification on screen, not a stack.

The real Notifier (trayapp.tray.notifier) in a child process on the virtual
desktop's session bus, with dunst as the notification server: three
notifications for one service, one for another. dbus-monitor counts the
``Notify`` calls on the bus (all four are sent), and dunst must display two:
the same service's notifications replace each other (replaces_id).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.desktop.session import DesktopSession
from tests.loopback import wait_until

pytestmark = [pytest.mark.desktop]

SENDER = """
from trayapp.tray.notifier import Notifier
n = Notifier("linux")
n.send("Claude: major outage", "Elevated errors", key="claude", urgency="critical")
n.send("Claude: operational", "Claude is back", key="claude")
n.send("Claude: major outage", "Elevated errors again", key="claude", urgency="critical")
n.send("ChatGPT: degraded", "Slow answers", key="openai")
n.close(30)
"""


def displayed(desk: DesktopSession) -> int:
    out = desk.run("dunstctl", "count", "displayed", check=False).stdout.strip()
    return int(out) if out.isdigit() else -1


def test_flapping_service_leaves_one_notification(desktop: DesktopSession) -> None:
    if not shutil.which("dbus-monitor"):
        pytest.skip("dbus-monitor is missing (Debian: dbus)")
    desktop.run("dunstctl", "close-all", check=False)
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications',"
         "member='Notify'"], env=desktop.env(), stdout=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: desktop.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames",
            check=False).stdout.count(":1.") >= 3, 10)
        done = subprocess.run([sys.executable, "-c", SENDER], env=desktop.env(),
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        assert wait_until(lambda: displayed(desktop) == 2, 10), displayed(desktop)
    finally:
        monitor.terminate()
        out, _ = monitor.communicate(timeout=10)
    calls = [ln for ln in out.splitlines() if "member=Notify" in ln]
    assert len(calls) == 4, out[-2000:]
