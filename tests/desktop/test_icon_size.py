"""The tray icon as the tray really shows it: drawn at the slot's size, 1x and 2x, on
light and dark panels, on the xorg, gtk and StatusNotifier (appindicator) backends.

Each test reads the icon back from a screenshot of a real virtual desktop and
compares it with ``render_icon(level, marks, N)`` composited on the panel's
colour, N being the slot's size in device pixels. A rescaled 64 px image (what
pystray hands GTK and the StatusNotifier host) differs from that by far more
than the tolerance (the small-size design has bolder strokes and one mark),
and each test checks that too, so it can tell the two apart.

* tint2 with ``systray_icon_size`` 24 (1x) and 48 with ``GDK_SCALE=2`` (2x),
  panel #f0f0f0 (light) and #404040 (dark): xorg and gtk; the icon's corners
  show the panel colour (no square behind the icon);
* trayer (light 1x, dark 2x): xorg and gtk in its 22 / 46 px slots;
* gtk-sni-tray-standalone's bar at 22 and 32 px: the host loads the file of
  its size from trayapp's private icon theme (at 2x it looks up the logical
  size at scale 1 and doubles it: there only the level and size are checked).

Set TRAYAPP_SCREENSHOTS=DIR to keep the pictures (docs/make_screenshots.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.session import (
    DesktopSession,
    missing_programs,
    need_appindicator,
    same_colour,
)
from tests.desktop.test_tray_e2e import (
    FEED,
    MAJOR,
    SHOTS,
    TIMEOUT,
    Tray,
    feed,
    grab,
    icon_area,
    save,
    wait_colour,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.domain.levels import Level
from trayapp.icon import read_level, render_icon

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
__all__ = ["feed"]              # the fixture, imported for this module's tests
TOLERANCE = 8                   # per channel: alpha-blending rounding (seen: at most 4)
LIGHT, DARK = "#f0f0f0", "#404040"
PANELS = [("light", LIGHT, 1), ("dark", DARK, 1), ("light", LIGHT, 2), ("dark", DARK, 2)]

RGB = tuple[int, int, int]


def rgb(colour: str) -> RGB:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def on_panel(icon: Any, colour: RGB) -> Any:
    from PIL import Image
    flat = Image.new("RGBA", icon.size, (*colour, 255))
    flat.alpha_composite(icon.convert("RGBA"))
    return flat.convert("RGB")


def drawn(level: Level, px: int, colour: RGB) -> Any:
    """What the tray should show: the icon drawn at ``px``, on the panel."""
    return on_panel(render_icon(level, frozenset(), px), colour)


def rescaled(level: Level, px: int, scale: int, colour: RGB) -> Any:
    """What the tray showed from pystray's 64 px image: scaled down to the slot's
    logical size, then up by ``scale`` (GTK draws a 1x image at 2x)."""
    from PIL import Image
    small = render_icon(level, frozenset(), 64).resize((px // scale, px // scale),
                                                       Image.Resampling.LANCZOS)
    return on_panel(small.resize((px, px), Image.Resampling.BILINEAR), colour)


def mismatch(shot: Any, ref: Any) -> int:
    """The largest per-channel difference between ``ref`` and the best-placed
    ``ref``-sized crop of ``shot`` (every placement is tried)."""
    from PIL import ImageChops
    best = 255
    for y in range(shot.height - ref.height + 1):
        for x in range(shot.width - ref.width + 1):
            crop = shot.crop((x, y, x + ref.width, y + ref.height))
            bands = ImageChops.difference(crop, ref).getextrema()
            best = min(best, max(hi for _, hi in bands))
    return best


def shows(shot: Any, level: Level, px: int, colour: RGB, scale: int = 1) -> bool:
    """True when ``shot`` holds the icon drawn at ``px``, and not a rescaled one."""
    assert mismatch(rescaled(level, px, scale, colour), drawn(level, px, colour)) \
        > 2 * TOLERANCE, "this check could not tell a rescaled icon from a drawn one"
    return mismatch(shot, drawn(level, px, colour)) <= TOLERANCE


def glyph(shot: Any, colour: RGB) -> tuple[Level | None, int]:
    """The level an icon in ``shot`` shows and its height: the rows that differ
    from the bar's colour."""
    from PIL import Image, ImageChops
    mask = ImageChops.difference(shot, Image.new("RGB", shot.size, colour)).convert("L")
    box = mask.point(lambda v: 255 if v > 6 else 0).getbbox()
    return read_level(shot), (box[3] - box[1]) if box else 0


