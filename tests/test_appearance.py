"""Dark or light from the desktop: the pure decision (trayapp.core.appearance) and
its reader (trayapp.edges.appearance) against real files and fake programs on
PATH standing in for gdbus (the portal) and macOS's defaults."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trayapp.core.appearance import Preference, scheme
from trayapp.edges import appearance


def test_the_portal_comes_first_then_the_system_then_gtk() -> None:
    assert scheme(Preference()) == "light"
    assert scheme(Preference(portal=1, gtk_theme="Adwaita")) == "dark"
    assert scheme(Preference(portal=2, gtk_prefer_dark=True)) == "light"
    assert scheme(Preference(portal=0, gtk_prefer_dark=True)) == "dark"
    assert scheme(Preference(system="dark")) == "dark"
    assert scheme(Preference(system="light", gtk_theme="Adwaita-dark")) == "light"
    for name in ("Adwaita-dark", "Adwaita:dark", "Arc-Dark", "Yaru_dark"):
        assert scheme(Preference(gtk_theme=name)) == "dark", name
    for name in ("Adwaita", "Darkling", "Greybird", ""):
        assert scheme(Preference(gtk_theme=name)) == "light", name


def _program(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("GTK_THEME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + "/usr/bin:/bin")
    return tmp_path


def test_linux_reads_the_portal_through_gdbus(clean_env: Path) -> None:
    # gdbus's answer as GLib prints it for Settings.Read of color-scheme
    _program(clean_env / "bin", "gdbus", 'echo "(<<uint32 1>>,)"')
    pref = appearance.read("linux")
    assert pref.portal == 1 and scheme(pref) == "dark"
    _program(clean_env / "bin", "gdbus", 'echo "Error: no portal" >&2; exit 1')
    assert appearance.read("linux").portal is None


def test_linux_falls_back_to_gtk_settings(clean_env: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _program(clean_env / "bin", "gdbus", "exit 1")
    ini = clean_env / "config" / "gtk-3.0" / "settings.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[Settings]\ngtk-theme-name=Adwaita-dark\n")
    assert scheme(appearance.read("linux")) == "dark"
    ini.write_text("[Settings]\ngtk-theme-name=Adwaita\ngtk-application-prefer-dark-theme=1\n")
    assert appearance.read("linux").gtk_prefer_dark is True
    ini.write_text("[Settings\nbroken")
    assert scheme(appearance.read("linux")) == "light"
    monkeypatch.setenv("GTK_THEME", "Adwaita:dark")
    assert scheme(appearance.read("linux")) == "dark"


def test_macos_reads_apple_interface_style(clean_env: Path) -> None:
    _program(clean_env / "bin", "defaults",
             'echo "$@" > "$(dirname "$0")/argv"; echo Dark')
    assert appearance.read("darwin").system == "dark"
    assert (clean_env / "bin" / "argv").read_text().split() == \
        ["read", "-g", "AppleInterfaceStyle"]
    # light mode: the key does not exist and defaults fails
    _program(clean_env / "bin", "defaults", 'echo "does not exist" >&2; exit 1')
    assert appearance.read("darwin").system == "light"


def test_windows_registry_is_not_read_elsewhere() -> None:
    assert appearance.windows() is None     # winreg exists only on Windows
