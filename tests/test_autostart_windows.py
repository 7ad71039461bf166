"""The Windows Run key, against an in-memory registry on any OS."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from trayapp.edges.autostart import backend, disable, enable, is_enabled, run_command, status
from trayapp.edges.autostart.windows import (
    APPROVED_KEY,
    RUN_KEY,
    VALUE_NAME,
    RunKeyAutostart,
    WinregKey,
    command_line,
)

GUI = r"C:\Users\Me Too\AppData\Local\Programs\Python\Python311\Scripts\trayapp-gui.exe"


class FakeKey:
    """A registry key as a dict, with the real key's location text."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.values: dict[str, str | bytes] = {}

    def get(self, name: str) -> str | bytes | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> bool:
        return self.values.pop(name, None) is not None


def make(argv: list[str] | None = None) -> tuple[RunKeyAutostart, FakeKey, FakeKey]:
    run, approved = FakeKey(r"HKCU\Run"), FakeKey(r"HKCU\Approved")
    return RunKeyAutostart(run, approved, argv or [GUI]), run, approved


def test_command_line_quotes_the_program_always() -> None:
    assert command_line([GUI]) == f'"{GUI}"'
    assert command_line([r"C:\Python311\pythonw.exe", "-m", "trayapp"]) == (
        r'"C:\Python311\pythonw.exe" -m trayapp'
    )
    assert command_line([r"C:\P\pythonw.exe", "a b"]) == r'"C:\P\pythonw.exe" "a b"'


def test_round_trip_through_the_cli_contract() -> None:
    entry, run, _ = make()
    out = io.StringIO()
    assert run_command("status", out, entry=entry) == 0
    assert run_command("enable", out, entry=entry) == 0
    assert run.values == {VALUE_NAME: f'"{GUI}"'}
    assert run_command("enable", out, entry=entry) == 0  # idempotent
    assert run_command("status", out, entry=entry) == 0
    assert run_command("disable", out, entry=entry) == 0
    assert run.values == {}
    assert run_command("disable", out, entry=entry) == 0
    assert out.getvalue().splitlines() == [
        r"autostart disabled: HKCU\Run\trayapp (no entry)",
        r"autostart enabled: HKCU\Run\trayapp",
        r"autostart enabled: HKCU\Run\trayapp",
        r"autostart enabled: HKCU\Run\trayapp",
        r"autostart disabled: removed HKCU\Run\trayapp",
        r"autostart disabled: there was no entry at HKCU\Run\trayapp",
    ]


def test_task_manager_switch_is_respected_until_an_explicit_enable() -> None:
    entry, run, approved = make()
    entry.enable()
    approved.values[VALUE_NAME] = bytes([3]) + bytes(11)  # Task Manager: Disabled
    state = status(entry)
    assert not state.enabled and "Task Manager" in state.note
    approved.values[VALUE_NAME] = bytes([2]) + bytes(11)  # Task Manager: Enabled
    assert is_enabled(entry)
    approved.values[VALUE_NAME] = bytes([3]) + bytes(11)
    enable(entry)
    assert is_enabled(entry) and VALUE_NAME not in approved.values
    disable(entry)
    assert run.values == {} and approved.values == {}


def test_an_entry_from_another_install_is_reported() -> None:
    entry, run, _ = make()
    run.values[VALUE_NAME] = r'"C:\old\trayapp-gui.exe"'
    state = status(entry)
    assert state.enabled and "another install" in state.note
    enable(entry)
    assert run.values[VALUE_NAME] == f'"{GUI}"'


class DeniedKey(FakeKey):
    def set(self, name: str, value: str) -> None:
        raise PermissionError(13, "Access is denied")


def test_registry_errors_are_one_line() -> None:
    entry = RunKeyAutostart(DeniedKey(r"HKCU\Run"), FakeKey("x"), [GUI])
    err = io.StringIO()
    assert run_command("enable", io.StringIO(), err, entry=entry) == 1
    expected = "error: cannot enable autostart: HKCU\\Run\\trayapp: Access is denied\n"
    assert err.getvalue() == expected


def test_selector_on_windows_uses_the_real_keys_lazily() -> None:
    entry = backend("win32")  # builds without touching winreg
    assert isinstance(entry, RunKeyAutostart)
    assert entry.location == f"HKCU\\{RUN_KEY}\\{VALUE_NAME}"
    assert isinstance(entry.run, WinregKey) and entry.run.subkey == RUN_KEY
    assert isinstance(entry.approved, WinregKey) and entry.approved.subkey == APPROVED_KEY


@pytest.mark.skipif(sys.platform != "win32", reason="the real registry exists only on Windows")
def test_real_registry_round_trip() -> None:
    key = WinregKey(r"Software\trayapp-test")
    try:
        assert key.get("v") is None
        key.set("v", '"C:\\x y\\trayapp-gui.exe"')
        assert key.get("v") == '"C:\\x y\\trayapp-gui.exe"'
        assert key.delete("v") is True
        assert key.delete("v") is False
    finally:
        key.delete("v")
        subprocess.run(["reg", "delete", r"HKCU\Software\trayapp-test", "/f"], check=False)
