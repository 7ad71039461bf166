"""packaging/: generated icons, the menu entry, the macOS plist, a real build."""

from __future__ import annotations

import importlib.util
import inspect
import os
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

import trayapp
import trayapp.cli.main
from trayapp.domain.levels import Level
from trayapp.edges.autostart.macos import LABEL
from trayapp.icon import read_level

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"


def test_make_icons_writes_every_size_from_the_renderer(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "make_icons.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(tmp_path) in done.stdout
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        for path in (
            tmp_path / "png" / f"trayapp-{size}.png",
            tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "trayapp.png",
        ):
            with Image.open(path) as image:
                assert image.size == (size, size) and image.mode == "RGBA"
                assert read_level(image) is Level.OPERATIONAL

    with Image.open(tmp_path / "trayapp.ico") as ico:
        sizes = ico.info["sizes"]
        assert {(16, 16), (24, 24), (32, 32), (48, 48), (256, 256)} <= sizes
        for size in sizes:
            ico.size = size
            frame = ico.copy().convert("RGBA")
            assert read_level(frame) is Level.OPERATIONAL

    with Image.open(tmp_path / "trayapp.icns") as icns:
        assert icns.format == "ICNS"
        assert (512, 512, 2) in icns.info["sizes"]
        assert read_level(icns.convert("RGBA")) is Level.OPERATIONAL


def test_menu_entry_is_spec_valid() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    entry = PACKAGING / "linux" / "trayapp.desktop"
    result = subprocess.run([tool, str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result
    assert "Icon=trayapp\n" in entry.read_text()


def test_macos_info_plist_is_a_menu_bar_app() -> None:
    with (PACKAGING / "macos" / "Info.plist").open("rb") as f:
        info = plistlib.load(f)
    assert info["LSUIElement"] is True  # no Dock icon
    assert info["CFBundleIdentifier"] == LABEL  # one id for the bundle and the LaunchAgent
    assert info["CFBundleExecutable"] == "trayapp"
    assert info["CFBundleIconFile"] == "trayapp.icns"


@pytest.mark.slow
def test_pyinstaller_builds_a_runnable_one_folder_app(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install pyinstaller)")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "work"),
            str(PACKAGING / "trayapp.spec"),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    print(f"PyInstaller build: {time.monotonic() - started:.1f} s")
    app = tmp_path / "dist" / "trayapp" / "trayapp"
    assert app.is_file()
    internal = tmp_path / "dist" / "trayapp" / "_internal"
    assert (internal / "trayapp" / "config" / "presets.toml").is_file()
    # the installed metadata, for --version and the About window's licence text
    dist_info = internal / f"{trayapp.DIST_NAME.replace('-', '_')}-{trayapp.__version__}.dist-info"
    assert (dist_info / "licenses" / "LICENSE").read_text() == (REPO / "LICENSE").read_text()

    listing = subprocess.run(
        [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "-l", "-r", "-b",
         str(app)],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    for module in (
        "trayapp.cli.main", "trayapp.icon", "trayapp.edges.instance",
        "trayapp.edges.autostart.linux",
        "trayapp.edges.autostart.windows", "trayapp.sources.statuspage", "pystray._xorg",
        "plyer.platforms.linux.notification", "PIL.Image", "tkinter",
        "trayapp.windows.details", "trayapp.windows.about", "trayapp.windows.prefs",
    ):
        assert module in listing, module

    ran = subprocess.run([str(app), "--version"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr
    if "--version" in inspect.getsource(trayapp.cli.main):
        assert trayapp.__version__ in ran.stdout

    # the windows' own processes start as `trayapp --run-module ...` (no `-m` here)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    about = subprocess.run([str(app), "--run-module", "trayapp.windows.about", "--config",
                            str(tmp_path / "config.toml")], capture_output=True, text=True,
                           timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert "Traceback" not in about.stderr, about.stderr
    assert f"trayapp {trayapp.__version__}:" in about.stdout + about.stderr, about
    assert "Licence: MIT" in about.stdout + about.stderr, about
    refused = subprocess.run([str(app), "--run-module", "os"], capture_output=True,
                             text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert refused.returncode == 2 and "own modules only" in refused.stderr
