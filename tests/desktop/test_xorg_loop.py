"""The xorg icon's event loop never waits for an event with its own requests unsent
(a bare Xvfb, no tray host).

python-xlib shares one connection between threads: a request the loop queues in a
handler (the title's WM_NAME) is sent when the loop next waits for an event, unless
another thread's flush (pystray sends a client message and flushes for every change)
is the active sender then; that flush ends without taking it, and it stays unsent
until some event arrives. In trayer none came: the icon kept its start-up title
(issue 22's "the tray icon never appeared"). Here every request the loop thread
queues is tracked, and none may still be queued when it waits.
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
conn = icon._display.display            # python-xlib's connection, shared by the threads
queued_by = {}
send_request = conn.send_request

def tracked(request, wait_for_response):
    queued_by[id(request)] = threading.get_ident()
    send_request(request, wait_for_response)

conn.send_request = tracked
unsent = []
next_event = icon._display.next_event

def waiting():
    me = threading.get_ident()
    unsent.extend(type(r).__name__ for r, _ in list(conn.request_queue)
                  if queued_by.get(id(r)) == me)
    return next_event()

icon._display.next_event = waiting
seen = {}

def setup(icon):
    icon.visible = True
    for n in range(5):
        icon.title = f"title {n}"
    other = Xlib.display.Display()            # what the server shows, within 5 s
    window = other.create_resource_object("window", icon._window.id)
    deadline = time.monotonic() + 5
    while seen.get("name") != "title 4" and time.monotonic() < deadline:
        seen["name"] = window.get_wm_name()
        time.sleep(0.05)
    other.close()
    icon.stop()

icon.run(setup=setup)
print(json.dumps({"unsent": unsent, "name": seen.get("name")}))
"""


def test_the_loop_sends_what_it_queued_before_waiting_for_an_event() -> None:
    gone = missing()
    if gone:
        pytest.skip("desktop programs missing: " + ", ".join(gone))
    with xvfb(96) as display:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYSTRAY_", "TRAYAPP_"))}
        env.update(DISPLAY=display, TRAYAPP_TRAY_BACKEND="xorg", PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                              text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["unsent"] == [], \
        f"the event loop waited with its own requests unsent: {result['unsent']}"
    assert result["name"] == "title 4", result
