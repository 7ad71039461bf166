"""End to end on a real virtual desktop: the real `trayapp` against a loopback feed.

The feed flips from all operational to a major outage and back; the tests
read the tray icon's level colour from screenshots, the notifications from
dunst's history, and click the icon to open the details window. Set
TRAYAPP_SCREENSHOTS=DIR to keep screenshots (docs/make_screenshots.py does).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession, same_colour
from tests.loopback import LoopbackServer, fixture, wait_until
from trayapp.domain.levels import Level
from trayapp.icon import LEVEL_COLOURS, read_level

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
FEED = "/claude/api/v2/summary.json"
OPERATIONAL = fixture("statuspage/anthropic-summary-3.json")
MAJOR = fixture("statuspage/github-summary-1.json")     # "Incident on 2020-04-02 20:20 UTC"
INCIDENT = "Incident on 2020-04-02 20:20 UTC"
TIMEOUT = 20.0
SHOTS = os.environ.get("TRAYAPP_SCREENSHOTS")

Box = tuple[int, int, int, int]


def config(server: LoopbackServer, fallback: str) -> str:
    return f"""\
interval = 1
connectivity_url = "{server.url('/generate_204')}"

[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "{server.base}/claude" }}
fallbacks = ["backup"]

[[services]]
id = "backup"
name = "{fallback}"
role = "fallback"
probe = {{ url = "{server.url('/backup/v1/models')}" }}
web_url = "https://backup.example.com"
"""


class Tray:
    """The real trayapp, as a subprocess in the desktop session."""

    def __init__(self, desk: DesktopSession, tmp: Path, backend: str, server: LoopbackServer,
                 fallback: str, **env: str) -> None:
        self.desk = desk
        self.cfg = tmp / "config.toml"
        self.cfg.write_text(config(server, fallback))
        self.state = tmp / "state"
        self.env = desk.env(TRAYAPP_TRAY_BACKEND=backend, XDG_STATE_HOME=str(self.state),
                            **env)
        self.argv = [sys.executable, "-m", "trayapp", "-v", "--config", str(self.cfg)]
        self.out = open(tmp / "trayapp.out", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=subprocess.STDOUT)
        self.log = self.state / "trayapp" / "log" / "trayapp.log"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                return None
        self.out.close()
        return self.proc.returncode


def xdotool(desk: DesktopSession, *args: str) -> str:
    return desk.run("xdotool", *args, check=False).stdout


def find(desk: DesktopSession, pattern: str) -> str | None:
    ids = xdotool(desk, "search", "--name", pattern).split()
    return ids[0] if ids else None


def window_names(desk: DesktopSession) -> list[str]:
    """The named windows on the display, for a failure's message."""
    names = (desk.run("xdotool", "getwindowname", wid, check=False).stdout.strip()
             for wid in xdotool(desk, "search", "--name", ".").split()[:30])
    return [name for name in names if name]


