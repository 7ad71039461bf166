"""The architecture, enforced: the pure core imports no edge library, and the terminal
commands never load the tray's heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

EDGE = {"httpx", "httpcore", "pystray", "PIL", "plyer", "platformdirs", "tkinter", "gi",
        "Xlib", "threading_extra"}
HEAVY = {"pystray", "PIL", "plyer", "tkinter", "gi", "Xlib"}
PURE = ["trayapp.levels", "trayapp.model", "trayapp.text", "trayapp.config", "trayapp.assess",
        "trayapp.monitor", "trayapp.probe", "trayapp.connectivity", "trayapp.feeds",
        "trayapp.sources"]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\n"
         "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
        capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_pure_core_imports_no_edge_library() -> None:
    from trayapp import sources
    kinds = [f"trayapp.sources.{k.replace('-', '_')}" for k in sources.kinds()]
    code = "\n".join(f"import {m}" for m in PURE) + "\nfrom trayapp import sources\n" + \
        "\n".join(f"sources.get({k!r})" for k in sources.kinds())
    assert kinds
    assert loaded_after(code) & EDGE == set()


def test_terminal_commands_never_load_the_tray_libraries() -> None:
    code = ("import trayapp.cli, trayapp.engine, trayapp.http, trayapp.configfile, "
            "trayapp.state, trayapp.render, trayapp.logsetup, trayapp.paths\n"
            "trayapp.paths.state_dir()")
    assert loaded_after(code) & HEAVY == set()


def test_sqlite3_is_loaded_only_by_the_history_store() -> None:
    """The loop imports the history hook, not the store: sqlite3 (and its memory) comes
    with the first recorded cycle, and never with the commands that keep no history."""
    code = ("import trayapp.cli, trayapp.engine, trayapp.history.recorder, "
            "trayapp.history.record, trayapp.history.uptime, trayapp.history.report\n")
    assert "sqlite3" not in loaded_after(code)
    assert "sqlite3" in loaded_after("import trayapp.history.store")
