"""Lines under a service (the history's, wrapped at a fixed width before) follow the
column's real width: in a narrow window at 96 and 192 dpi no label reaches past
the column's right edge (issue 26, item 5). Tk on Xvfb, in a child process (an X
server that goes away under a live Tk ends its process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.details_kit import ROOT, TIMEOUT, missing, now_utc, outage_snapshot, xvfb

pytestmark = pytest.mark.desktop
LONG = ("Claude's status page admitted the one problem this machine saw, 15 min later "
        "(a grade needs 5); the probe saw it first, and the page said nothing for a while")


def probe() -> None:
    """In the child: a narrow details window with a history line; print what is cut."""
    import tkinter as tk
    from tkinter import ttk

    from trayapp.windows.details import Live
    from trayapp.windows.details_layout import Actions, DetailsView

    root = tk.Tk()
    view = DetailsView(root, Actions(open_link=lambda _l: None, bar=[], quit=None,
                                     close=root.destroy, prefs=lambda: None))

    def extras(parent: Any, _sid: str) -> list[Any]:
        frame = ttk.Frame(parent)
        ttk.Label(frame, text=LONG, wraplength=round(560 * view.k)).grid(
            row=0, column=0, sticky="w")      # as details_history draws it
        return [frame]
    view.extras = extras
    live = Live({"snapshot": json.loads(sys.argv[1])})
    root.geometry(f"{round(480 * view.k)}x{round(500 * view.k)}")
    view.show(live.dashboard())
    root.update()
    view.show(live.dashboard())
    root.update()
    print(json.dumps({"clipped": view.clipped(), "k": view.k}))
    root.destroy()


@pytest.mark.skipif(bool(missing()), reason="needs Xvfb")
@pytest.mark.parametrize("dpi", [96, 192])
def test_history_lines_wrap_to_the_column(dpi: int, tmp_path: Path) -> None:
    with xvfb(dpi, "1024x768x24") as display:
        env = dict(os.environ, DISPLAY=display, XDG_STATE_HOME=str(tmp_path),
                   PYTHONPATH=str(ROOT), NO_AT_BRIDGE="1")
        out = subprocess.run(
            [sys.executable, "-c", "from tests.desktop.test_details_wrap import probe; probe()",
             json.dumps(outage_snapshot(now_utc()))],
            env=env, capture_output=True, text=True, timeout=TIMEOUT * 3, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["k"] >= dpi / 96 - 0.1, result
    assert result["clipped"] == [], result
