"""Windows' shell and display calls (ctypes), behind one small interface.

* DPI awareness (before any Tk window exists, else Windows scales it as a
  bitmap, blurry at 125-200 %): ``SetProcessDpiAwarenessContext`` (per-monitor
  v2, Windows 10 1703 and later), else ``SetProcessDpiAwareness`` (shcore,
  8.1), else ``SetProcessDPIAware`` (Vista).
* The app id (``SetCurrentProcessExplicitAppUserModelID``), so the taskbar
  and toasts say "trayapp", not "Python".
* The notification area's icon size: ``GetSystemMetrics(SM_CXSMICON)``, in
  pixels for the system DPI once the process is DPI-aware (16 at 100 %, 24 at
  150 %, 32 at 200 %).

:class:`CtypesShell` is the only code that calls Windows; the tests use a fake
of :class:`Shell`. Written to Microsoft's documented API; unverified on real
Windows.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)
APP_ID = "trayapp.trayapp"      # the same AppUserModelID as the toasts (notify_win.AUMID)
SM_CXSMICON = 49
PER_MONITOR_AWARE_V2 = -4       # DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2
PROCESS_PER_MONITOR_DPI_AWARE = 2
SMALL_ICON_FALLBACK = 16


class Shell(Protocol):
    def set_dpi_awareness(self) -> str:
        """Make the process DPI-aware; the call that did it ("" when none could)."""
        ...

    def set_app_id(self, app_id: str) -> bool: ...

    def small_icon_size(self) -> int: ...


class CtypesShell:
    """The real calls (``ctypes.windll``: Windows only)."""

    def __init__(self) -> None:
        import ctypes
        self._ctypes: Any = ctypes
        self._windll: Any = getattr(ctypes, "windll")  # noqa: B009 (absent off Windows)

    def set_dpi_awareness(self) -> str:
        user32 = self._windll.user32
        setter = getattr(user32, "SetProcessDpiAwarenessContext", None)
        if setter is not None and setter(self._ctypes.c_void_p(PER_MONITOR_AWARE_V2)):
            return "SetProcessDpiAwarenessContext"
        try:
            if self._windll.shcore.SetProcessDpiAwareness(PROCESS_PER_MONITOR_DPI_AWARE) == 0:
                return "SetProcessDpiAwareness"
        except (AttributeError, OSError):
            pass
        return "SetProcessDPIAware" if user32.SetProcessDPIAware() else ""

    def set_app_id(self, app_id: str) -> bool:
        shell32 = self._windll.shell32
        return int(shell32.SetCurrentProcessExplicitAppUserModelID(
            self._ctypes.c_wchar_p(app_id))) == 0          # S_OK

    def small_icon_size(self) -> int:
        return int(self._windll.user32.GetSystemMetrics(SM_CXSMICON))


def prepare(platform: str, shell: Shell | None = None) -> None:
    """On Windows, before any window: DPI-aware, and trayapp's own app id. Never raises."""
    if platform != "win32":
        return
    try:
        api = shell or CtypesShell()
        if not api.set_dpi_awareness():
            log.info("Windows refused DPI awareness: windows may look blurry when scaled")
        if not api.set_app_id(APP_ID):
            log.info("Windows refused trayapp's app id: the taskbar may say Python")
    except (AttributeError, OSError) as exc:
        log.warning("cannot prepare the Windows display settings (%s)", exc)


def small_icon_size(shell: Shell | None = None) -> int:
    """The notification area's icon side in pixels (16 when Windows cannot say)."""
    try:
        side = (shell or CtypesShell()).small_icon_size()
    except (AttributeError, OSError):
        return SMALL_ICON_FALLBACK
    return side if 8 <= side <= 256 else SMALL_ICON_FALLBACK
