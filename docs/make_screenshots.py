"""Regenerate the README screenshots under docs/screenshots/ from the real app.

    .venv/bin/python docs/make_screenshots.py        (from the repository root)

Runs the end-to-end desktop tests (tests/desktop: needs Xvfb, tint2, dunst,
xdotool and, for the menu picture, PyGObject) with TRAYAPP_SCREENSHOTS set,
so every picture is of the real trayapp on a virtual desktop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    env = dict(os.environ, TRAYAPP_SCREENSHOTS=str(OUT))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/desktop", "-rs"], cwd=ROOT, env=env, check=False)
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KB")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
