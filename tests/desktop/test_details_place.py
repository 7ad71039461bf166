"""The details window stays put under a real window manager (openbox, which adds a
title bar: without one the bug cannot show) with a panel that reserves the
bottom of the screen (trayer's strut, so ``_NET_WORKAREA`` is smaller than the
screen): five open/close cycles leave its frame where it was, inside the work
area; a saved place below the panel comes back inside the work area (issue 26,
item 4: it walked down by the title bar's height at every reopen).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.desktop.details_kit import TIMEOUT, Window, missing, now_utc, outage_snapshot, xvfb

pytestmark = pytest.mark.desktop
PANEL = 40


def _x(display: str, *argv: str) -> str:
    env = dict(os.environ, DISPLAY=display)
    return subprocess.run(list(argv), env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False).stdout


def _wait(check: object, what: str, timeout: float = TIMEOUT) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():                      # type: ignore[operator]
            return
        time.sleep(0.1)                  # polling interval, not synchronisation
    raise AssertionError(f"timed out waiting for {what}")


def _work_area(display: str) -> tuple[int, int, int, int] | None:
    out = _x(display, "xprop", "-root", "_NET_WORKAREA")
    if "=" not in out:
        return None
    x, y, w, h = (int(v) for v in out.split("=", 1)[1].split(",")[:4])
    return x, y, w, h


def _open_close(display: str, tmp: Path) -> tuple[dict[str, int], tuple[int, int]]:
    """Open the window, wait until it is mapped where the WM put it, click Close;
    the frame it saved and its client corner while open."""
    win = Window(display, tmp, outage_snapshot(now_utc()))
    try:
        shown = win.next("shown")
        ids: list[str] = []

        def mapped() -> bool:
            ids[:] = win.xdotool("search", "--onlyvisible", "--name", "^trayapp: ").split()
            return len(ids) == 1
        _wait(mapped, "the details window on screen")
        shell = dict(ln.split("=", 1) for ln in
                     win.xdotool("getwindowgeometry", "--shell", ids[0]).split())
        client = (int(shell["X"]), int(shell["Y"]))
        close = next(b for b in shown["bar"] if b["text"] == "Close")
        cx, cy = close["x"] + close["w"] // 2, close["y"] + close["h"] // 2
        end = time.monotonic() + TIMEOUT
        while win.proc.poll() is None and time.monotonic() < end:
            win.xdotool("mousemove", str(cx), str(cy), "click", "1")
            try:
                win.proc.wait(2)
            except subprocess.TimeoutExpired:
                continue
        assert win.proc.wait(TIMEOUT) == 0
    finally:
        win.stop()
    assert "Traceback" not in (tmp / "details.err").read_text(errors="replace")
    saved = json.loads((tmp / "state" / "trayapp" / "details-window.json").read_text())
    return saved, client


@pytest.mark.skipif(bool(missing()) or shutil.which("openbox") is None
                    or shutil.which("trayer") is None or shutil.which("xprop") is None,
                    reason="needs Xvfb, xdotool, openbox, trayer, xprop")
def test_five_reopens_leave_the_window_where_it_was(tmp_path: Path) -> None:
    with xvfb(96, "1024x768x24") as display:
        env = dict(os.environ, DISPLAY=display, HOME=str(tmp_path / "home"))
        (tmp_path / "home").mkdir()
        procs = [subprocess.Popen(["openbox", "--sm-disable"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        try:
            _wait(lambda: "_NET_SUPPORTING_WM_CHECK(WINDOW)" in _x(
                display, "xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), "openbox")
            procs.append(subprocess.Popen(
                ["trayer", "--edge", "bottom", "--align", "left", "--widthtype", "pixel",
                 "--width", "200", "--height", str(PANEL), "--SetDockType", "true",
                 "--SetPartialStrut", "true"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            _wait(lambda: (_work_area(display) or (0, 0, 0, 768))[3] <= 768 - PANEL,
                  "the panel's strut in _NET_WORKAREA")
            ax, ay, aw, ah = _work_area(display) or (0, 0, 0, 0)
            places = [_open_close(display, tmp_path) for _ in range(5)]
            frames = [(s["x"], s["y"], s["width"], s["height"]) for s, _ in places]
            clients = [c for _, c in places]
            assert len(set(frames)) == 1, f"the frame moved: {frames}"
            assert len(set(clients)) == 1, f"the window moved: {clients}"
            x, y, w, h = frames[0]
            assert ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah, \
                (frames[0], (ax, ay, aw, ah))

            # a place saved below the panel (an older version, another screen) comes back inside
            state = tmp_path / "state" / "trayapp" / "details-window.json"
            state.write_text(json.dumps({"x": x, "y": 760, "width": w, "height": h}))
            saved, _client = _open_close(display, tmp_path)
            assert saved["y"] + saved["height"] <= ay + ah, (saved, (ax, ay, aw, ah))
        finally:
            for p in reversed(procs):
                p.terminate()
                p.wait(10)