def box(desk: DesktopSession, wid: str) -> Box:
    shell = dict(line.split("=", 1) for line in
                 xdotool(desk, "getwindowgeometry", "--shell", wid).split())
    x, y, w, h = (int(shell[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    return x, y, x + w, y + h


def grab(desk: DesktopSession, area: Box | None = None):  # type: ignore[no-untyped-def]
    from PIL import ImageGrab
    return ImageGrab.grab(bbox=area, xdisplay=desk.display).convert("RGB")


def shown_level(desk: DesktopSession, area: Box) -> Level | None:
    """The level the icon in ``area`` shows: its most common exact level colour."""
    return read_level(grab(desk, area))


def notifications(desk: DesktopSession) -> list[tuple[str, str]]:
    desk.run("dunstctl", "close-all", check=False)
    raw = desk.run("dunstctl", "history", check=False).stdout
    try:
        items = json.loads(raw)["data"][0]
    except (ValueError, KeyError, IndexError):
        return []
    return [(n["summary"]["data"], n["body"]["data"]) for n in items]


def save(image, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(Path(SHOTS) / name, optimize=True)


@pytest.fixture
def feed() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    srv.set("/generate_204", b"", status=204)
    srv.set("/backup/v1/models", b'{"error": "missing api key"}', status=401)  # up: 401
    srv.set(FEED, OPERATIONAL)
    try:
        yield srv
    finally:
        srv.close()


def icon_area(desk: DesktopSession) -> Box:
    found: list[str] = []
    assert wait_until(lambda: bool(found.append(find(desk, "^Claude: ") or "") or found[-1]),
                      TIMEOUT), f"the tray icon never appeared (windows: {window_names(desk)})"
    area = box(desk, found[-1])
    assert area[2] - area[0] >= 16, f"icon not docked: {area}"
    return area


def wait_colour(desk: DesktopSession, level: Level) -> Box:
    seen: list[object] = []

    def ok() -> bool:
        area = icon_area(desk)
        seen.append(shown_level(desk, area))
        return seen[-1] is level
    assert wait_until(ok, TIMEOUT), f"the icon never showed {level}: last {seen[-1:]}"
    return icon_area(desk)


def wait_notification(desk: DesktopSession, title: str, body_part: str) -> tuple[str, str]:
    found: list[tuple[str, str]] = []

    def ok() -> bool:
        found[:] = [n for n in notifications(desk) if n[0] == title and body_part in n[1]]
        return bool(found)
    assert wait_until(ok, TIMEOUT), f"no notification {title!r} with {body_part!r}: " \
                                    f"{notifications(desk)[:5]}"
    return found[0]


@pytest.mark.parametrize("backend", ["xorg", "gtk"])
def test_tray_end_to_end(desktop: DesktopSession, tmp_path: Path, feed: LoopbackServer,
                         backend: str) -> None:
    if backend == "gtk":
        pytest.importorskip("gi", reason="PyGObject is not installed (see the README, "
                            "section Backends)")
    fallback = f"Backup {backend}"
    tray = Tray(desktop, tmp_path, backend, feed, fallback)
    try:
        # 1. all operational: a green icon, no notification
        icon = wait_colour(desktop, Level.OPERATIONAL)
        assert f"backend {backend}" in tray.log_text()
        if backend == "xorg":
            # no grey square: the icon window's corners show the panel beside it
            x0, y0, x1, y1 = icon
            shot = grab(desktop)
            panel = shot.getpixel((x1 + 1, (y0 + y1) // 2))
            corners = [shot.getpixel(p) for p in ((x0, y0), (x1 - 1, y1 - 1))]
            assert all(same_colour(c, panel) for c in corners), f"{corners} on {panel}"
        save(grab(desktop, (0, icon[1] - 8, 200, icon[3] + 8)), f"tray-{backend}-operational.png")

        # a second tray instance refuses to start
        second = subprocess.run(tray.argv, env=tray.env, capture_output=True, text=True,
                                timeout=TIMEOUT)
        assert second.returncode == 1 and "already running" in second.stderr

        # 2. major outage: red icon within a poll or two, one notification with the fallback
        feed.set(FEED, MAJOR)
        icon = wait_colour(desktop, Level.MAJOR_OUTAGE)
        _, body = wait_notification(desktop, "Claude: major outage", f"Try: {fallback}")
        assert body.startswith(INCIDENT)
        # the tooltip (the icon window's name) says the same, within the same poll
        tip = f"^Claude: major outage - {INCIDENT} \\(updated [0-9]+ d ago\\)$"
        assert wait_until(lambda: find(desktop, tip) is not None, TIMEOUT), \
            xdotool(desktop, "getwindowname", find(desktop, "^Claude: ") or "")
        save(grab(desktop, (0, icon[1] - 8, 200, icon[3] + 8)), f"tray-{backend}-outage.png")

        # 3. a left click opens the details window, showing the incident
        before = grab(desktop)
        cx, cy = (icon[0] + icon[2]) // 2, (icon[1] + icon[3]) // 2
        xdotool(desktop, "mousemove", str(cx), str(cy), "click", "1")
        window: list[str] = []
        assert wait_until(lambda: bool(window.append(
            find(desktop, "^trayapp: Claude major outage$") or "") or window[-1]), TIMEOUT), \
            "no details window after a click on the icon"
        assert wait_until(lambda: INCIDENT in tray.log_text().split("details text:")[-1],
                          TIMEOUT), "the details window did not render the incident"
        area = box(desktop, window[-1])
        assert wait_until(lambda: grab(desktop, area).getcolors(1 << 16) is not None
                          and LEVEL_COLOURS[Level.MAJOR_OUTAGE] in
                          {c for _, c in grab(desktop, area).getcolors(1 << 16) or []},
                          TIMEOUT), "the details window shows no red level mark"
        last: list[bytes] = [b""]

        def settled() -> bool:             # two grabs alike: the window is fully drawn
            now = grab(desktop, area).tobytes()
            same, last[0] = now == last[0], now
            return same
        assert wait_until(settled, TIMEOUT, step=0.3), "the details window never settled"
        shown = grab(desktop, area)
        assert shown.tobytes() != before.crop(area).tobytes()
        save(shown, f"details-{backend}.png")
        desktop.run("xdotool", "windowkill", window[-1], check=False)
        assert wait_until(lambda: find(desktop, "^trayapp: Claude major outage$") is None,
                          TIMEOUT)

        if backend == "gtk":
            # 4. gtk: a right click opens the menu above the icon
            above = (0, max(0, icon[1] - 420), 420, icon[1])
            empty = grab(desktop, above)
            xdotool(desktop, "mousemove", str(cx), str(cy), "click", "3")
            assert wait_until(lambda: grab(desktop, above).tobytes() != empty.tobytes(),
                              TIMEOUT), "no menu after a right click"
            if SHOTS:
                from PIL import ImageChops
                wait_until(lambda: False, 0.5)  # let the menu finish drawing for the picture
                menu = grab(desktop, above)
                _, y0, x1, _ = ImageChops.difference(menu, empty).getbbox() or above
                save(grab(desktop, (0, above[1] + y0 - 4, x1 + 8, icon[3] + 8)), "menu-gtk.png")
            # the menu stays open across three polls (it was rebuilt, and closed, at each)
            snap = tray.state / "trayapp" / "snapshot.json"
            for _ in range(3):
                before_poll = snap.stat().st_mtime_ns if snap.exists() else 0
                assert wait_until(lambda b=before_poll: snap.exists()
                                  and snap.stat().st_mtime_ns != b, TIMEOUT), "no poll"
            wait_until(lambda: False, 0.5)      # what a poll would change is drawn by now
            assert grab(desktop, above).tobytes() != empty.tobytes(), \
                "the menu closed itself during the polls"
            xdotool(desktop, "key", "Escape")
            assert wait_until(lambda: grab(desktop, above).tobytes() == empty.tobytes(),
                              TIMEOUT), "the menu did not close"

            # 4b. gtk: hovering the icon shows the tooltip (pystray never set it)
            xdotool(desktop, "mousemove", "600", "300")
            bare = grab(desktop)
            xdotool(desktop, "mousemove", str(cx), str(cy))
            xdotool(desktop, "mousemove", str(cx + 1), str(cy))
            assert wait_until(lambda: grab(desktop, above).tobytes()
                              != bare.crop(above).tobytes(), TIMEOUT), "no tooltip on hover"
            if SHOTS:
                wait_until(lambda: False, 0.5)
                save(grab(desktop, (0, max(0, icon[1] - 80), 420, icon[3] + 8)),
                     "tray-gtk-tooltip.png")
            xdotool(desktop, "mousemove", "600", "300")

        # 5. recovery: green again, and a recovery notification
        feed.set(FEED, OPERATIONAL)
        wait_colour(desktop, Level.OPERATIONAL)
        wait_notification(desktop, "Claude: operational", "back to operational")
        outage_notes = [n for n in notifications(desktop)
                        if n[0] == "Claude: major outage" and fallback in n[1]]
        assert len(outage_notes) == 1, "the outage was announced more than once"
    finally:
        code = tray.stop()
    assert code == 0, tray.log_text()[-2000:]
    assert "Traceback" not in (tmp_path / "trayapp.out").read_text(errors="replace")
