"""The details window from the real tray (xorg backend, no menu) on a virtual desktop.

A second click raises the open window (the same X window, no second one);
the open window follows the tray's checks in place (operational, then a
major outage, without reopening); its "Pause for 1 hour" button pauses the
tray's notifications and the window then says so and offers "Resume
notifications"; Esc closes it while the tray keeps running.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from tests.desktop.session import DesktopSession
from tests.desktop.test_tray_e2e import FEED, MAJOR, feed
from tests.loopback import LoopbackServer, wait_until

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]              # the fixture, imported for this module's tests
TIMEOUT = 20.0


def ids(desk: DesktopSession, pattern: str) -> list[str]:
    return desk.run("xdotool", "search", "--onlyvisible", "--name", pattern,
                    check=False).stdout.split()


def last(log: Path, prefix: str) -> str:
    try:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if prefix in ln]
    except FileNotFoundError:
        return ""
    return lines[-1].split(prefix, 1)[1] if lines else ""


def claude_config(tmp_path: Path, feed: LoopbackServer) -> Path:
    """One watched loopback status page, polled every second."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""\
interval = 1
connectivity_url = "{feed.url('/generate_204')}"

[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "{feed.base}/claude" }}
""")
    return cfg


def start(desktop: DesktopSession, tmp_path: Path, trayapp: list[str], cfg: Path,
          cwd: Path | None = None) -> tuple[subprocess.Popen[bytes], IO[bytes], Path]:
    """The real tray (xorg backend, -v) on ``cfg``: its process, output file and log."""
    state = tmp_path / "state"
    env = desktop.env(TRAYAPP_TRAY_BACKEND="xorg", XDG_STATE_HOME=str(state))
    out = open(tmp_path / "trayapp.out", "wb")  # noqa: SIM115
    tray = subprocess.Popen([*trayapp, "-v", "--config", str(cfg)], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return tray, out, state / "trayapp" / "log" / "trayapp.log"


def tray_icon(desktop: DesktopSession) -> str:
    assert wait_until(lambda: bool(ids(desktop, "^Claude: operational")), TIMEOUT), \
        "no tray icon"
    return ids(desktop, "^Claude: operational")[0]


def stop(tray: subprocess.Popen[bytes]) -> None:
    if tray.poll() is None:
        tray.send_signal(signal.SIGTERM)
    try:
        tray.wait(10)
    except subprocess.TimeoutExpired:
        tray.kill()
        tray.wait(5)


def test_one_live_window_from_the_tray(desktop: DesktopSession, tmp_path: Path,
                                       feed: LoopbackServer) -> None:
    cfg = claude_config(tmp_path, feed)
    tray, out, log = start(desktop, tmp_path, [sys.executable, "-m", "trayapp"], cfg)
    try:
        icon = tray_icon(desktop)

        def click() -> None:
            desktop.run("xdotool", "mousemove", "--window", icon, "8", "8", "click", "1")

        click()
        assert wait_until(lambda: bool(ids(desktop, "^trayapp: Claude operational$")),
                          TIMEOUT), "no details window after a click"
        [window] = ids(desktop, "^trayapp: Claude operational$")

        click()                                 # a second click raises the same window
        assert wait_until(lambda: "details window raised" in log.read_text(), TIMEOUT)
        assert ids(desktop, "^trayapp") == [window]

        feed.set(FEED, MAJOR)                   # the open window follows the checks
        assert wait_until(lambda: ids(desktop, "^trayapp: Claude major outage$") == [window],
                          TIMEOUT), ids(desktop, "^trayapp")

        bar = json.loads(last(log, "details buttons: ") or "[]")
        pause = next(b for b in bar if b["text"] == "Pause for 1 hour")
        desktop.run("xdotool", "mousemove", str(pause["x"] + pause["w"] // 2),
                    str(pause["y"] + pause["h"] // 2), "click", "1")
        assert wait_until(lambda: "Notifications paused until" in last(log, "details text: "),
                          TIMEOUT), last(log, "details text: ")
        texts = [b["text"] for b in json.loads(last(log, "details buttons: ") or "[]")]
        assert "Resume notifications" in texts and "Pause for 1 hour" not in texts
        assert ids(desktop, "^trayapp") == [window]

        desktop.run("xdotool", "mousemove", "--window", window, "20", "20", check=False)
        desktop.run("xdotool", "windowfocus", window, check=False)
        desktop.run("xdotool", "key", "Escape", check=False)
        assert wait_until(lambda: not ids(desktop, "^trayapp"), TIMEOUT), "Esc did not close it"
        assert tray.poll() is None, "the tray stopped with its window"
    finally:
        stop(tray)
        out.close()
    assert "Traceback" not in (tmp_path / "trayapp.out").read_text(errors="replace")


def test_details_and_about_open_from_a_tray_started_beside_a_trayapp_folder(
        desktop: DesktopSession, tmp_path: Path, feed: LoopbackServer) -> None:
    """Issue 26, item 6: a login session starts programs in $HOME, which may hold a clone
    named trayapp; the window's child imported that folder and died silently. The tray
    is started as installed (its console script) from such a directory."""
    home = tmp_path / "home"
    (home / "trayapp").mkdir(parents=True)
    cfg = claude_config(tmp_path, feed)
    script = Path(sys.executable).parent / "trayapp"
    if not script.exists():
        pytest.skip("no trayapp console script next to this Python")
    tray, out, log = start(desktop, tmp_path, [str(script)], cfg, cwd=home)
    try:
        icon = tray_icon(desktop)
        desktop.run("xdotool", "mousemove", "--window", icon, "8", "8", "click", "1")
        assert wait_until(lambda: bool(ids(desktop, "^trayapp: Claude operational$")),
                          TIMEOUT), log.read_text(errors="replace")
        # its About button: the tray starts About (a child that imports `from trayapp`)
        assert wait_until(lambda: "About trayapp" in last(log, "details buttons: "), TIMEOUT)
        bar = json.loads(last(log, "details buttons: "))
        about = next(b for b in bar if b["text"] == "About trayapp")
        desktop.run("xdotool", "mousemove", str(about["x"] + about["w"] // 2),
                    str(about["y"] + about["h"] // 2), "click", "1")
        assert wait_until(lambda: bool(ids(desktop, "^About trayapp ")) or "did not open"
                          in log.read_text(errors="replace"), TIMEOUT)
        assert ids(desktop, "^About trayapp "), log.read_text(errors="replace")
    finally:
        stop(tray)
        out.close()
    text = log.read_text(errors="replace")
    assert "did not open" not in text and "ImportError" not in text, text
