"""``python -m trayapp`` does what the ``trayapp`` command does.

A frozen app also starts its own windows' processes through here
(``trayapp --run-module trayapp.tray.details ...``, :mod:`trayapp.selfrun`).
"""

import sys

from trayapp.selfrun import run_module

if not run_module(sys.argv):
    from trayapp.cli import main

    raise SystemExit(main())
