"""trayapp's own modules as child processes: `python -m` when installed, `--run-module`
when frozen (the frozen build itself is run in tests/test_packaging.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.edges.selfrun import RUN_MODULE, module_argv

ROOT = Path(__file__).resolve().parents[1]


def test_installed_argv_uses_dash_m_without_the_working_directory() -> None:
    assert module_argv("trayapp.windows.details", "p.json") == \
        [sys.executable, "-P", "-m", "trayapp.windows.details", "p.json"]


def test_a_folder_named_trayapp_in_the_working_directory_does_not_shadow_the_package(
        tmp_path: Path) -> None:
    """A clone in $HOME, where login sessions start the tray: the child still imports
    the real package (plain `python -m` imports the folder and dies, the control)."""
    (tmp_path / "trayapp").mkdir()
    argv = module_argv("trayapp.windows.about", "--no-such-option")
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 64 and done.stderr.startswith("usage: "), done
    plain = [a for a in argv if a != "-P"]
    control = subprocess.run(plain, capture_output=True, text=True, cwd=tmp_path,
                             timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert control.returncode == 1 and "ImportError" in control.stderr, control


def test_frozen_argv_runs_the_module_through_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert module_argv("trayapp.edges.keys", "claude") == [sys.executable, RUN_MODULE,
                                                     "trayapp.edges.keys", "claude"]
    assert module_argv("trayapp", "preferences") == [sys.executable, "preferences"]


@pytest.mark.parametrize("module", ["os", "trayapp..x", "trayapp.a-b", "../trayapp"])
def test_only_trayapps_own_modules_run(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", "trayapp", RUN_MODULE, module],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 2 and "own modules only" in done.stderr, done
    assert "Traceback" not in done.stderr


def test_run_module_runs_it_as_main() -> None:
    done = subprocess.run([sys.executable, "-m", "trayapp", RUN_MODULE, "trayapp.windows.about",
                           "--config", "/nonexistent/config.toml"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          stdin=subprocess.DEVNULL, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    assert "Config: /nonexistent/config.toml" in done.stdout + done.stderr, done
