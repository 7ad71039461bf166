"""Opening files and links from the tray: every failure is said, with the path or link.

The desktop's opener is a real program on PATH here (a tiny script standing in
for ``xdg-open``, exiting as the real one does: 0, or 3 when no program takes
the file), started by :mod:`trayapp.edges.opener` without a shell.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from trayapp.edges.opener import open_path, open_url


def fake_opener(tmp_path: Path, code: int) -> Path:
    bin_dir = tmp_path / f"bin{code}"
    bin_dir.mkdir()
    script = bin_dir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {tmp_path / "opened.txt"}\nexit {code}\n')
    script.chmod(0o755)
    return bin_dir


def reap_all() -> None:
    for thread in threading.enumerate():
        if thread.name == "opener-reaper":
            thread.join(10)


@pytest.fixture
def said() -> list[str]:
    return []


def test_a_file_no_program_takes_is_said_with_its_path(tmp_path: Path, said: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "trayapp.log"
    log.write_text("x\n")
    monkeypatch.setenv("PATH", str(fake_opener(tmp_path, 3)))
    assert open_path(log, "linux", failed=said.append) is True
    reap_all()
    assert said == [f"Could not open {log}: no program for it (xdg-open exit 3)"]
    assert (tmp_path / "opened.txt").read_text().split() == [str(log)]


def test_an_opened_file_says_nothing(tmp_path: Path, said: list[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("PATH", str(fake_opener(tmp_path, 0)))
    assert open_path(config, "linux", failed=said.append) is True
    reap_all()
    assert said == []
    assert (tmp_path / "opened.txt").read_text().split() == [str(config)]


def test_a_missing_file_or_opener_is_said(tmp_path: Path, said: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "nowhere.log"
    assert open_path(gone, "linux", failed=said.append) is False
    here = tmp_path / "here.log"
    here.write_text("")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert open_path(here, "linux", failed=said.append) is False
    assert said[0] == f"Could not open {gone}: the file does not exist"
    assert said[1].startswith(f"Could not open {here}: xdg-open is missing")


def test_links_no_browser_takes_or_unsafe_are_said(tmp_path: Path, said: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(fake_opener(tmp_path, 3)))
    assert open_url("https://status.claude.com/", failed=said.append, platform="linux")
    reap_all()
    assert open_url("javascript:alert(1)", failed=said.append, platform="linux") is False
    assert said == ["Could not open https://status.claude.com/: no browser took it "
                    "(xdg-open exit 3)",
                    "Not opened: javascript:alert(1) is not an http(s) link"]
    assert os.path.exists(tmp_path / "opened.txt")


def test_a_link_without_xdg_open_goes_to_python_webbrowser(tmp_path: Path) -> None:
    """No ``xdg-open`` on PATH: $BROWSER (through :mod:`webbrowser`) still takes the
    link. In a child: :mod:`webbrowser` reads $BROWSER once per process."""
    import subprocess
    import sys
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {tmp_path / "browsed.txt"}\n')
    browser.chmod(0o755)
    env = {**os.environ, "PATH": str(tmp_path / "empty"), "BROWSER": str(browser)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    code = ("import sys; from trayapp.edges.opener import open_url; "
            "said = []; ok = open_url('https://status.claude.com/', said.append, 'linux'); "
            "print(ok, said)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=30, check=True)
    assert out.stdout.strip() == "True []", out.stderr
    assert (tmp_path / "browsed.txt").read_text().split() == ["https://status.claude.com/"]
