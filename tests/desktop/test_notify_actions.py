"""Notification actions for real: dunst 1.9 on the virtual desktop's private bus.

1. The real tray (xorg backend) against a loopback status server: Claude
   degrades, a notification with actions is shown and one ``notify-send``
   waits on it; Claude recovers, the recovery replaces it and still only one
   waits (the previous one was ended); ``dunstctl action 0`` performs the
   default action ("Details") and the details window appears; Claude degrades
   again and dunst's context menu (``dunstctl context``, whose ``dmenu`` is a
   script here that picks the "Open status page" line) opens the status page
   through the opener, whose browser (``$BROWSER``) records the URL; after
   quit no notify-send is left.
2. Without gdbus and dbus-send (the capability cannot be asked), the real
   Notifier sends without actions (``Notify`` on the bus carries an empty
   action list) and notify-send returns at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession, missing_programs
from tests.desktop.test_tray_e2e import FEED, OPERATIONAL, feed
from tests.loopback import LoopbackServer, fixture, wait_until

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]              # the fixture, imported for this module's tests
DEGRADED = fixture("statuspage/anthropic-summary-1.json")     # status.claude.com
TIMEOUT = 30.0

PICK = """\
import sys
lines = sys.stdin.read().splitlines()
with open({log!r}, "a") as f:
    f.write("\\n".join(lines) + "\\n")
