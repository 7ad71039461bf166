"""The About window names the licence and shows its text, as installed (issue 30)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.details_kit import ROOT, missing, xvfb

pytestmark = pytest.mark.desktop


def test_the_licence_button_shows_the_license_file(tmp_path: Path) -> None:
    gone = missing()
    if gone:
        pytest.skip("desktop programs missing: " + ", ".join(gone)
                    + " (Debian: apt-get install xvfb x11-utils xdotool)")
    pytest.importorskip("tkinter")
    with xvfb(96) as name:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env.update(DISPLAY=name, NO_AT_BRIDGE="1", XDG_STATE_HOME=str(tmp_path / "state"))
        # from outside the checkout, so the installed metadata is what is read
        proc = subprocess.Popen([sys.executable, "-m", "trayapp.windows.about", "--config",
                                 str(tmp_path / "config.toml")], env=env, cwd=tmp_path,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            shown = json.loads(proc.stdout.readline())
            show = shown["buttons"][2]          # Open config, Open log, the licence's Show
            subprocess.run(["xdotool", "mousemove", str(show["x"] + 5), str(show["y"] + 5),
                            "click", "1"], env=env, check=False)
            licence = json.loads(proc.stdout.readline())
        finally:
            proc.terminate()
            proc.wait(10)
    assert licence["licence_shown"] == "trayapp licence (MIT)"
    assert licence["text"].strip() == (ROOT / "LICENSE").read_text().strip()
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def test_about_is_a_fixed_dialog_whose_fields_are_filled(tmp_path: Path) -> None:
    """Issue 26: "Config file" was empty (a Tk variable collected in a loop), the window
    resizable with maximise buttons, no icon, licence or project link. Started, like the
    tray starts it, from a directory that holds a folder named trayapp."""
    gone = missing()
    if gone:
        pytest.skip("desktop programs missing: " + ", ".join(gone)
                    + " (Debian: apt-get install xvfb x11-utils xdotool)")
    pytest.importorskip("tkinter")
    from trayapp.edges.selfrun import module_argv
    (tmp_path / "trayapp").mkdir()
    config = tmp_path / "my config.toml"
    with xvfb(96) as name:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env.update(DISPLAY=name, NO_AT_BRIDGE="1", XDG_STATE_HOME=str(tmp_path / "state"))
        proc = subprocess.Popen(module_argv("trayapp.windows.about", "--config", str(config)),
                                env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            shown = json.loads(line)
            wid = subprocess.run(["xdotool", "search", "--name", "^About trayapp "],
                                 env=env, capture_output=True, text=True,
                                 check=False).stdout.split()
            assert wid, "no About window on the display"
            hints = subprocess.run(["xprop", "-id", wid[0], "WM_NORMAL_HINTS", "_NET_WM_ICON"],
                                   env=env, capture_output=True, text=True,
                                   check=False).stdout
        finally:
            proc.terminate()
            proc.wait(10)
    fields = shown["fields"]
    assert fields["Config file"] == str(config)
    assert fields["Log file"] == str(tmp_path / "state" / "trayapp" / "log" / "trayapp.log")
    assert fields["Licence"] == "MIT"
    assert fields["Project"] == "https://github.com/trayapp/trayapp"
    assert shown["resizable"] == [0, 0]
    assert shown["icon"][0] >= 48 and shown["icon"][0] == shown["icon"][1]
    # fixed size as the window manager sees it: the minimum size is the maximum
    lines = dict(part.strip().split(":", 1) for part in hints.splitlines()
                 if part.strip().startswith(("program specified minimum size",
                                             "program specified maximum size")))
    assert lines["program specified minimum size"] == \
        lines["program specified maximum size"], hints
    assert "_NET_WM_ICON(CARDINAL)" in hints, hints
