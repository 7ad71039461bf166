"""A desktop with no system tray (vanilla GNOME, many tiling window managers), for
real on Xvfb: trayapp says so in one line, no traceback, keeps polling and
notifying (the notification reaches dunst), and shows its icon once a tray
(tint2) starts later: found by its window and its pixels, as in test_tray_e2e."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession, missing_programs
from tests.desktop.test_tray_e2e import (
    FEED,
    MAJOR,
    OPERATIONAL,
    TIMEOUT,
    Tray,
    icon_area,
    shown_level,
    wait_notification,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.core.trayhost import NO_TRAY
from trayapp.domain.levels import Level

pytestmark = [pytest.mark.desktop, pytest.mark.slow]


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[DesktopSession]:
    missing = missing_programs()
    if missing:
        pytest.skip("desktop programs missing: " + ", ".join(missing))
    with DesktopSession(tmp_path / "desktop", tray="") as desk:
        yield desk


@pytest.mark.parametrize("backend", ["xorg", "gtk"])
def test_no_tray_then_a_tray(bare: DesktopSession, tmp_path: Path, backend: str) -> None:
    if backend == "gtk":
        pytest.importorskip("gi")
    srv = LoopbackServer()
    srv.set("/generate_204", b"", status=204)
    srv.set("/backup/v1/models", b'{"error": "missing api key"}', status=401)
    srv.set(FEED, OPERATIONAL)
    tray = Tray(bare, tmp_path, backend, srv, "Backup")
    out = tmp_path / "trayapp.out"
    try:
        assert not bare.tray_owned()
        assert wait_until(lambda: NO_TRAY in out.read_text(errors="replace"), TIMEOUT), \
            out.read_text(errors="replace")
        srv.set(FEED, MAJOR)                     # still polling: the change is notified
        wait_notification(bare, "Claude: major outage", "Try: Backup")
        assert tray.proc.poll() is None
        bare.start_tray("tint2")
        area = icon_area(bare)
        assert wait_until(lambda: shown_level(bare, icon_area(bare)) is Level.MAJOR_OUTAGE,
                          TIMEOUT), f"icon at {area} never showed the outage"
    finally:
        tray.stop()
        srv.close()
    text = out.read_text(errors="replace")
    assert "Traceback" not in text and "Failed to dock" not in text, text
    assert text.count(NO_TRAY) == 1, text
