"""Only the xorg icon's X loop thread uses the loop's X connection (a bare Xvfb, no
tray host).

pystray has other threads (trayapp's setup and poller) ask its loop thread to show
the icon or change its image or title with a client message sent over the loop's own
connection. python-xlib's sharing of one connection between threads has holes: the
loop could go back to waiting for events with the title's WM_NAME still unsent while
the other thread's flush was the active sender, and nothing sent it until the next
event; in trayer none came, so the icon kept its start-up title (issue 22's "the tray
icon never appeared"). Here every use of the loop's connection is tracked while other
threads change the title many times, and the new title must reach the server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.desktop.details_kit import ROOT, missing, xvfb

pytestmark = [pytest.mark.desktop]

CODE = """
import json, threading, time
import Xlib.display
from PIL import Image
from trayapp.tray import backend

b = backend.load()
icon = b.icon_class("probe", icon=Image.new("RGB", (64, 64), "red"), title="start")
conn = icon._display.display            # the loop's connection (python-xlib's protocol level)
users = set()
for name in ("send_request", "send_and_recv"):
    def tracked(*args, real=getattr(conn, name), **kwargs):
        users.add(threading.current_thread().name)
        return real(*args, **kwargs)
    setattr(conn, name, tracked)
seen = {}

def change(n):
    icon.title = f"title {n}"

def setup(icon):
    icon.visible = True
    for n in range(20):
        change(n)
        worker = threading.Thread(target=change, args=(f"{n}b",), name="other")
        worker.start()
        worker.join()
    change("last")
    other = Xlib.display.Display()              # what the server shows, within 5 s
    window = other.create_resource_object("window", icon._window.id)
    deadline = time.monotonic() + 5
    while seen.get("name") != "title last" and time.monotonic() < deadline:
        seen["name"] = window.get_wm_name()
        time.sleep(0.05)
    other.close()
    icon.stop()

icon.run(setup=setup)
print(json.dumps({"users": sorted(users), "name": seen.get("name")}))
"""


def test_only_the_loop_thread_uses_its_connection() -> None:
    gone = missing()
    if gone:
        pytest.skip("desktop programs missing: " + ", ".join(gone))
    with xvfb(96) as display:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYSTRAY_", "TRAYAPP_"))}
        env.update(DISPLAY=display, TRAYAPP_TRAY_BACKEND="xorg", PYTHONPATH=str(ROOT))
        try:
            done = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                                  text=True, timeout=30, cwd=ROOT, check=False)
        except subprocess.TimeoutExpired:
            pytest.fail("changing the title from two threads hung the icon (30 s)")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["users"] == ["MainThread"], \
        f"threads other than the X loop used its connection: {result['users']}"
    assert result["name"] == "title last", result
