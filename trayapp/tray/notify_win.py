"""Windows toasts: trayapp's own name and icon, one per service, with actions.

Written to the WinRT toast API (``Windows.UI.Notifications``) through PyWinRT's
``winrt-Windows.UI.Notifications`` and ``winrt-Windows.Data.Xml.Dom`` (thin
generated bindings of the documented API, one per namespace): a toast's
``Tag``/``Group`` replace the same service's previous toast, its XML carries
the actions ("Details", "Open status page") and the app logo, and the
notifier is created for trayapp's AppUserModelID, registered for the user
under ``HKCU\\Software\\Classes\\AppUserModelId`` with the display name and
icon (the documented way for an unpackaged desktop app), so the toast says
"trayapp", not "Python".

:func:`toast_xml` is pure; :class:`WinRtToasts` is the only code that calls
Windows, behind the small :class:`Toasts` interface, so the tests use a fake
of it. Unverified on real Windows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import quoteattr

from trayapp.edges.autostart.windows import Registry, WinregKey

log = logging.getLogger(__name__)
AUMID = "trayapp.trayapp"
DISPLAY_NAME = "trayapp"
GROUP = "trayapp"
AUMID_KEY = rf"Software\Classes\AppUserModelId\{AUMID}"
TAG_MAX = 64                    # characters of a toast's Tag (Windows 10 1703 and later)


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]          # escaped for an element as for an attribute


def toast_xml(title: str, body: str, icon_path: str = "",
              actions: tuple[tuple[str, str], ...] = ()) -> str:
    """The toast's XML: text escaped (never markup), ``actions`` as (id, label)."""
    parts = ['<toast launch="default">', '<visual><binding template="ToastGeneric">',
             f"<text>{_text(title)}</text>"]
    if body:
        parts.append(f"<text>{_text(body)}</text>")
    if icon_path:
        uri = Path(icon_path).absolute().as_uri()
        parts.append(f'<image placement="appLogoOverride" src={quoteattr(uri)}/>')
    parts.append("</binding></visual>")
    if actions:
        parts.append("<actions>")
        parts += [f'<action content={quoteattr(label)} arguments={quoteattr(name)} '
                  'activationType="foreground"/>' for name, label in actions]
        parts.append("</actions>")
    parts.append("</toast>")
    return "".join(parts)


def toast_tag(key: str) -> str:
    return key[:TAG_MAX]


def register(registry: Registry, icon_path: str) -> None:
    """trayapp's name (and icon) for its AppUserModelID, for the current user."""
    registry.set("DisplayName", DISPLAY_NAME)
    if icon_path:
        registry.set("IconUri", icon_path)


class Toasts(Protocol):
    def show(self, xml: str, tag: str, on_action: Callable[[str], None]) -> None: ...


class WinRtToasts:
    """The real toasts (PyWinRT), imported on first use."""

    def __init__(self, app_icon: Callable[[], str] = str,
                 registry: Registry | None = None) -> None:
        self._notifier: Any = None
        self._app_icon = app_icon          # the icon file named with the app id
        self._registry = registry or WinregKey(AUMID_KEY)

    def show(self, xml: str, tag: str, on_action: Callable[[str], None]) -> None:
        from winrt.windows.data.xml.dom import XmlDocument
        from winrt.windows.ui.notifications import (
            ToastActivatedEventArgs,
            ToastNotification,
            ToastNotificationManager,
        )
        if self._notifier is None:
            try:
                register(self._registry, self._app_icon())
            except OSError as exc:
                log.warning("cannot register trayapp's name for toasts (%s)", exc)
            self._notifier = ToastNotificationManager.create_toast_notifier(AUMID)
        doc = XmlDocument()
        doc.load_xml(xml)
        toast = ToastNotification(doc)
        if tag:
            toast.tag = tag
            toast.group = GROUP

        def activated(_sender: Any, args: Any) -> None:
            on_action(str(ToastActivatedEventArgs._from(args).arguments))

        toast.add_activated(activated)
        self._notifier.show(toast)