def doubled(shot: Any, level: Level, px: int, colour: RGB) -> bool:
    """``shot`` shows ``level`` in an icon about ``px`` high (its light halo on a
    light bar may fade into the bar by a pixel a side)."""
    shown, height = glyph(shot, colour)
    return shown is level and px - 3 <= height <= px


@pytest.fixture(scope="module", params=PANELS, ids=[f"{n}-{s}x" for n, _, s in PANELS])
def panel(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    missing = missing_programs()
    if missing:
        pytest.skip("desktop programs missing: " + ", ".join(missing))
    name, colour, scale = request.param
    with DesktopSession(Path(tmp_path_factory.mktemp(f"panel-{name}-{scale}x")), panel=colour,
                        icon_size=24 * scale, scale=scale) as desk:
        yield desk


def shot_name(backend: str, desk: DesktopSession) -> str:
    return f"tray-{backend}-{'light' if desk.panel == LIGHT else 'dark'}-{desk.scale}x.png"


def save_panel(desk: DesktopSession, area: tuple[int, int, int, int], name: str) -> None:
    """The left of the panel around the icon; 1x pictures enlarged 2x (pixels kept)."""
    from PIL import Image
    if not SHOTS:
        return
    height = grab(desk).height
    top = max(0, area[1] - 8)           # the panel is the icon size + 16
    strip = grab(desk, (0, top, 100 * desk.scale, height))
    if desk.scale == 1:
        strip = strip.resize((strip.width * 2, strip.height * 2), Image.Resampling.NEAREST)
    save(strip, name)


@pytest.mark.parametrize("backend", ["xorg", "gtk", "appindicator"])
def test_icon_is_drawn_at_the_slot_size_on_the_panel(panel: DesktopSession, tmp_path: Path,
                                                     feed: LoopbackServer, backend: str) -> None:
    """``appindicator`` here has no StatusNotifier host: libappindicator falls back to
    an XEmbed icon in tint2 (a common Debian set-up), looked up in our icon theme."""
    if backend == "gtk":
        pytest.importorskip("gi", reason="PyGObject is not installed")
    if backend == "appindicator":
        need_appindicator()
    check_slot(panel, tmp_path, feed, backend)


def check_slot(desk: DesktopSession, tmp_path: Path, feed: LoopbackServer,
               backend: str) -> None:
    """The real trayapp in ``desk``'s tray shows, at operational and at major
    outage, the icon drawn at its slot's size, with panel-coloured corners."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tray = Tray(desk, tmp_path, backend, feed, f"Backup {backend}", TMPDIR=str(tmp))
    try:
        for level in (Level.OPERATIONAL, Level.MAJOR_OUTAGE):
            if level is Level.MAJOR_OUTAGE:
                feed.set(FEED, MAJOR)
            area = wait_colour(desk, level)
            x0, y0, x1, y1 = area
            px = min(x1 - x0, y1 - y0)      # device pixels: trays are not scaled by GDK_SCALE
            shot = grab(desk)
            colour = shot.getpixel((x1 + 4, (y0 + y1) // 2))    # the panel beside the icon
            assert same_colour(colour, rgb(desk.panel)), f"{colour} is not the panel's colour"
            if desk.tray == "tint2":
                assert px == desk.icon_size, f"slot {area} is not {desk.icon_size} px"
            if backend == "appindicator" and desk.scale > 1:
                # libappindicator's own fallback GtkStatusIcon has GTK3's 2x redraw bug
                # (a soft halo piles up a little; backend_gtk works around it for gtk):
                # the right level at the right size, not pixel for pixel.
                assert wait_until(lambda lv=level, n=px, c=colour: doubled(
                    grab(desk, icon_area(desk)), lv, n, c), TIMEOUT), \
                    f"{backend}: no {level} icon of {px} px"
            else:
                assert wait_until(lambda lv=level, n=px, c=colour: shows(
                    grab(desk, icon_area(desk)), lv, n, c, desk.scale), TIMEOUT), \
                    f"{backend}: the {level} icon is not the {px} px design " \
                    f"(off by {mismatch(grab(desk, area), drawn(level, px, colour))})"
            shot = grab(desk)
            corners = {shot.getpixel(p) for p in ((x0, y0), (x1 - 1, y0), (x0, y1 - 1),
                                                  (x1 - 1, y1 - 1))}
            assert all(same_colour(c, colour) for c in corners), \
                f"a square behind the icon: {corners} on {colour}"
            if level is Level.MAJOR_OUTAGE and desk.tray == "tint2":
                save_panel(desk, area, shot_name(backend, desk))
        assert "backend " + backend in tray.log_text()
    finally:
        code = tray.stop()
    assert code == 0, tray.log_text()[-2000:]
    assert list(tmp.iterdir()) == [], "icon files were written to TMPDIR"


TRAYER = [("light", LIGHT, 1), ("dark", DARK, 2)]


@pytest.mark.parametrize("backend", ["xorg", "gtk"])
@pytest.mark.parametrize(("name", "colour", "scale"), TRAYER,
                         ids=[f"{n}-{s}x" for n, _, s in TRAYER])
def test_icon_is_drawn_at_the_slot_size_in_trayer(tmp_path: Path, feed: LoopbackServer,
                                                  name: str, colour: str, scale: int,
                                                  backend: str) -> None:
    """trayer (a GTK 2 tray) gives 22 px slots in a 24 px panel, 46 px at 2x."""
    for program in ("trayer", *missing_programs()):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is missing")
    if backend == "gtk":
        pytest.importorskip("gi", reason="PyGObject is not installed")
    with DesktopSession(tmp_path / "desk", panel=colour, icon_size=24 * scale, scale=scale,
                        tray="trayer") as desk:
        check_slot(desk, tmp_path, feed, backend)


SNI = [("light", LIGHT, 22, 1), ("dark", DARK, 32, 1), ("light", LIGHT, 24, 2),
       ("dark", DARK, 24, 2)]


@pytest.mark.parametrize(("name", "colour", "bar", "scale"), SNI,
                         ids=[f"{n}-{b}px-{s}x" for n, _, b, s in SNI])
def test_status_notifier_host_shows_the_file_drawn_at_its_size(
        tmp_path: Path, feed: LoopbackServer, name: str, colour: str, bar: int,
        scale: int) -> None:
    """At 2x, gtk-sni-tray-standalone looks the name up at its logical size and
    scale 1 (measured: what it shows is the 24 px file, doubled), so there only
    the level and the doubled size are checked."""
    from tests.desktop.test_appindicator import host
    need_appindicator("status-notifier-watcher", "gtk-sni-tray-standalone",
                      *missing_programs())
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with DesktopSession(tmp_path / "desk", scale=scale) as desk:
        procs = host(desk, size=bar, colour=colour)
        tray = Tray(desk, tmp_path, "appindicator", feed, "Backup sni", TMPDIR=str(tmp))
        height = grab(desk).height
        strip = (0, height - bar * scale, 120 * scale, height)
        theme = desk.root / "run" / "trayapp" / "icons" / "hicolor"
        try:
            for level in (Level.OPERATIONAL, Level.MAJOR_OUTAGE):
                if level is Level.MAJOR_OUTAGE:
                    feed.set(FEED, MAJOR)
                    first = (theme / f"{bar}x{bar}/apps/trayapp-operational.png").read_bytes()
                if scale > 1:
                    assert wait_until(lambda lv=level: doubled(grab(desk, strip), lv,
                                                               bar * scale, rgb(colour)),
                                      TIMEOUT), \
                        f"no {bar * scale} px {level} icon: {glyph(grab(desk, strip), rgb(colour))}"
                    continue
                assert wait_until(lambda lv=level: shows(grab(desk, strip), lv, bar, rgb(colour)),
                                  TIMEOUT), \
                    f"the host does not show the {bar} px {level} design (off by " \
                    f"{mismatch(grab(desk, strip), drawn(level, bar, rgb(colour)))})"
            # one name per state; a name's file never changes (hosts cache by name)
            assert (theme / f"{bar}x{bar}/apps/trayapp-major_outage.png").exists()
            assert (theme / f"{bar}x{bar}/apps/trayapp-operational.png").read_bytes() == first
            if SHOTS:
                from PIL import Image
                picture = grab(desk, (0, height - bar * scale, 100 * scale, height))
                if scale == 1:
                    picture = picture.resize((picture.width * 2, picture.height * 2),
                                             Image.Resampling.NEAREST)
                save(picture, f"tray-sni-{name}-{scale}x.png")
        finally:
            code = tray.stop()
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(10)
    assert code == 0, tray.log_text()[-2000:]
    assert list(tmp.iterdir()) == [], "icon files were written to TMPDIR"
