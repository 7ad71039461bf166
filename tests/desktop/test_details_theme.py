"""The details window follows the desktop's dark preference (a fake gdbus on PATH
answers the portal's color-scheme as GLib prints it) and its scrollbar grows
with the fonts: at 96 and 192 dpi on Xvfb, read back from a screenshot."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.desktop.details_kit import TIMEOUT, Window, missing, now_utc, outage_snapshot, xvfb

pytestmark = pytest.mark.desktop


@pytest.mark.skipif(bool(missing()), reason="needs Xvfb and xdotool")
@pytest.mark.parametrize("dpi", [96, 192])
@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_window_takes_the_desktops_scheme(dpi: int, scheme: str, tmp_path: Path) -> None:
    from PIL import ImageGrab
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gdbus = bin_dir / "gdbus"
    gdbus.write_text(f"#!/bin/sh\necho '(<<uint32 {1 if scheme == 'dark' else 2}>>,)'\n")
    gdbus.chmod(gdbus.stat().st_mode | stat.S_IXUSR)
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    with xvfb(dpi, "1600x1200x24") as display:
        win = Window(display, tmp_path, outage_snapshot(now_utc()), extra_env={"PATH": path})
        try:
            shown = win.next("shown")
            assert shown["theme"] == scheme
            assert shown["scrollbar"] >= round(14 * dpi / 96) - 1, shown["scrollbar"]
            x, y, w, h = shown["window"]
            ids: list[str] = []
            for _ in range(int(TIMEOUT * 10)):
                ids = win.xdotool("search", "--onlyvisible", "--name", "^trayapp: ").split()
                if ids:
                    break
                win.xdotool("sleep", "0.1")
            assert ids, "no details window"
            shot = ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=display).convert("L")
            hist = shot.histogram()
            dark = sum(hist[:80]) / (w * h)
            assert (dark > 0.6) if scheme == "dark" else (dark < 0.2), dark
            if os.environ.get("TRAYAPP_SCREENSHOTS") and scheme == "dark":
                out = Path(os.environ["TRAYAPP_SCREENSHOTS"])
                ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=display).save(
                    out / f"details-{scheme}-{dpi}dpi.png")
        finally:
            win.stop()
    assert "Traceback" not in (tmp_path / "details.err").read_text(errors="replace")
