"""The PyGObject backends (gtk, appindicator): the icon drawn at the tray's real size.

pystray hands GTK its 64 px image as a ``tempfile.mktemp()`` PNG in /tmp
and lets the tray scale it down, so the small-size design (one larger mark,
bolder strokes) never shows and HiDPI gets a blurred upscale of a 1x image.
Here the app sets ``painter`` (``(state, px) -> RGBA image``) and
``icon_state`` (the state the icon shows, a ``(level, marks)`` pair) on the
icon; the PyGObject classes below draw every size from those:

* **gtk** (GtkStatusIcon: tint2, trayer, legacy XFCE/MATE trays): the tray
  reports its slot with ``size-changed``; GtkStatusIcon itself would render
  any image at 1x (it loads at scale 1, rounded to a stock size) and GTK
  then upscales it. So the icon is drawn at ``slot * scale`` device pixels
  (the widget's scale factor, ``GDK_SCALE``) and given, as a file icon, to
  the tray's own GtkImage with a pixel size of ``slot``: GTK loads a GIcon at
  pixel size x scale, which is then the file's size, so nothing is scaled.
* **appindicator** (StatusNotifier hosts): the host picks the size, so the
  icon is a tiny icon theme under the private runtime dir, one name per
  state (``trayapp-major_outage-offline``) with a PNG per size drawn by our
  own code; a name's pixels never change (hosts cache by name).

Files go in the app's private dir (:func:`trayapp.tray.appfiles.private_dir`),
written atomically, and old states' files are pruned (bounded), never in /tmp.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp.domain.text import one_line
from trayapp.edges import paths

log = logging.getLogger("trayapp.tray.backend")
APP_NAME = "trayapp"
THEME_SIZES = (16, 22, 24, 32, 44, 48, 64, 96, 128)   # sizes hosts ask for (44: 22 at 2x)
KEEP_STATES = 8                                   # icon states kept on disk
RETRY_MS, RETRIES = 500, 6                        # redraw when the panel was not readable

State = tuple[Any, frozenset[str]]                # (Level, marks)
Painter = Callable[[State, int], Any]


def state_name(state: State) -> str:
    """The icon name of a state: ``trayapp-<level>[-<mark>...]``."""
    level, marks = state
    return "-".join([APP_NAME, str(getattr(level, "value", level)), *sorted(marks)])


def _png(image: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


class IconFiles:
    """PNG files of drawn icon states under ``root``: written atomically, the
    ``keep`` most recently used states kept, older ones deleted.

    Each file is drawn once per run (an earlier run's files, perhaps of an
    older design, are removed at the first write: one tray runs per user)."""

    def __init__(self, root: Path, keep: int = KEEP_STATES) -> None:
        self.root = root
        self.keep = keep
        self._used: list[str] = []            # state names, most recent last
        self._drawn: set[Path] = set()        # written by this run
        self._indexed = False
        self._swept = False
        self._base: set[str] = set()          # every level's plain name: never pruned

    def _write(self, path: Path, draw: Callable[[], Any]) -> None:
        if path in self._drawn and path.exists():
            return
        if not self._swept:
            self._swept = True
            self._prune("*")
        paths.write_atomic(path, _png(draw()), 0o600)
        self._drawn.add(path)

    def _touch(self, name: str) -> None:
        if name in self._used:
            self._used.remove(name)
        self._used.append(name)
        for old in self._used[:-self.keep]:
            if old not in self._base:
                self._prune(old)
        del self._used[:-self.keep]

    def _prune(self, name: str) -> None:
        for pattern in (f"**/{name}.png", f"**/{name}~*.png"):
            for path in self.root.glob(pattern):
                self._drawn.discard(path)
                try:
                    path.unlink()
                except OSError as exc:
                    log.debug("cannot remove %s (%s)", path.name, type(exc).__name__)

    def file(self, state: State, px: int, painter: Painter, backdrop: Any = None) -> Path:
        """The PNG of ``state`` at ``px`` pixels (drawn once), over ``backdrop``
        (an RGB image of that size: the icon then is opaque) when given."""
        name = state_name(state)
        tag = ""
        if backdrop is not None:
            tag = "~" + hashlib.sha1(backdrop.tobytes(), usedforsecurity=False).hexdigest()[:12]
        path = self.root / f"{px}" / f"{name}{tag}.png"

        def draw() -> Any:
            image = painter(state, px)
            if backdrop is None:
                return image
            flat = backdrop.convert("RGBA")
            flat.alpha_composite(image)
            return flat
        self._write(path, draw)
        if backdrop is not None:        # one panel variant per state and size
            for other in path.parent.glob(f"{name}~*.png"):
                if other != path:
                    self._drawn.discard(other)
                    other.unlink(missing_ok=True)
        self._touch(name)
        return path

    def theme(self, state: State, painter: Painter) -> str:
        """Write ``state`` at every theme size under ``root/hicolor``; its icon name."""
        name = state_name(state)
        base = self.root / "hicolor"
        index = base / "index.theme"
        if not self._indexed:           # once per run: an older run's may list other sizes
            dirs = [f"{n}x{n}/apps" for n in THEME_SIZES]
            text = ["[Icon Theme]", "Name=trayapp", "Comment=trayapp's tray icon states",
                    "Directories=" + ",".join(dirs), ""]
            for n, d in zip(THEME_SIZES, dirs, strict=True):
                text += [f"[{d}]", f"Size={n}", "Type=Fixed", "Context=Applications", ""]
            paths.write_atomic(index, "\n".join(text).encode(), 0o600)
            self._indexed = True
            # Every level's plain name is there from the start: a host's GTK icon
            # theme lists the directories and rescans them at most every few seconds,
            # so a name first written later may be "missing" for good (CI saw the bar
            # keep a blank icon for trayapp-major_outage written 1.4 s after start).
            from trayapp.domain.levels import Level
            for level in Level:
                plain = state_name((level, frozenset()))
                self._base.add(plain)
                for n in THEME_SIZES:
                    self._write(base / f"{n}x{n}" / "apps" / f"{plain}.png",
                                functools.partial(painter, (level, frozenset()), n))
        for n in THEME_SIZES:
            self._write(base / f"{n}x{n}" / "apps" / f"{name}.png",
                        functools.partial(painter, state, n))
        self._touch(name)
        return name


def icon_root() -> Path:
    from trayapp.tray.appfiles import private_dir
    return private_dir() / "icons"


class _Drawn:
    """What both PyGObject icons share: the painter hook, and pystray's icon file
    (used for notifications) written in the private dir instead of /tmp."""

    painter: Painter | None = None
    icon_state: State | None = None
    _icon: Any
    _icon_path: str | None
    _icon_valid: bool

    def _files(self) -> IconFiles:
        files: IconFiles | None = getattr(self, "_icon_files", None)
        if files is None:
            files = IconFiles(icon_root())
            setattr(self, "_icon_files", files)  # noqa: B010 (set on a pystray object)
        return files

    def _remove_fs_icon(self) -> None:
        self._icon_path = None          # the file stays: it is a state's, pruned later
        self._icon_valid = False

    def _update_fs_icon(self) -> None:
        try:
            if self.painter is not None and self.icon_state is not None:
                path = self._files().file(self.icon_state, 64, self.painter)
            else:
                path = icon_root() / "icon.png"
                paths.write_atomic(path, _png(self._icon), 0o600)
            self._icon_path = str(path)
            self._icon_valid = True
        except OSError as exc:
            log.warning("cannot write the tray icon file (%s)", one_line(exc, 200))


def _tray_image(status_icon: Any) -> Any:
    """The GtkImage GtkStatusIcon shows in the tray (the child of its GtkTrayIcon
    plug, a toplevel), or None."""
    from gi.repository import Gtk
    for window in Gtk.Window.list_toplevels():
        if type(window).__gtype__.name == "GtkTrayIcon":
            child = window.get_child()
            if isinstance(child, Gtk.Image):
                return child
    return None


_X: list[Any] = []                    # one python-xlib connection, opened on first use


def _needs_backdrop(plug: Any) -> bool:
    """A scaled tray plug without an ARGB visual (see :func:`_backdrop`)."""
    if plug is None or plug.get_scale_factor() < 2:
        return False
    visual = plug.get_visual()
    return visual is None or visual.get_depth() != 32   # ARGB: GTK clears with cairo


def _backdrop(plug: Any, px: int) -> Any:
    """The panel's pixels under the centre ``px`` x ``px`` of the tray plug (an
    RGB image), on trays without an ARGB visual; None where not needed or not
    readable.

    Such a tray shows the panel through the plug (``ParentRelative``), and
    GtkTrayIcon clears its window to it before each draw with ``XClearArea``
    on its clip rectangle, which is in logical pixels: at scale 2 only the
    top-left quarter is cleared, so every redraw blends the icon's soft edges
    over the last one (lighter halos, darker rims). Drawn opaque over the
    panel's own pixels, read back here as on the xorg backend, the icon is
    the same at every redraw."""
    window = plug.get_window() if _needs_backdrop(plug) else None
    if window is None:
        return None
    try:
        import gi
        gi.require_version("GdkX11", "3.0")
        import Xlib.display
        import Xlib.X
        from gi.repository import GdkX11  # noqa: F401 (gives GdkWindow.get_xid)
        from PIL import Image
        if not _X:
            _X.append(Xlib.display.Display())
        display = _X[0]
        xwin = display.create_resource_object("window", window.get_xid())
        geometry = xwin.get_geometry()
        width, height = geometry.width, geometry.height
        if width < px or height < px:
            return None
        xwin.clear_area(0, 0, width, height)
        display.sync()
        raw = xwin.get_image(0, 0, width, height, Xlib.X.ZPixmap, 0xFFFFFFFF)
        if len(raw.data) != width * height * 4:
            return None
        panel = Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")
    except Exception as exc:            # not mapped yet, another depth: drawn with alpha
        log.debug("cannot read the panel behind the icon (%s)", type(exc).__name__)
        return None
    x, y = (width - px) // 2, (height - px) // 2
    return panel.crop((x, y, x + px, y + px))


def sized_gtk(base: Any) -> Any:
    class SizedIcon(_Drawn, base):  # type: ignore[misc]
        """pystray's gtk Icon drawn at the tray's slot size x the scale factor,
        shown pixel for pixel; with the hover tooltip (pystray only calls
        ``set_title``, which GtkStatusIcon's trays do not show)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._slot = 0
            self._retry = 0                 # a pending redraw's GLib source id
            self._tries = 0
            super().__init__(*args, **kwargs)
            self._status_icon.set_name(APP_NAME)
            self._status_icon.set_tooltip_text(self.title or "")
            self._status_icon.connect("size-changed", self._on_size_changed)

        def _redraw(self) -> bool:
            self._retry = 0
            self._draw()
            return False

        def _on_size_changed(self, _status_icon: Any, size: int) -> bool:
            self._slot = int(size)
            return self._draw()

        def _draw(self) -> bool:
            """Show the icon at the slot's real size; False when it cannot (yet)."""
            image = _tray_image(self._status_icon)
            if image is None or self._slot < 8 or self.painter is None \
                    or self.icon_state is None:
                return False
            from gi.repository import Gio, Gtk
            if not getattr(image, "_trayapp_watched", False):    # e.g. moved to a HiDPI screen
                image.connect("notify::scale-factor", lambda *_: self._draw())
                image._trayapp_watched = True
            scale = max(1, int(image.get_scale_factor()))
            px = self._slot * scale
            plug = image.get_parent()
            backdrop = _backdrop(plug, px)
            if backdrop is not None:
                self._tries = 0
            elif _needs_backdrop(plug) and not self._retry and self._tries < RETRIES:
                from gi.repository import GLib  # not mapped yet: again in a moment
                self._tries += 1
                self._retry = GLib.timeout_add(RETRY_MS, self._redraw)
            try:
                path = self._files().file(self.icon_state, px, self.painter, backdrop)
            except OSError as exc:
                log.warning("cannot write the tray icon file (%s)", one_line(exc, 200))
                return False
            image.set_pixel_size(self._slot)
            image.set_from_gicon(Gio.FileIcon.new(Gio.File.new_for_path(str(path))),
                                 Gtk.IconSize.BUTTON)
            return True

        def _update_icon(self) -> None:
            from gi.repository import GLib

            def apply() -> bool:
                self._update_fs_icon()
                if not self._draw() and self._icon_path:
                    self._status_icon.set_from_file(self._icon_path)   # not docked yet
                return False
            GLib.idle_add(apply)

        def _update_title(self) -> None:
            super()._update_title()
            from gi.repository import GLib

            def apply() -> bool:
                self._status_icon.set_tooltip_text(self.title or "")
                return False
            GLib.idle_add(apply)

    return SizedIcon


def _reload_icon_theme() -> None:
    """Make this process's GTK icon theme see the state just written.

    Without a StatusNotifier host, libappindicator falls back to a GtkStatusIcon
    in this process (tint2, trayer), which looks the name up in GTK's default
    icon theme. That theme lists its directories once and re-reads them only
    when their mtime (in seconds) has changed, so a state written after the
    first showed as the "missing image" icon. Setting the search path again
    makes it re-read them (a few ms, once per state change)."""
    try:
        from gi.repository import Gtk
        theme = Gtk.IconTheme.get_default()
        if theme is not None:
            theme.set_search_path(theme.get_search_path())
    except Exception as exc:             # no Gtk here: nothing to reload
        log.debug("icon theme not reloaded (%s)", type(exc).__name__)


def themed_appindicator(base: Any) -> Any:
    class ThemedIcon(_Drawn, base):  # type: ignore[misc]
        """pystray's appindicator Icon set by name from a private icon theme with
        one PNG per size, so the host shows the size it asks for as drawn."""

        def _themed(self) -> str | None:
            if self.painter is None or self.icon_state is None:
                return None
            try:
                return self._files().theme(self.icon_state, self.painter)
            except OSError as exc:
                log.warning("cannot write the tray icon theme (%s)", one_line(exc, 200))
                return None

        def _set(self) -> None:
            name = self._themed()
            if name is None:
                self._update_fs_icon()
                if self._icon_path:
                    self._appindicator.set_icon_full(self._icon_path, APP_NAME)
                return
            self._update_fs_icon()          # for notifications
            theme = str(self._files().root)
            if self._appindicator.get_icon_theme_path() != theme:
                self._appindicator.set_icon_theme_path(theme)
            _reload_icon_theme()
            self._appindicator.set_icon_full(name, APP_NAME)

        def _show(self) -> None:
            from gi.repository import GLib
            super()._show()

            def apply() -> bool:
                self._set()
                return False
            GLib.idle_add(apply)

        def _update_icon(self) -> None:
            from gi.repository import GLib

            def apply() -> bool:
                self._set()
                return False
            GLib.idle_add(apply)

    return ThemedIcon
