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
