"""``python -m trayapp`` does what the ``trayapp`` command does.

A frozen app also starts its own windows' processes through here
(``trayapp --run-module trayapp.windows.details ...``, :mod:`trayapp.edges.selfrun`).
"""

import sys

from trayapp.edges.selfrun import run_module

if not run_module(sys.argv):
    from trayapp.cli.main import main

    raise SystemExit(main())
