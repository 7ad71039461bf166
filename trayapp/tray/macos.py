"""macOS: an accessory app (no Dock icon, no menu bar) with a sharp status icon.

Through pyobjc's ``AppKit`` (which pystray's darwin backend already imports):

* :func:`make_accessory`: ``NSApplication.setActivationPolicy_`` with
  ``NSApplicationActivationPolicyAccessory`` when the tray starts, so a
  process started from a terminal or pipx (no ``LSUIElement``, which only a
  bundle's Info.plist can set) shows no Dock icon and no menu bar of its own.
* :func:`retina_darwin`: pystray draws the icon once at the menu bar's
  thickness in pixels, blurry on a Retina screen; here it is drawn at 1x and
  2x (two bitmap representations of one ``NSImage`` sized in points) by the
  tray's renderer. Not a template image: the glyph's colour says the level,
  and its dark rim and light halo (:mod:`trayapp.icon`) read on light and
  dark menu bars alike.

Tested on Linux with a fake ``AppKit``; unverified on a real Mac.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def make_accessory(appkit: Any, app: Any) -> bool:
    """No Dock icon, no menu bar: True when macOS accepted the policy."""
    accepted = bool(app.setActivationPolicy_(appkit.NSApplicationActivationPolicyAccessory))
    if not accepted:
        log.info("macOS kept trayapp's Dock icon (the accessory policy was refused)")
    return accepted


def scaled_image(appkit: Any, foundation: Any, render: Callable[[int], Any],
                 points: int) -> Any:
    """One ``NSImage`` of ``points`` x ``points`` with 1x and 2x bitmaps from ``render``."""
    image = appkit.NSImage.alloc().initWithSize_((points, points))
    for scale in (1, 2):
        png = io.BytesIO()
        render(points * scale).save(png, "png")
        rep = appkit.NSBitmapImageRep.imageRepWithData_(foundation.NSData(png.getvalue()))
        rep.setSize_((points, points))
        image.addRepresentation_(rep)
    return image


def retina_darwin(base: Any) -> Any:
    """pystray's darwin Icon, as an accessory app, drawn at 1x and 2x by ``renderer``."""
    import AppKit
    import Foundation

    class RetinaIcon(base):  # type: ignore[misc]
        renderer: Callable[[int], Any] | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            make_accessory(AppKit, self._app)

        def _assert_image(self) -> None:
            if self.renderer is None:
                super()._assert_image()
                return
            points = int(self._status_bar.thickness())
            shown: Any = getattr(self, "_icon_image", None)
            if shown is not None and getattr(self, "_points", 0) == points:
                return                  # pystray's _update_icon clears it on a change
            image = scaled_image(AppKit, Foundation, self.renderer, points)
            setattr(self, "_points", points)  # noqa: B010 (typed Any)
            setattr(self, "_icon_image", image)  # noqa: B010 (typed Any)
            self._status_item.button().setImage_(image)

    return RetinaIcon
