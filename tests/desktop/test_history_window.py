"""The details window draws the history strips (Tk on the virtual desktop, read back
from a screenshot)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.desktop.session import DesktopSession
from tests.desktop.test_tray_e2e import box, find, grab, save
from tests.history_kit import populate_week
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.icon import LEVEL_COLOURS


def test_details_window_shows_the_strips(desktop: DesktopSession, tmp_path: Path) -> None:
    state = desktop.home / ".local/state"
    db = state / "trayapp" / "history.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    result = populate_week(db, time.time())
    payload = tmp_path / "payload.json"
    snap = snapshot_json(result.snapshot)
    payload.write_text(json.dumps({"snapshot": snap, "actions": []}))
    proc = subprocess.Popen([sys.executable, "-m", "trayapp.windows.details", str(payload)],
                            env=desktop.env(), stdout=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        shown = json.loads(proc.stdout.readline())
        assert "History" in shown["text"] and "the probe saw it" in shown["text"]
        assert shown["clipped"] == [], "lines cut at the right edge"
        assert ("Claude's status page admitted the one problem this machine saw, 15 min "
                "later (a grade needs 5)") in shown["text"]
        window = find(desktop, "^trayapp: Claude operational$")
        assert window, "no details window"
        img = grab(desktop, box(desktop, window))
        save(img, "details-history-xorg.png")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    red = LEVEL_COLOURS[Level.MAJOR_OUTAGE]
    # Now all is operational: the only red on screen is the outage in the strips
    # (4 h of a 300 px 24 h strip, 14 px high, plus its slice of the 7 d strip).
    reds = dict((c, n) for n, c in img.getcolors(maxcolors=1 << 24) or []).get(red, 0)
    assert reds > 500, reds
