"""The one place that picks a tray backend and says what it can do.

``load()`` returns a :class:`Backend` (pystray's classes plus capability
flags, like pystray's own ``HAS_MENU``/``HAS_DEFAULT_ACTION``) or a one-line
reason when no tray can be shown. Nothing else in trayapp looks at the
platform or at pystray's backend names.

Linux: pystray's own order (``appindicator``, ``gtk``, ``xorg``), i.e. the
PyGObject backends when PyGObject and the GTK typelibs are there, else plain
``xorg``. ``TRAYAPP_TRAY_BACKEND=xorg|gtk|appindicator`` forces one (it sets
``PYSTRAY_BACKEND``). ``import pystray`` connects to the X server at import
time and raises non-ImportError exceptions (no display; a ValueError when
PyGObject is there but the GTK typelibs are not): it is imported lazily here
and any exception becomes a reason, after one retry with ``xorg``.

pystray 0.19.5's xorg backend creates its window without ``ButtonPressMask``
(upstream issue #151), so X delivers clicks to the tray host, never to the
icon. :func:`_clickable_xorg` subclasses its Icon and adds the mask when the
window is created (the version is pinned in pyproject.toml because this
overrides a private method); other threads reach its X loop thread over an X
connection of their own (python-xlib could leave the loop's requests unsent when
threads shared one). Likewise pystray's gtk backend never sets the
hover tooltip, and its PyGObject backends hand GTK a 64 px image in /tmp to
scale down: :mod:`trayapp.tray.backend_gtk` draws them at the tray's real
size instead. GTK would name the program ``__main__.py``
(:func:`_name_the_program`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, MutableMapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from trayapp.tray.backend_gtk import APP_NAME, sized_gtk, themed_appindicator

log = logging.getLogger(__name__)
ENV = "TRAYAPP_TRAY_BACKEND"
CHOICES = ("xorg", "gtk", "appindicator")
TOOLTIP_LIMITS = {"win32": 127}          # NOTIFYICONDATA.szTip is 128 with the NUL
XORG_BACKGROUND = (64, 64, 64)           # xorg pastes the icon on black: a neutral panel grey


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    icon_class: Any
    menu_class: Any
    item_class: Any
    has_menu: bool
    has_default_action: bool
    has_notification: bool
    background: tuple[int, int, int] | None   # paint the icon's corners (alpha-blind trays)
    tooltip_limit: int
    platform: str
    # change the shown menu's labels, checks, enabled and visible states in place (same
    # structure), the items' actions held back while it does
    patch_menu: Callable[[Any, tuple[Any, ...], Callable[[], AbstractContextManager[None]]],
                         None] | None = None


def requested(environ: MutableMapping[str, str]) -> str | None:
    """Apply ``TRAYAPP_TRAY_BACKEND``; returns the forced name, or None. Raises ValueError."""
    want = environ.get(ENV, "").strip().lower()
    if not want:
        return environ.get("PYSTRAY_BACKEND") or None
    if want not in CHOICES:
        raise ValueError(f"{ENV}={want!r} is not one of {', '.join(CHOICES)}")
    environ["PYSTRAY_BACKEND"] = want
    return want


def no_display_reason(environ: MutableMapping[str, str], platform: str) -> str | None:
    if platform in ("win32", "darwin"):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return "no graphical display: DISPLAY is not set"
    return None


def _import_pystray() -> Any:
    for name in [m for m in sys.modules if m == "pystray" or m.startswith("pystray.")]:
        del sys.modules[name]          # a failed attempt may leave half-imported modules
    if os.environ.get("PYSTRAY_BACKEND") != "xorg":   # xorg needs no GLib
        _name_the_program()
    import pystray
    return pystray


def _name_the_program() -> None:
    """Window class and app name ``trayapp`` (GTK takes them from argv[0], which is
    ``__main__.py`` under ``python -m``): set before pystray initialises GTK."""
    try:
        from gi.repository import GLib
    except Exception:
        return
    GLib.set_prgname(APP_NAME)
    GLib.set_application_name(APP_NAME)


def _clickable_xorg(base: Any) -> Any:
    import Xlib.display
    import Xlib.X

    class ClickableIcon(base):  # type: ignore[misc]
        """pystray's xorg Icon that really receives clicks (pystray#151), drawn at
        the size the tray gave its window and over the panel's own pixels.

        pystray pastes a Lanczos-downscaled image onto black; here ``renderer``
        (set by the app: size -> RGBA image) draws the icon at the window's real
        size, and the window's background is ``ParentRelative``, so clearing it
        shows the panel behind it: that is read back and the icon composited on
        it (``XORG_BACKGROUND`` when it cannot be read).
        """

        renderer: Any = None

        def _create_window(self) -> Any:
            window = super()._create_window()
            window.change_attributes(event_mask=Xlib.X.ExposureMask
                                     | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask,
                                     background_pixmap=Xlib.X.ParentRelative)
            return window

        def _rewrite_implementation(self, *methods: Any) -> None:
            """pystray runs ``_show``, ``_update_icon``, ``_update_title``... on its X
            loop thread: a caller on another thread sends that thread a client message
            and waits for the result. pystray sends it over the loop's own connection,
            and python-xlib's sharing of one connection between threads has holes: a
            request the loop queued could stay unsent while the other thread's flush
            was the active sender (the title's WM_NAME: the icon kept its start-up
            title in trayer), or a thread could wait forever for one that returned
            early. Here the other threads send it over a connection of their own (one
            at a time), so only the loop thread ever uses the loop's connection."""
            import threading

            super()._rewrite_implementation(*methods)
            lock = threading.Lock()
            line: list[Any] = []            # the callers' own connection, once opened

            def on_loop_thread(original: Any) -> Any:
                atom = self._display.intern_atom(f"_PYSTRAY_{original.__name__.upper()}")

                def call() -> None:
                    if threading.current_thread() is getattr(self, "_thread", None):
                        original()
                        return
                    with lock:
                        if not line:
                            line.append(Xlib.display.Display(self._display.get_display_name()))
                        window = line[0].create_resource_object("window", self._window.id)
                        window.send_event(Xlib.display.event.ClientMessage(
                            type=Xlib.X.ClientMessage, window=window, client_type=atom,
                            data=(32, (Xlib.X.CurrentTime, 0, 0, 0, 0))),
                            event_mask=Xlib.X.NoEventMask)
                        line[0].flush()
                        result = self._queue.get()
                    if result is not True:
                        raise result[1].with_traceback(result[2])
                return call

            for original in methods:
                setattr(self, original.__name__, on_loop_thread(original))

        def screen_rect(self) -> list[int] | None:
            """The icon's place on the screen, [x, y, width, height], for the details
            window's first place next to it; read over a connection of its own (the
            loop's belongs to the loop thread). None when X cannot tell."""
            try:
                display = Xlib.display.Display(self._display.get_display_name())
            except Exception:
                return None
            try:
                window = display.create_resource_object("window", self._window.id)
                size = window.get_geometry()
                at = display.screen().root.translate_coords(window, 0, 0)
                return [int(at.x), int(at.y), int(size.width), int(size.height)]
            except Exception as exc:         # gone, not mapped yet
                log.debug("cannot tell where the icon is (%s)", type(exc).__name__)
                return None
            finally:
                display.close()

        def _on_button_press(self, event: Any) -> None:
            if event.detail in (1, 3):      # no menu here: either button opens the details
                self()

        def _panel(self, width: int, height: int) -> Any:
            """The panel's pixels behind the window, or None when they cannot be read."""
            from PIL import Image
            try:
                self._window.clear_area(0, 0, width, height)
                self._display.sync()
                raw = self._window.get_image(0, 0, width, height, Xlib.X.ZPixmap, 0xFFFFFFFF)
                if len(raw.data) == width * height * 4:
                    return Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")
            except Exception as exc:            # not mapped yet, another depth
                log.debug("cannot read the panel behind the icon (%s)", type(exc).__name__)
            return None

        def _assert_icon_data(self, width: int, height: int) -> None:
            """Draw the icon for a window of this size, kept while the size stays, but
            only when it was composited on the panel's real pixels: a draw that could
            not read them (before the tray mapped the window) uses a plain grey and is
            done again at the next expose, else the grey square stays for good."""
            shown: Any = getattr(self, "_icon_data", None)
            if shown and shown.size == (width, height) and getattr(self, "_on_panel", False):
                return
            from PIL import Image
            side = max(8, min(width, height))
            icon = self.renderer(side) if self.renderer is not None else \
                self._icon.convert("RGBA").resize((side, side), Image.Resampling.LANCZOS)
            panel = self._panel(width, height)
            setattr(self, "_on_panel", panel is not None)  # noqa: B010 (typed Any)
            if panel is None:
                panel = Image.new("RGB", (width, height), XORG_BACKGROUND)
            flat = panel.convert("RGBA")
            flat.alpha_composite(icon, ((width - side) // 2, (height - side) // 2))
            data: Any = flat.convert("RGB")
            data.tostring = data.tobytes        # python-xlib's put_pil_image calls it
            setattr(self, "_icon_data", data)  # noqa: B010 (typed Any)

    return ClickableIcon


def _patch_gtk_menu(menu: Any, items: tuple[Any, ...]) -> None:
    """Walk a Gtk.Menu built by pystray from ``items``' structure (every slot built, none
    hidden by pystray); set labels, checks, sensitivity and visibility. libdbusmenu-gtk
    (appindicator) sends each as a property update of the item, not a new layout."""
    for widget, item in zip(menu.get_children(), items, strict=False):
        if widget.get_visible() != item.visible:
            widget.set_visible(item.visible)
        if item.separator:
            continue
        if not item.default and widget.get_label() != item.text:
            widget.set_label(item.text)       # the default item's label is bold markup
        if widget.get_sensitive() != item.enabled:
            widget.set_sensitive(item.enabled)
        if item.checked is not None and hasattr(widget, "set_active") \
                and widget.get_active() != item.checked:
            widget.set_active(item.checked)   # activates the item: see MenuView._quiet
        sub = widget.get_submenu()
        if sub is not None and item.children:
            _patch_gtk_menu(sub, item.children)


def patch_gtk(icon: Any, items: tuple[Any, ...],
              quiet: Callable[[], AbstractContextManager[None]]) -> None:
    """Patch the icon's Gtk menu on the GLib main loop (pystray's own thread), after
    any menu pystray was asked to build (its ``_update_menu`` is queued there too);
    ``quiet``: the items' actions do not run meanwhile."""
    from gi.repository import GLib

    def apply() -> bool:
        handle = getattr(icon, "_menu_handle", None)
        if handle is not None:
            with quiet():
                _patch_gtk_menu(handle, items)
        return False
    GLib.idle_add(apply)


def load(environ: MutableMapping[str, str] | None = None,
         platform: str | None = None) -> Backend | str:
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    why = no_display_reason(env, plat)
    if why:
        return why
    try:
        forced = requested(env)
    except ValueError as exc:
        return str(exc)
    try:
        pystray = _import_pystray()
    except Exception as exc:
        first = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        if forced or plat in ("win32", "darwin"):
            return f"the tray backend cannot start ({first})"
        log.warning("tray backend failed (%s); trying the plain xorg backend", first)
        env["PYSTRAY_BACKEND"] = "xorg"
        try:
            pystray = _import_pystray()
        except Exception as exc2:
            return f"the tray backend cannot start ({type(exc2).__name__}: {exc2})"[:300]
    icon_class = pystray.Icon
    name = icon_class.__module__.rsplit("._", 1)[-1]
    background = None
    if name == "xorg":
        icon_class = _clickable_xorg(icon_class)
        background = XORG_BACKGROUND
    elif name == "gtk":
        icon_class = sized_gtk(icon_class)
    elif name == "appindicator":
        icon_class = themed_appindicator(icon_class)
    elif name == "darwin":
        from trayapp.tray.macos import retina_darwin
        icon_class = retina_darwin(icon_class)
    elif name == "win32":
        from trayapp.tray.backend_win import sized_win32
        icon_class = sized_win32(icon_class)
    return Backend(name=name, icon_class=icon_class, menu_class=pystray.Menu,
                   item_class=pystray.MenuItem, has_menu=bool(icon_class.HAS_MENU),
                   has_default_action=bool(icon_class.HAS_DEFAULT_ACTION),
                   has_notification=bool(icon_class.HAS_NOTIFICATION),
                   background=background, tooltip_limit=TOOLTIP_LIMITS.get(plat, 255),
                   platform=plat,
                   patch_menu=patch_gtk if name in ("gtk", "appindicator") else None)
