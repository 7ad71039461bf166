"""The tray icon: levels told apart without colour, exact level colour, marks visible."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from trayapp.domain.levels import Level
from trayapp.icon import LEVEL_COLOURS, MARKS, read_level, render_icon

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


# Machado, Oliveira & Fernandes (2009), severity 1.0: how the image looks to a
# protanope and a deuteranope (Pillow's RGB -> RGB matrix conversion).
SIMULATIONS: dict[str, tuple[float, ...] | None] = {
    "grayscale": None,
    "protanopia": (0.152286, 1.052583, -0.204868, 0, 0.114503, 0.786281, 0.099216, 0,
                   -0.003882, -0.048116, 1.051998, 0),
    "deuteranopia": (0.367322, 0.860646, -0.227968, 0, 0.280085, 0.672501, 0.047413, 0,
                     -0.011820, 0.042940, 0.968881, 0),
}


def seen_as(level: Level, size: int, how: str) -> Image.Image:
    """The icon on a mid-grey panel, as a person with that vision sees it, in luminance."""
    flat = Image.new("RGBA", (size, size), (128, 128, 128, 255))
    flat.alpha_composite(render_icon(level, frozenset(), size))
    rgb = flat.convert("RGB")
    matrix = SIMULATIONS[how]
    if matrix is not None:
        rgb = rgb.convert("RGB", matrix)
    return rgb.convert("L")


@pytest.mark.parametrize("how", list(SIMULATIONS))
@pytest.mark.parametrize("size", (16, 22, 24, 32, 64))
def test_levels_differ_without_colour(size: int, how: str) -> None:
    # Every pair of levels must differ clearly in lightness alone: at least 3% of
    # the pixels differ by a quarter of the range (a colour-only lamp scores 0%).
    for a, b in itertools.combinations(Level, 2):
        diff = ImageChops.difference(seen_as(a, size, how), seen_as(b, size, how)).histogram()
        share = sum(diff[64:]) / (size * size)
        assert share >= 0.03, f"{a} and {b} look alike at {size} px ({how}): {share:.3f}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("level", list(Level))
def test_the_level_colour_is_exact_and_reads_back(level: Level, size: int) -> None:
    # The disc is not anti-aliased inside: the exact level colour is the icon's
    # most common colour, whatever the marks, so a screenshot says the level.
    for marks in ALL_MARK_SETS:
        image = render_icon(level, marks, size)
        assert image.mode == "RGBA" and image.size == (size, size)
        assert read_level(image) is level, (level, marks, size)
        exact = image.getcolors(1 << 20) or []
        share = sum(n for n, c in exact if c == (*LEVEL_COLOURS[level], 255)) / size ** 2
        assert share >= 0.15, (level, marks, size, share)


@pytest.mark.parametrize("source", [24, 32, 64, 128, 256])
@pytest.mark.parametrize("level", list(Level))
def test_level_survives_a_trays_downscale_to_24(level: Level, source: int) -> None:
    # pystray's xorg and darwin backends resize with Lanczos, then drop alpha.
    for marks in (frozenset(), frozenset(MARKS)):
        shown = render_icon(level, marks, source).resize((24, 24), Image.Resampling.LANCZOS)
        assert read_level(shown.convert("RGB")) is level


@pytest.mark.parametrize("size", (16, 22, 24))
def test_small_icons_draw_one_mark_by_priority(size: int) -> None:
    def pixels(marks: frozenset[str]) -> bytes:
        return render_icon(Level.OPERATIONAL, marks, size).tobytes()
    assert pixels(frozenset(MARKS)) == pixels(frozenset({"offline"}))
    assert pixels(frozenset({"paused", "disagree"})) == pixels(frozenset({"disagree"}))
    singles = {pixels(frozenset({m})) for m in MARKS}
    assert len(singles) == 3 and pixels(frozenset()) not in singles


@pytest.mark.parametrize("size", (32, 64, 256))
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
    assert read_level(image) is Level.MAINTENANCE
    assert image.getchannel("A").getextrema() == (255, 255)


def test_rejects_unknown_marks_and_tiny_sizes() -> None:
    with pytest.raises(ValueError, match="sparkles"):
        render_icon(Level.OPERATIONAL, frozenset({"sparkles"}))
    with pytest.raises(ValueError, match="at least"):
        render_icon(Level.OPERATIONAL, size=4)


def test_returned_image_is_a_private_copy() -> None:
    first = render_icon(Level.DEGRADED, frozenset(), 32)
    before = first.tobytes()
    first.paste((0, 0, 0, 255), (0, 0, 32, 32))
    assert render_icon(Level.DEGRADED, frozenset(), 32).tobytes() == before


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
        "import sys, trayapp, trayapp.domain.levels, trayapp.edges.instance, "
        "trayapp.edges.autostart;"
        "assert 'PIL' not in sys.modules, sorted(m for m in sys.modules if 'PIL' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _on_grey(level: Level, marks: frozenset[str], size: int) -> Image.Image:
    flat = Image.new("RGBA", (size, size), (128, 128, 128, 255))
    flat.alpha_composite(render_icon(level, marks, size))
    return flat.convert("L")


def _glyph(level: Level, size: int) -> list[tuple[int, int]]:
    """The level symbol's own pixels: inside the disc, far from its colour in luminance."""
    bare = _on_grey(level, frozenset(), size)
    disc = Image.new("RGB", (1, 1), LEVEL_COLOURS[level]).convert("L").getpixel((0, 0))
    assert isinstance(disc, int)
    c, r = size / 2, 0.36 * size          # inside the disc, clear of its rim
    return [(x, y) for y in range(size) for x in range(size)
            if (x + 0.5 - c) ** 2 + (y + 0.5 - c) ** 2 < r * r
            and abs(int(bare.getpixel((x, y))) - disc) > 48]   # type: ignore[arg-type]


