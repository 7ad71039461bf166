"""The icon files the gtk and appindicator backends hand to the tray (no display needed).

Real files in a real directory: one name per state, every theme size drawn by
trayapp's own renderer at that size (the 22 px file is the small-size design,
not a rescaled 64 px one), a state's file drawn once per run, old states
pruned so the directory stays bounded, an earlier run's files swept.
"""

from __future__ import annotations

import stat
from pathlib import Path

from PIL import Image, ImageChops

from trayapp.domain.levels import Level
from trayapp.icon import render_icon
from trayapp.tray.backend_gtk import KEEP_STATES, THEME_SIZES, IconFiles, State, state_name

OK: State = (Level.OPERATIONAL, frozenset())
DOWN: State = (Level.MAJOR_OUTAGE, frozenset({"offline", "paused", "disagree"}))
calls: list[tuple[State, int]] = []


def paint(state: State, px: int) -> Image.Image:
    calls.append((state, px))
    return render_icon(state[0], state[1], px)


def same(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox() is None


def test_state_names_are_one_per_state_and_stable() -> None:
    assert state_name(OK) == "trayapp-operational"
    assert state_name(DOWN) == "trayapp-major_outage-disagree-offline-paused"
    assert state_name((Level.MAJOR_OUTAGE, frozenset({"paused", "offline", "disagree"}))) \
        == state_name(DOWN)


def test_theme_has_every_size_drawn_at_that_size(tmp_path: Path) -> None:
    files = IconFiles(tmp_path / "icons")
    name = files.theme(DOWN, paint)
    assert name == state_name(DOWN)
    base = tmp_path / "icons" / "hicolor"
    index = (base / "index.theme").read_text()
    for n in THEME_SIZES:
        assert f"[{n}x{n}/apps]\nSize={n}\nType=Fixed" in index
        path = base / f"{n}x{n}" / "apps" / f"{name}.png"
        with Image.open(path) as image:
            assert image.size == (n, n)
            assert same(image, render_icon(DOWN[0], DOWN[1], n))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the small-size design (one larger mark) is really what the 22 px file holds
    with Image.open(base / "22x22" / "apps" / f"{name}.png") as small:
        scaled = render_icon(DOWN[0], DOWN[1], 64).resize((22, 22), Image.Resampling.LANCZOS)
        assert not same(small, scaled)


def test_a_state_is_drawn_once_and_its_file_never_changes(tmp_path: Path) -> None:
    files = IconFiles(tmp_path)
    calls.clear()
    first = files.file(OK, 48, paint)
    before = first.read_bytes(), first.stat().st_mtime_ns
    files.file(DOWN, 48, paint)
    again = files.file(OK, 48, paint)
    assert again == first and (again.read_bytes(), again.stat().st_mtime_ns) == before
    assert calls == [(OK, 48), (DOWN, 48)]


def test_old_states_are_pruned_and_the_directory_stays_bounded(tmp_path: Path) -> None:
    files = IconFiles(tmp_path)
    marks = [frozenset(), frozenset({"offline"}), frozenset({"paused"}),
             frozenset({"disagree"}), frozenset({"offline", "paused"})]
    states = [(level, m) for level in Level for m in marks]
    assert len(states) > 3 * KEEP_STATES
    for state in states:
        files.theme(state, paint)
        files.file(state, 44, paint)
        pngs = list(tmp_path.glob("**/*.png"))
        assert len(pngs) <= (KEEP_STATES + len(Level)) * (len(THEME_SIZES) + 1)
    kept = {p.stem for p in tmp_path.glob("hicolor/22x22/apps/*.png")}
    plain = {state_name((level, frozenset())) for level in Level}
    assert kept == {state_name(s) for s in states[-KEEP_STATES:]} | plain


def test_every_levels_name_is_in_the_theme_before_it_is_asked_for(tmp_path: Path) -> None:
    """A host's GTK icon theme rescans its directories only every few seconds: a name
    written after it listed them could stay missing; so every level is there at once."""
    IconFiles(tmp_path).theme(OK, paint)
    for level in Level:
        for n in THEME_SIZES:
            name = state_name((level, frozenset()))
            path = tmp_path / "hicolor" / f"{n}x{n}" / "apps" / f"{name}.png"
            with Image.open(path) as image:
                assert same(image, render_icon(level, frozenset(), n)), (level, n)


def test_an_earlier_runs_files_are_swept_at_the_first_write(tmp_path: Path) -> None:
    IconFiles(tmp_path).theme(DOWN, paint)
    stale = tmp_path / "hicolor" / "22x22" / "apps" / f"{state_name(OK)}.png"
    stale.write_bytes(b"an older design")
    files = IconFiles(tmp_path)                 # a new run
    files.theme(OK, paint)
    with Image.open(stale) as image:            # drawn again by this run, not reused
        assert same(image, render_icon(Level.OPERATIONAL, frozenset(), 22))
    for path in tmp_path.glob(f"**/{state_name(DOWN)}.png"):      # this run's drawing
        assert path.stat().st_mtime_ns >= stale.stat().st_mtime_ns


def test_over_a_backdrop_the_icon_is_opaque(tmp_path: Path) -> None:
    panel = Image.new("RGB", (48, 48), (64, 64, 64))
    files = IconFiles(tmp_path)
    path = files.file(OK, 48, paint, panel)
    with Image.open(path) as image:
        assert image.convert("RGBA").getextrema()[3] == (255, 255)
        assert image.convert("RGB").getpixel((0, 0)) == (64, 64, 64)
    assert "~" in path.name                     # another panel, another file ...
    lighter = files.file(OK, 48, paint, Image.new("RGB", (48, 48), (240,) * 3))
    assert lighter != path and lighter.exists()
    assert not path.exists()                    # ... and only the last one is kept
