"""The menu is patched in place on the GTK backends, rebuilt only when its shape changes.

A real pystray icon on the virtual desktop (tests/desktop/menu_probe.py in the
session): the Gtk.Menu object must stay the same one when only a label
changed (a rebuild closes an open menu on XFCE's StatusNotifier host), and
its label must really change.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.desktop.session import DesktopSession

pytestmark = [pytest.mark.desktop]


@pytest.mark.parametrize("backend", ["gtk", "appindicator"])
def test_menu_patched_in_place(desktop: DesktopSession, backend: str) -> None:
    pytest.importorskip("gi", reason="PyGObject is not installed")
    done = subprocess.run([sys.executable, "-m", "tests.desktop.menu_probe"],
                          env=desktop.env(TRAYAPP_TRAY_BACKEND=backend), capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if not lines and "cannot start" in done.stderr + done.stdout:
        pytest.skip(f"the {backend} backend cannot start here: {done.stderr[-300:]}")
    assert lines, done.stderr[-2000:]
    result = json.loads(lines[-1])
    assert result["backend"] == backend
    same, patched, paused, rebuilt = result["steps"]
    assert same["how"] == "same"
    assert not [t for t in same["labels"] if t.startswith("Paused")], "a hidden slot shows"
    assert patched["how"] == "patched" and patched["menu"] == same["menu"]
    assert "Checking… again" in patched["labels"] and "Checking…" not in patched["labels"]
    assert paused["how"] == "patched" and paused["menu"] == same["menu"]
    assert paused["labels"][0].startswith("Paused until ")
    assert rebuilt["how"] == "rebuilt" and rebuilt["menu"] != same["menu"]
    # the new menu's empty slots hidden at once: "Paused..." and "Offline..." not shown
    shown = [t.replace("<b>", "").replace("</b>", "") for t in rebuilt["labels"] if t]
    assert shown[:3] == ["Details…", "Claude: major outage", "Fallbacks"]   # gtk: bold
