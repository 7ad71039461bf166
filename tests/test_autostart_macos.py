"""The macOS LaunchAgent, written and read back on any OS."""

from __future__ import annotations

import io
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from trayapp.edges.autostart import backend, is_enabled, run_command, status
from trayapp.edges.autostart.base import launch_argv
from trayapp.edges.autostart.macos import LABEL, LaunchAgent

ARGV = ["/Users/me/.local/pipx/venvs/trayapp/bin/trayapp"]


def test_plist_round_trip(tmp_path: Path) -> None:
    agent = LaunchAgent(tmp_path / "LaunchAgents", ARGV)
    assert not agent.status().enabled
    agent.enable()
    path = tmp_path / "LaunchAgents" / f"{LABEL}.plist"
    with path.open("rb") as f:
        data = plistlib.load(f)
    assert data == {
        "Label": LABEL,
        "ProgramArguments": ARGV,
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert "KeepAlive" not in data  # quitting from the menu must stay quit
    assert agent.status().enabled and agent.status().location == str(path)

    before = path.stat()
    agent.enable()  # idempotent: the same bytes, not even rewritten
    assert path.stat().st_ino == before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns

    assert agent.disable() is True
    assert not path.exists()
    assert agent.disable() is False


def test_disabled_and_foreign_agents(tmp_path: Path) -> None:
    agent = LaunchAgent(tmp_path, ARGV)
    path = Path(agent.location)
    path.write_bytes(plistlib.dumps({"Label": LABEL, "ProgramArguments": ARGV, "Disabled": True}))
    assert not agent.status().enabled
    foreign = {"Label": LABEL, "ProgramArguments": ["/x"], "RunAtLoad": True}
    path.write_bytes(plistlib.dumps(foreign))
    state = agent.status()
    assert state.enabled and "another install" in state.note
    path.write_bytes(b"not a plist")
    assert not agent.status().enabled
    agent.enable()
    assert agent.status().enabled and agent.status().note == ""


def test_selector_puts_it_in_the_users_launch_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    entry = backend("darwin")
    expected = tmp_path / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    assert entry.location == str(expected)
    out = io.StringIO()
    assert run_command("enable", out, entry=entry) == 0
    assert out.getvalue() == f"autostart enabled: {expected}\n"
    assert is_enabled(entry) and status(entry).enabled
    with expected.open("rb") as f:
        assert plistlib.load(f)["ProgramArguments"] == launch_argv()


def test_plutil_accepts_it(tmp_path: Path) -> None:
    plutil = shutil.which("plutil")
    if plutil is None:
        pytest.skip("plutil exists only on macOS")
    agent = LaunchAgent(tmp_path, ARGV)
    agent.enable()
    subprocess.run([plutil, "-lint", agent.location], check=True)
