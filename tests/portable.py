"""The test files that run on any system (``python -m tests.portable`` prints them, one
per line), for CI's macOS and Windows jobs: those that import only trayapp's pure
layers (domain, sources, config, core) and no module that reaches the OS (processes,
sockets, X, the loopback server, files' modes), plus the status smoke check, which
runs the real app against 127.0.0.1 and is written to run anywhere. Chosen by
reading the imports, so a new pure test is picked up; unverified on macOS/Windows
until CI runs there.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PURE = ("trayapp.domain", "trayapp.sources", "trayapp.config", "trayapp.core")
ALWAYS = ("test_status_smoke.py",)
OS_BOUND = {"os", "subprocess", "socket", "signal", "shutil", "stat", "threading",
            "multiprocessing", "sqlite3", "tempfile", "Xlib", "gi", "tkinter", "pystray"}


def portable(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in OS_BOUND or name.startswith("tests") or (
                    top == "trayapp" and not name.startswith(PURE)):
                return False
    return True


def files() -> list[str]:
    return sorted(str(p.relative_to(HERE.parent).as_posix()) for p in HERE.glob("test_*.py")
                  if p.name in ALWAYS or portable(p))


if __name__ == "__main__":
    print("\n".join(files()))
    sys.exit(0 if files() else 1)
