"""The macOS and Windows tray set-up, checked on Linux with fakes of the OS calls.

macOS: a fake ``AppKit``/``Foundation`` records the activation policy and the
status icon's bitmaps (the real icon renderer draws them). Windows: a fake of
:class:`trayapp.edges.winshell.Shell` (the only code that calls user32,
shcore and shell32); the .ico is read back with Pillow. Neither is checked
on a real Mac or Windows here.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from PIL import Image

from trayapp.domain.levels import Level
from trayapp.edges import winshell
from trayapp.icon import read_level, render_icon
from trayapp.tray.backend_win import ico_bytes
from trayapp.tray.macos import make_accessory, scaled_image

ACCESSORY = 1                   # NSApplicationActivationPolicyAccessory


class FakeApp:
    def __init__(self, accept: bool = True) -> None:
        self.policies: list[int] = []
        self.accept = accept

    def setActivationPolicy_(self, policy: int) -> bool:
        self.policies.append(policy)
        return self.accept


class FakeRep:
    def __init__(self, png: bytes) -> None:
        self.image = Image.open(io.BytesIO(png))
        self.points: tuple[int, int] | None = None

    def setSize_(self, size: tuple[int, int]) -> None:
        self.points = size


class FakeImage:
    def __init__(self) -> None:
        self.reps: list[FakeRep] = []
        self.points: tuple[int, int] | None = None

    def alloc(self) -> FakeImage:
        return self

    def initWithSize_(self, size: tuple[int, int]) -> FakeImage:
        self.points = size
        return self

    def addRepresentation_(self, rep: FakeRep) -> None:
        self.reps.append(rep)


class FakeAppKit:
    NSApplicationActivationPolicyAccessory = ACCESSORY

    def __init__(self) -> None:
        self.NSImage = FakeImage()

    class NSBitmapImageRep:
        @staticmethod
        def imageRepWithData_(data: bytes) -> FakeRep:
            return FakeRep(data)


class FakeFoundation:
    @staticmethod
    def NSData(data: bytes) -> bytes:
        return data


def test_mac_accessory_policy_is_asked() -> None:
    app = FakeApp()
    assert make_accessory(FakeAppKit(), app)
    assert app.policies == [ACCESSORY]


def test_mac_refused_policy_is_said(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert not make_accessory(FakeAppKit(), FakeApp(accept=False))
    assert "Dock icon" in caplog.text


def test_mac_status_icon_has_1x_and_2x_bitmaps_of_the_level() -> None:
    appkit = FakeAppKit()
    image: Any = scaled_image(appkit, FakeFoundation(), lambda side: render_icon(
        Level.MAJOR_OUTAGE, frozenset(), side), 22)
    assert image.points == (22, 22)
    assert [rep.image.size for rep in image.reps] == [(22, 22), (44, 44)]
    assert all(rep.points == (22, 22) for rep in image.reps)
    assert {read_level(rep.image.convert("RGBA")) for rep in image.reps} == {Level.MAJOR_OUTAGE}


class FakeShell:
    def __init__(self, dpi: str = "SetProcessDpiAwarenessContext", app_id: bool = True,
                 side: int = 24) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.dpi, self.app_id, self.side = dpi, app_id, side

    def set_dpi_awareness(self) -> str:
        self.calls.append(("dpi",))
        return self.dpi

    def set_app_id(self, app_id: str) -> bool:
        self.calls.append(("app_id", app_id))
        return self.app_id

    def small_icon_size(self) -> int:
        return self.side


def test_windows_prepare_sets_dpi_then_app_id() -> None:
    shell = FakeShell()
    winshell.prepare("win32", shell)
    assert shell.calls == [("dpi",), ("app_id", "trayapp.trayapp")]


def test_prepare_does_nothing_elsewhere() -> None:
    shell = FakeShell()
    winshell.prepare("linux", shell)
    winshell.prepare("darwin", shell)
    assert shell.calls == []


def test_windows_refusals_are_said_never_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    winshell.prepare("win32", FakeShell(dpi="", app_id=False))
    assert "blurry" in caplog.text and "app id" in caplog.text


def test_windows_off_windows_the_real_shell_fails_softly(
        caplog: pytest.LogCaptureFixture) -> None:
    winshell.prepare("win32")                 # no ctypes.windll on Linux
    assert "cannot prepare" in caplog.text
    assert winshell.small_icon_size() == winshell.SMALL_ICON_FALLBACK


@pytest.mark.parametrize(("side", "want"), [(16, 16), (24, 24), (32, 32), (0, 16), (999, 16)])
def test_windows_small_icon_size(side: int, want: int) -> None:
    assert winshell.small_icon_size(FakeShell(side=side)) == want


@pytest.mark.parametrize("side", [16, 24, 32])
def test_windows_icon_is_drawn_at_the_small_size(side: int) -> None:
    data = ico_bytes(lambda px: render_icon(Level.PARTIAL_OUTAGE, frozenset({"offline"}), px), side)
    ico = Image.open(io.BytesIO(data))
    assert ico.info["sizes"] == {(side, side)}
    assert read_level(ico.convert("RGBA")) is Level.PARTIAL_OUTAGE
