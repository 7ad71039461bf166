"""`trayapp autostart status` on an entry whose command was uninstalled."""

from __future__ import annotations

import io
import plistlib
from pathlib import Path

import pytest

from trayapp.edges.autostart import run_command, status
from trayapp.edges.autostart.base import OTHER_INSTALL
from trayapp.edges.autostart.linux import XdgAutostart, desktop_entry, exec_program, exec_value
from trayapp.edges.autostart.macos import LaunchAgent, agent
from trayapp.edges.autostart.windows import run_program


def _old_install(tmp_path: Path) -> Path:
    old = tmp_path / "old venv" / "bin" / "trayapp"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\n")
    return old


def test_linux_entry_of_a_removed_install_says_its_command_is_gone(tmp_path: Path) -> None:
    old = _old_install(tmp_path)
    stale = XdgAutostart(tmp_path / "config", [str(old), "--config", "/x y/c.toml"])
    stale.enable()
    here = XdgAutostart(tmp_path / "config", ["/usr/bin/python3", "-m", "trayapp"])
    assert status(here).note == OTHER_INSTALL            # the other install still exists
    old.unlink()
    state = status(here)
    assert state.enabled and state.missing == str(old)
    out = io.StringIO()
    assert run_command("status", out, entry=here) == 0
    line = out.getvalue().strip()
    assert line.startswith(f"autostart enabled, but its command no longer exists: {old} ")
    assert len(out.getvalue().splitlines()) == 1
    run_command("enable", io.StringIO(), entry=here)
    assert status(here).note == "" and not status(here).missing


@pytest.mark.parametrize("argv", [
    ["/opt/my apps/tray app", "-v"], ["/a/b$c/trayapp"], ['/say "hi"/trayapp'],
    ["/back\\slash/trayapp"], ["/100%/trayapp"], ["/usr/bin/trayapp"],
])
def test_the_program_is_read_back_from_exec(argv: list[str]) -> None:
    assert exec_program(exec_value(argv)) == argv[0]
    assert f"Exec={exec_value(argv)}" in desktop_entry(argv)


def test_macos_agent_of_a_removed_install(tmp_path: Path) -> None:
    agents = tmp_path / "LaunchAgents"
    agents.mkdir()
    gone = str(tmp_path / "gone" / "trayapp")
    (agents / "io.github.trayapp.plist").write_bytes(plistlib.dumps(agent([gone])))
    state = status(LaunchAgent(agents, ["/usr/local/bin/trayapp"]))
    assert state.enabled and state.missing == gone


@pytest.mark.parametrize(("value", "program"), [
    (r'"C:\Program Files\trayapp\trayapp-gui.exe" --config x',
     r"C:\Program Files\trayapp\trayapp-gui.exe"),
    (r"C:\tools\trayapp-gui.exe -v", r"C:\tools\trayapp-gui.exe"),
    ('"', None),
])
def test_windows_run_value_program(value: str, program: str | None) -> None:
    assert run_program(value) == program