print(next((ln for ln in lines if "Open status page" in ln), ""))
"""

RECORD = """\
import sys
with open({out!r}, "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
"""


def program(path: Path, text: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{text}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    """A session whose dunst pipes its context menu to a script that picks
    "Open status page"."""
    missing = missing_programs() + [p for p in ("notify-send", "stdbuf", "dbus-monitor")
                                    if shutil.which(p) is None]
    if missing:
        pytest.skip("desktop programs missing: " + ", ".join(missing) + " (Debian: apt-get "
                    "install xvfb x11-utils tint2 dbus dunst libnotify-bin xdotool coreutils)")
    root = Path(tmp_path_factory.mktemp("desktop"))
    pick = program(root / "pick-status-page", PICK.format(log=str(root / "menu.log")))
    rc = root / "home" / ".config" / "dunst" / "dunstrc"
    rc.parent.mkdir(parents=True)
    rc.write_text(f'[global]\n    dmenu = "{pick}"\n')
    with DesktopSession(root) as session:
        yield session


def waiting(marker: str) -> list[int]:
    """The notify-send processes whose argv names ``marker`` (the test's icon path)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv and argv[0].endswith(b"notify-send") \
                and any(marker.encode() in a for a in argv):
            found.append(int(entry))
    return found


def displayed(desk: DesktopSession) -> int:
    out = desk.run("dunstctl", "count", "displayed", check=False).stdout.strip()
    return int(out) if out.isdigit() else -1


def windows(desk: DesktopSession, pattern: str) -> list[str]:
    return desk.run("xdotool", "search", "--onlyvisible", "--name", pattern,
                    check=False).stdout.split()


def read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def test_details_and_status_page_from_a_notification(desk: DesktopSession, tmp_path: Path,
                                                     feed: LoopbackServer) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""\
interval = 1
min_gap = 0
connectivity_url = "{feed.url('/generate_204')}"

[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "{feed.base}/claude" }}
""")
    state = tmp_path / "state"
    marker = str(state / "trayapp" / "notify-icon-")      # every level's icon file
    log = state / "trayapp" / "log" / "trayapp.log"
    opened = tmp_path / "opened.txt"
    browser = program(tmp_path / "browser", RECORD.format(out=str(opened)))
    desk.run("dunstctl", "close-all", check=False)
    env = desk.env(TRAYAPP_TRAY_BACKEND="xorg", XDG_STATE_HOME=str(state), BROWSER=str(browser))
    out = open(tmp_path / "trayapp.out", "wb")  # noqa: SIM115
    tray = subprocess.Popen([sys.executable, "-m", "trayapp", "-v", "--config", str(cfg)],
                            env=env, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT)

    def why() -> str:
        return f"waiting {waiting(marker)}; shown {displayed(desk)}; log: {read(log)[-3000:]}"

    try:
        assert wait_until(lambda: bool(windows(desk, "^Claude: operational")), TIMEOUT), why()

        feed.set(FEED, DEGRADED)            # a problem: one notification that waits
        assert wait_until(lambda: len(waiting(marker)) == 1 and displayed(desk) == 1,
                          TIMEOUT), why()
        [first] = waiting(marker)
        argv = Path(f"/proc/{first}/cmdline").read_bytes().split(b"\0")
        assert b"--action=default=Details" in argv
        assert b"--action=status=Open status page" in argv

        feed.set(FEED, OPERATIONAL)         # the recovery replaces it: still one waiter
        assert wait_until(lambda: "is back to" in read(log) and waiting(marker)
                          and first not in waiting(marker), TIMEOUT), why()
        assert len(waiting(marker)) == 1 and displayed(desk) == 1, why()

        desk.run("dunstctl", "action", "0")     # the default action: Details
        assert wait_until(lambda: bool(windows(desk, "^trayapp: Claude")), TIMEOUT), why()
        assert wait_until(lambda: not waiting(marker), TIMEOUT), "not reaped: " + why()

        feed.set(FEED, DEGRADED)            # again, then "Open status page" from the menu
        assert wait_until(lambda: len(waiting(marker)) == 1 and displayed(desk) == 1,
                          TIMEOUT), why()
        desk.run("dunstctl", "context")
        assert wait_until(lambda: bool(read(opened)), TIMEOUT), \
            f"menu: {read(desk.root / 'menu.log')}; " + why()
        assert read(opened).split() == ["https://status.claude.com"]
        assert "Open status page" in read(desk.root / "menu.log")
    finally:
        alive = waiting(marker)
        if tray.poll() is None:
            tray.send_signal(signal.SIGTERM)
        try:
            tray.wait(15)
        except subprocess.TimeoutExpired:
            tray.kill()
            tray.wait(5)
        out.close()
        for w in windows(desk, "^trayapp"):
            desk.run("xdotool", "windowclose", w, check=False)
    assert tray.returncode == 0, read(tmp_path / "trayapp.out")[-2000:]
    assert not waiting(marker), f"left after quit: {waiting(marker)} (alive before: {alive})"
    assert "Traceback" not in read(tmp_path / "trayapp.out")


SENDER = """
import time
from trayapp.tray.notifier import Notifier
from trayapp.tray.notify_actions import NoteAction
n = Notifier("linux", icon_path={marker!r})
acts = (NoteAction("default", "Details", lambda: None),)
n.send("Claude: major outage", "Elevated errors", key="claude", urgency="critical",
       actions=acts)
n.close(30)
"""


def test_without_a_capability_check_no_actions(desk: DesktopSession, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"               # notify-send and stdbuf, no gdbus, no dbus-send
    bin_dir.mkdir()
    for name in ("notify-send", "stdbuf"):
        found = shutil.which(name)
        assert found is not None
        (bin_dir / name).symlink_to(found)
    marker = str(tmp_path / "icon.png")
    desk.run("dunstctl", "close-all", check=False)
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications',"
         "member='Notify'"], env=desk.env(), stdout=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: desk.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames",
            check=False).stdout.count(":1.") >= 3, 10)
        done = subprocess.run([sys.executable, "-c", SENDER.format(marker=marker)],
                              env=desk.env(PATH=str(bin_dir)), capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        assert not waiting(marker)          # notify-send returned: nothing waits
        assert wait_until(lambda: displayed(desk) >= 1, 10), displayed(desk)
    finally:
        monitor.terminate()
        text, _ = monitor.communicate(timeout=10)
    call = text.split("member=Notify", 1)[1]
    assert '"Claude: major outage"' in call
    after_body = call.split('string "Elevated errors"', 1)[1]
    assert after_body.split("]", 1)[0].split() == ["array", "["], call[:1500]
    desk.run("dunstctl", "close-all", check=False)
