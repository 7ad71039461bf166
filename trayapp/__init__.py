"""trayapp: can I rely on my AI tools right now, and if not, what should I use instead?

The version is the installed distribution's (``pyproject.toml`` is its only
source), read on first use of ``trayapp.__version__``. Its ``*.dist-info``
directory is named ``{name}-{version}.dist-info`` (the wheel format), so a
look at ``sys.path`` finds it without :mod:`importlib.metadata`, whose import
alone costs more than the rest of a command's start-up; that module is the
fallback for any other kind of install.
"""

DIST_NAME = "ai-status-tray"        # the name on PyPI; the import package stays `trayapp`
UNKNOWN_VERSION = "0+unknown"       # run from a tree that was never installed

TYPE_CHECKING = False
if TYPE_CHECKING:
    __version__: str


def installed_version() -> str:
    import os
    import sys
    prefix, suffix = DIST_NAME.replace("-", "_") + "-", ".dist-info"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:                     # a zip, a missing directory
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(suffix):
                return name[len(prefix):-len(suffix)]
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(DIST_NAME)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module 'trayapp' has no attribute {name!r}")
    found = globals()["__version__"] = installed_version()
    return found
