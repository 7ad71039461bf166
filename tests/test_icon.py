"""The tray icon: exact level colour in the centre, marks visible, any size."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from trayapp.icon import LEVEL_COLOURS, MARKS, SOLID_RADIUS, render_icon
from trayapp.levels import Level

SIZES = (16, 24, 32, 64, 256)
ALL_MARK_SETS = [
    frozenset(combo)
    for n in range(len(MARKS) + 1)
    for combo in itertools.combinations(sorted(MARKS), n)
]
REPO = Path(__file__).resolve().parent.parent


def test_every_level_has_a_distinct_colour() -> None:
    assert set(LEVEL_COLOURS) == set(Level)
    assert len(set(LEVEL_COLOURS.values())) == len(Level)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("level", list(Level))
def test_solid_centre_is_exactly_the_level_colour(level: Level, size: int) -> None:
    expected = (*LEVEL_COLOURS[level], 255)
    for marks in ALL_MARK_SETS:
        image = render_icon(level, marks, size)
        assert image.mode == "RGBA"
        assert image.size == (size, size)
        # Every pixel whose square lies wholly inside the solid disc.
        limit = SOLID_RADIUS * size - math.sqrt(2)
        c = size / 2
        inside = [
            (x, y)
            for x in range(size)
            for y in range(size)
            if math.hypot(x + 0.5 - c, y + 0.5 - c) <= limit
        ]
        assert inside, "the solid centre must cover at least one pixel"
        for xy in inside:
            assert image.getpixel(xy) == expected, (level, marks, size, xy)


@pytest.mark.parametrize("source", [24, 32, 64, 128, 256])
@pytest.mark.parametrize("level", list(Level))
def test_centre_survives_a_trays_downscale_to_24(level: Level, source: int) -> None:
    # pystray's xorg and darwin backends resize with Lanczos, then drop alpha.
    for marks in (frozenset(), frozenset(MARKS)):
        shown = render_icon(level, marks, source).resize((24, 24), Image.Resampling.LANCZOS)
        for xy in ((11, 11), (12, 12), (11, 12), (12, 11)):
            assert shown.convert("RGB").getpixel(xy) == LEVEL_COLOURS[level]


@pytest.mark.parametrize("size", SIZES)
def test_each_mark_changes_the_image_differently(size: int) -> None:
    images = {m: render_icon(Level.OPERATIONAL, m, size).tobytes() for m in ALL_MARK_SETS}
    assert len(set(images.values())) == len(ALL_MARK_SETS)


def test_marks_do_not_rely_on_colour() -> None:
    # The marks are the same grey badge on every level; a mark's pixels differ
    # from the bare icon in the same place whatever the level colour.
    for level in Level:
        bare = render_icon(level, frozenset(), 64)
        for mark in MARKS:
            diff = ImageChops.difference(bare, render_icon(level, frozenset({mark}), 64))
            box = diff.getbbox()
            assert box is not None
            assert (box[2] - box[0]) * (box[3] - box[1]) >= 12 * 12


def test_corners_are_transparent_so_the_panel_shows_through() -> None:
    image = render_icon(Level.MAJOR_OUTAGE, frozenset(), 64)
    corner = image.getpixel((0, 0))
    assert isinstance(corner, tuple)
    assert corner[3] == 0


@pytest.mark.parametrize("panel", [(0, 0, 0), (255, 255, 255), (60, 90, 120)])
def test_background_fills_the_corners_for_alpha_blind_trays(panel: tuple[int, int, int]) -> None:
    image = render_icon(Level.MAINTENANCE, frozenset({"paused"}), 24, background=panel)
    assert image.getpixel((0, 0)) == (*panel, 255)
    assert image.getpixel((12, 12)) == (*LEVEL_COLOURS[Level.MAINTENANCE], 255)
    assert image.getchannel("A").getextrema() == (255, 255)


def test_rejects_unknown_marks_and_tiny_sizes() -> None:
    with pytest.raises(ValueError, match="sparkles"):
        render_icon(Level.OPERATIONAL, frozenset({"sparkles"}))
    with pytest.raises(ValueError, match="at least"):
        render_icon(Level.OPERATIONAL, size=4)


def test_returned_image_is_a_private_copy() -> None:
    first = render_icon(Level.DEGRADED, frozenset(), 32)
    first.putpixel((16, 16), (0, 0, 0, 255))
    again = render_icon(Level.DEGRADED, frozenset(), 32)
    assert again.getpixel((16, 16)) == (*LEVEL_COLOURS[Level.DEGRADED], 255)


def test_committed_art_matches_the_definition(tmp_path: Path) -> None:
    committed = REPO / "assets" / "glyph.png"
    subprocess.run(
        [sys.executable, str(REPO / "assets" / "make_art.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    fresh = Image.open(tmp_path / "glyph.png").convert("RGBA")
    old = Image.open(committed).convert("RGBA")
    assert fresh.size == old.size
    # Pillow's rasteriser may shift an edge pixel between versions; the
    # drawing itself must not have changed (regenerate with make_art.py).
    stat = ImageChops.difference(fresh, old).convert("L").histogram()
    changed = sum(stat[16:])
    assert changed <= fresh.width, f"{changed} pixels differ: run assets/make_art.py"


def test_terminal_modules_do_not_import_pillow() -> None:
    code = (
        "import sys, trayapp, trayapp.levels, trayapp.instance, trayapp.autostart;"
        "assert 'PIL' not in sys.modules, sorted(m for m in sys.modules if 'PIL' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
