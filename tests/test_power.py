"""Is the laptop on its battery? The Linux reader on fake sysfs trees laid out as the
kernel's power-supply class documents (Documentation/ABI/testing/sysfs-class-power),
the macOS reader on ``pmset -g batt`` outputs written to the format its manual page
and Apple's support notes show (not captured on a Mac: no Mac here), the Windows
reader on ``ACLineStatus`` values (GetSystemPowerStatus's documented 0 / 1 / 255)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayapp.edges import power

PMSET_BATTERY = ("Now drawing from 'Battery Power'\n"
                 " -InternalBattery-0 (id=4653155)\t87%; discharging; 5:12 remaining "
                 "present: true\n")
PMSET_AC = ("Now drawing from 'AC Power'\n"
            " -InternalBattery-0 (id=4653155)\t100%; charged; 0:00 remaining present: true\n")
PMSET_DESKTOP = "Now drawing from 'AC Power'\n"


def supplies(root: Path, **devices: dict[str, str]) -> Path:
    for name, files in devices.items():
        (root / name).mkdir(parents=True)
        for key, value in files.items():
            (root / name / key).write_text(value + "\n")
    return root


@pytest.mark.parametrize(("devices", "expected"), [
    ({"AC": {"type": "Mains", "online": "0"},
      "BAT0": {"type": "Battery", "status": "Discharging"}}, True),
    ({"AC": {"type": "Mains", "online": "1"},
      "BAT0": {"type": "Battery", "status": "Charging"}}, False),
    ({"ADP1": {"type": "Mains", "online": "1"},
      "BAT0": {"type": "Battery", "status": "Discharging"}}, False),   # mains wins
    ({"ucsi-source-psy-USBC000:001": {"type": "USB", "online": "1"},
      "BAT1": {"type": "Battery", "status": "Not charging"}}, False),  # USB-C charger
    ({"BAT0": {"type": "Battery", "status": "Full"}}, False),
    ({"BAT0": {"type": "Battery", "status": "Discharging"},
      "hidpp_battery_0": {"type": "Battery", "scope": "Device", "status": "Discharging"}},
     True),
    ({}, False),                                     # a desktop: no battery at all
])
def test_linux_reads_the_power_supply_class(tmp_path: Path, devices: dict[str, dict[str, str]],
                                            expected: bool) -> None:
    root = supplies(tmp_path / "power_supply", **devices)
    root.mkdir(exist_ok=True)
    assert power.on_battery("linux", root=root) is expected


def test_linux_without_the_class_cannot_tell(tmp_path: Path) -> None:
    assert power.on_battery("linux", root=tmp_path / "absent") is None


def test_linux_reads_this_machine_without_raising() -> None:
    assert power.on_battery("linux") in (True, False, None)


@pytest.mark.parametrize(("output", "expected"), [
    (PMSET_BATTERY, True), (PMSET_AC, False), (PMSET_DESKTOP, False),
    ("", None), ("pmset: command failed\n", None),
])
def test_macos_reads_pmset(output: str, expected: bool | None) -> None:
    assert power.on_battery("darwin", pmset=lambda: output) is expected


@pytest.mark.parametrize(("status", "expected"), [(0, True), (1, False), (255, None),
                                                  (None, None)])
def test_windows_reads_the_ac_line_status(status: int | None, expected: bool | None) -> None:
    assert power.on_battery("win32", ac_line=lambda: status) is expected


def test_a_reader_that_raises_is_cannot_tell() -> None:
    def broken() -> str:
        raise RuntimeError("surprise")
    assert power.on_battery("darwin", pmset=broken) is None
    assert power.on_battery("sunos5") is None


def test_pmset_missing_is_cannot_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert power.on_battery("darwin") is None