@pytest.mark.parametrize("size", (16, 22, 24))
@pytest.mark.parametrize("mark", ["paused", "disagree"])
@pytest.mark.parametrize("level", list(Level))
def test_small_marks_leave_the_symbol_whole(level: Level, mark: str, size: int) -> None:
    # Issue 26: at 16 px the paused badge hid the check's left arm (operational +
    # paused read as "/"). In grayscale, every pixel of the level's symbol is as
    # it was without the mark, and the mark itself is drawn: dark with white ink.
    glyph = _glyph(level, size)
    assert len(glyph) >= 8, (level, size)
    bare, marked = _on_grey(level, frozenset(), size), _on_grey(level, frozenset({mark}), size)
    changed = [p for p in glyph if abs(int(bare.getpixel(p)) - int(marked.getpixel(p))) > 16]  # type: ignore[arg-type]
    assert changed == [], f"{mark} covers {len(changed)} of {len(glyph)} symbol pixels"
    diff = ImageChops.difference(bare, marked)
    box = diff.getbbox()
    assert box is not None
    region = marked.crop(box)
    values = list(region.tobytes())
    assert sum(v > 200 for v in values) >= 2 and sum(v < 90 for v in values) >= 4, \
        (mark, size, box)


@pytest.mark.parametrize("size", (16, 22, 24))
def test_small_marks_are_told_apart_in_grayscale(size: int) -> None:
    # paused and disagree sit in different corners and have different shapes
    for level in Level:
        bare = _on_grey(level, frozenset(), size)
        boxes = {m: ImageChops.difference(bare, _on_grey(level, frozenset({m}), size)).getbbox()
                 for m in ("paused", "disagree")}
        p, d = boxes["paused"], boxes["disagree"]
        assert p is not None and d is not None
        assert p[0] == 0 and p[3] == size, p          # bottom left
        assert d[2] == size and d[1] == 0, d          # top right
