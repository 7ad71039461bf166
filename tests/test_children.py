"""The tray's child windows: a child that dies at once is said (with the log's path and its
last stderr line), its stderr reaches the log; one that ends well is not. Real processes."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import pytest

from trayapp.edges.selfrun import module_argv
from trayapp.tray import children

LOG = Path("/home/me/.local/state/trayapp/log/trayapp.log")


@pytest.fixture(autouse=True)
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """"At once" wide enough for a loaded machine: no test depends on how fast it is."""
    monkeypatch.setattr(children, "QUICK", 600.0)


def run(argv: list[str], cwd: Path | None = None) -> tuple[list[str], int | None]:
    said: list[str] = []
    proc = children.start(argv, "About", LOG, said.append, cwd=cwd)
    assert proc is not None
    code = proc.wait(60)
    for t in threading.enumerate():           # the watcher reports after the exit
        if t.name == "child About":
            t.join(60)
    return said, code


def test_a_child_that_dies_at_once_is_said_with_the_log_path(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "trayapp.tray.children")
    said, code = run([sys.executable, "-c",
                      "import sys; print('ImportError: no trayapp here', file=sys.stderr); "
                      "sys.exit(1)"])
    assert code == 1
    assert said == [f"About did not open (exit 1): ImportError: no trayapp here. "
                    f"The log has more: {LOG}"]
    assert "About: ImportError: no trayapp here" in caplog.text


def test_a_child_that_ends_well_is_not_reported() -> None:
    said, code = run([sys.executable, "-c", "pass"])
    assert code == 0 and said == []


def test_a_child_closed_by_a_signal_is_not_reported() -> None:
    """The tray terminates its details window when it quits: that is no death to say."""
    said, code = run([sys.executable, "-c", "import os, signal; "
                      "os.kill(os.getpid(), signal.SIGTERM)"])
    assert code == -15 and said == []


def test_a_child_that_cannot_start_is_said() -> None:
    said: list[str] = []
    assert children.start(["/nonexistent/trayapp-child"], "Preferences", LOG,
                          said.append) is None
    assert len(said) == 1 and said[0].startswith("Preferences did not open (it could not "
                                                 "start): ")
    assert said[0].endswith(f"The log has more: {LOG}")


def test_the_about_child_starts_clean_from_a_folder_holding_trayapp(tmp_path: Path) -> None:
    """The bug this guards: started from $HOME holding a clone, the child imported the
    folder and died silently. Now it runs the real module (a usage error, exit 64)."""
    (tmp_path / "trayapp").mkdir()
    said, code = run(module_argv("trayapp.windows.about", "--bad"), cwd=tmp_path)
    assert code == 64, said
    assert said == ["About did not open (exit 64): usage: python -m trayapp.windows.about "
                    f"[--config PATH]. The log has more: {LOG}"]
