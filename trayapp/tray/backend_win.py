"""Windows: the tray icon drawn at the notification area's real size.

pystray's win32 backend writes the 64 px image to an .ico and loads it with
``LR_DEFAULTSIZE`` (the *large* icon size, 32 px), which the shell then
shrinks to the small size: the icon's small-size design (one mark, larger)
never applies. Here the renderer draws it at ``SM_CXSMICON`` for the DPI
(:func:`trayapp.edges.winshell.small_icon_size`) and it is loaded at exactly
that size. Unverified on real Windows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

from trayapp.edges.winshell import small_icon_size


def ico_bytes(render: Callable[[int], Any], side: int) -> bytes:
    """An .ico holding the icon drawn at ``side`` pixels (and nothing scaled)."""
    import io
    out = io.BytesIO()
    render(side).save(out, "ICO", sizes=[(side, side)])
    return out.getvalue()


def sized_win32(base: Any) -> Any:
    """pystray's win32 Icon, loading an icon drawn at the small-icon size."""
    from pystray._util import win32

    class SizedIcon(base):  # type: ignore[misc]
        renderer: Callable[[int], Any] | None = None

        def _assert_icon_handle(self) -> None:
            if getattr(self, "_icon_handle", None) or self.renderer is None:
                super()._assert_icon_handle()
                return
            side = small_icon_size()
            fd, path = tempfile.mkstemp(suffix=".ico")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(ico_bytes(self.renderer, side))
                handle = win32.LoadImage(None, path, win32.IMAGE_ICON, side, side,
                                         win32.LR_LOADFROMFILE)
                setattr(self, "_icon_handle", handle)  # noqa: B010 (typed Any)
            finally:
                os.unlink(path)

    return SizedIcon
