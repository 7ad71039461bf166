"""The architecture, enforced: the pure core imports no edge library, and the terminal
commands never load the tray's heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

EDGE = {"httpx", "httpcore", "pystray", "PIL", "plyer", "platformdirs", "tkinter", "gi",
        "Xlib", "threading_extra"}
HEAVY = {"pystray", "PIL", "plyer", "tkinter", "gi", "Xlib"}
# The pure layers: every module in them, so a new module is checked too.
PURE_PACKAGES = ("trayapp.domain", "trayapp.sources", "trayapp.config", "trayapp.core")


def pure_modules() -> list[str]:
    import importlib
    import pkgutil
    found = []
    for name in PURE_PACKAGES:
        pkg = importlib.import_module(name)
        found.append(name)
        found += [m.name for m in pkgutil.walk_packages(pkg.__path__, name + ".")]
    return found


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\n"
         "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
        capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_pure_core_imports_no_edge_library() -> None:
    from trayapp import sources
    kinds = [f"trayapp.sources.{k.replace('-', '_')}" for k in sources.kinds()]
    modules = pure_modules()
    assert "trayapp.core.monitor" in modules and "trayapp.sources.statuspage" in modules
    code = "\n".join(f"import {m}" for m in modules) + "\nfrom trayapp import sources\n" + \
        "\n".join(f"sources.get({k!r})" for k in sources.kinds())
    assert kinds
    assert loaded_after(code) & EDGE == set()


def test_terminal_commands_never_load_the_tray_libraries() -> None:
    code = ("import trayapp.cli.main, trayapp.runtime.engine, trayapp.edges.http, "
            "trayapp.edges.configfile, trayapp.edges.state, trayapp.core.render, "
            "trayapp.edges.logsetup, trayapp.edges.paths\n"
            "trayapp.edges.paths.state_dir()")
    assert loaded_after(code) & HEAVY == set()


def test_sqlite3_is_loaded_only_by_the_history_store() -> None:
    """The loop imports the history hook, not the store: sqlite3 (and its memory) comes
    with the first recorded cycle, and never with the commands that keep no history."""
    code = ("import trayapp.cli.main, trayapp.runtime.engine, trayapp.runtime.recorder, "
            "trayapp.core.history.record, trayapp.core.history.uptime, "
            "trayapp.core.history.report\n")
    assert "sqlite3" not in loaded_after(code)
    assert "sqlite3" in loaded_after("import trayapp.edges.history_store")
