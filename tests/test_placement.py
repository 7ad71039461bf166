"""The details window's place (trayapp.windows.placement): pure arithmetic on rectangles."""

from __future__ import annotations

from trayapp.windows.placement import Rect, as_geometry, clamp, first_place, parse_geometry

AREA = Rect(0, 0, 1024, 728)             # a 1024x768 screen with a 40 px panel at the bottom


def test_geometry_round_trips_and_bad_text_is_none() -> None:
    assert parse_geometry("608x578+315+-20") == Rect(315, -20, 608, 578)
    assert as_geometry(Rect(315, 185, 608, 578)) == "608x578+315+185"
    assert parse_geometry(as_geometry(Rect(1, 2, 3, 4))) == Rect(1, 2, 3, 4)
    for bad in ("", "608x578", "608x578-10+5", "axb+1+2"):
        assert parse_geometry(bad) is None


def test_a_frame_inside_stays_and_one_outside_comes_in() -> None:
    inside = Rect(315, 185, 608, 500)
    assert clamp(inside, AREA, (100, 100)) == inside
    assert clamp(Rect(315, 700, 608, 500), AREA, (100, 100)) == Rect(315, 228, 608, 500)
    assert clamp(Rect(-50, -9, 608, 500), AREA, (100, 100)) == Rect(0, 0, 608, 500)
    assert clamp(Rect(0, 0, 3000, 3000), AREA, (100, 100)) == Rect(0, 0, 1024, 728)


def test_first_place_is_by_the_icon_or_the_panels_corner() -> None:
    icon = Rect(980, 740, 24, 24)        # a tray icon in the bottom panel
    r = first_place((400, 300), AREA, (1024, 768), icon)
    assert (r.x + r.width, r.y + r.height) == (1004, 728)   # above it, right edges aligned
    top_icon = Rect(980, 4, 24, 24)
    top_area = Rect(0, 32, 1024, 736)
    r = first_place((400, 300), top_area, (1024, 768), top_icon)
    assert (r.x + r.width, r.y) == (1004, 36)
    r = first_place((400, 300), AREA, (1024, 768), None)     # no icon: the panel's corner
    assert (r.x + r.width, r.y + r.height) == (1016, 720)
    r = first_place((400, 300), top_area, (1024, 768), None)
    assert r.y == 40
