"""The backend choice loads only what that backend needs (a bare Xvfb, no tray host).

The xorg backend needs python-xlib only: naming the program for GTK
(``GLib.set_prgname``) would load PyGObject, GLib and GObject (about 3.5 MB
resident in the tray) for nothing. On the PyGObject backends it must happen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.desktop.details_kit import ROOT, missing, xvfb

CODE = """
import json, sys
from trayapp.tray import backend
b = backend.load()
name = b if isinstance(b, str) else b.name
prg = None
if "gi.repository.GLib" in sys.modules:
    prg = sys.modules["gi.repository.GLib"].get_prgname()
print(json.dumps({"backend": name, "gi": "gi" in sys.modules, "prgname": prg}))
"""


def load(display: str, backend: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSTRAY_", "TRAYAPP_"))}
    env.update(DISPLAY=display, TRAYAPP_TRAY_BACKEND=backend, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                          text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_xorg_loads_no_pygobject_and_gtk_is_named_trayapp() -> None:
    gone = missing()
    if gone:
        pytest.skip("desktop programs missing: " + ", ".join(gone))
    with xvfb(96) as display:
        assert load(display, "xorg") == {"backend": "xorg", "gi": False, "prgname": None}
        try:
            import gi  # noqa: F401
        except ImportError:
            return
        gtk = load(display, "gtk")
        assert gtk["backend"] == "gtk" and gtk["prgname"] == "trayapp", gtk
