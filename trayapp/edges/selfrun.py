"""Starting trayapp's own modules as child processes, whether installed or frozen.

The details, About and Preferences windows and the keyring read run in their
own short-lived processes (``python -m trayapp.windows.details ...``). A frozen
app (PyInstaller) has no ``-m``: its ``sys.executable`` is trayapp itself. So
:func:`module_argv` gives ``[trayapp, "--run-module", MODULE, ...]`` there,
which :func:`run_module` (called first by ``__main__``) runs as ``__main__``.
Only trayapp's own modules can be run that way.

A child starts clean of the working directory: ``python -P`` does not put the
current directory first on ``sys.path``, so a folder named ``trayapp`` there (a
clone in ``$HOME``, where login sessions start programs) cannot shadow the
package as a namespace package. ``-P`` rather than ``-I`` keeps the environment
the tray itself runs with (``PYTHONPATH`` of a source checkout). A frozen app
never has the working directory on its path.
"""

from __future__ import annotations

import sys

RUN_MODULE = "--run-module"


def module_argv(module: str, *args: str) -> list[str]:
    """The argv that runs ``python -m module args...`` with this interpreter or app."""
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-P", "-m", module, *args]
    if module == "trayapp":
        return [sys.executable, *args]
    return [sys.executable, RUN_MODULE, module, *args]


def run_module(argv: list[str]) -> bool:
    """Run ``argv[2]`` as ``__main__`` when ``argv`` is ``[app, --run-module, MODULE, ...]``
    (and MODULE is one of trayapp's); False when it is not such an argv."""
    if len(argv) < 3 or argv[1] != RUN_MODULE:
        return False
    module = argv[2]
    if not module.startswith("trayapp.") or not all(p.isidentifier()
                                                    for p in module.split(".")):
        print(f"trayapp: {RUN_MODULE} runs trayapp's own modules only", file=sys.stderr)
        raise SystemExit(2)
    import runpy
    sys.argv = [module, *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return True
