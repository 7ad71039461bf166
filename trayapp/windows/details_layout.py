"""The details window's Tk layout: a scrolling body over a fixed action bar.

:class:`DetailsView` draws a :class:`~trayapp.windows.details_text.Dashboard`
into a Tk root and redraws it in place (:meth:`DetailsView.show`), keeping
the scroll position and which incidents are expanded. Every size comes from
font metrics scaled to the display (:func:`scale_fonts`), so nothing is
clipped at 96, 144 or 192 dpi: the action bar is packed first at the bottom
(the body shrinks, the bar never does) and its buttons flow onto as many
rows as the width needs. Feed text goes into labels as text, never markup.

Per-service extra rows (the 24 h / 7 d history strip) come from
:func:`service_extras`: empty for now.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from trayapp.domain.levels import Level
from trayapp.windows.details_text import Dashboard, IncidentView, Link, ServiceView
from trayapp.windows.theme import ACTIVE

FONTS = ("TkDefaultFont", "TkTextFont", "TkHeadingFont", "TkMenuFont", "TkCaptionFont",
         "TkSmallCaptionFont", "TkTooltipFont", "TkFixedFont", "TkIconFont")


def mark_image(master: tk.Misc, level: Level, size: int) -> tk.PhotoImage:
    """The tray icon's glyph for ``level`` as a Tk image (PNG: Tk 8.6 keeps its alpha)."""
    import base64
    import io

    from trayapp.icon import render_icon
    buf = io.BytesIO()
    render_icon(level, size=max(8, size)).save(buf, "PNG")
    return tk.PhotoImage(master=master, data=base64.b64encode(buf.getvalue()).decode())


def service_extras(parent: tk.Misc, service_id: str) -> list[Any]:
    """Extra widgets under a service's row (one per row, packed in order, right under
    "Use instead"). None by default; :mod:`trayapp.windows.details_history` gives the
    history strips in their place (``DetailsView.extras``)."""
    return []


def geometry(root: tk.Misc, widgets: list[Any]) -> list[dict[str, Any]]:
    """Each widget's text and place on screen (for the tray's log and the desktop tests)."""
    root.update_idletasks()
    return [{"text": str(b.cget("text")), "x": int(b.winfo_rootx()), "y": int(b.winfo_rooty()),
             "w": int(b.winfo_width()), "h": int(b.winfo_height()),
             "viewable": bool(b.winfo_viewable())} for b in widgets]


def scale_fonts(root: tk.Tk) -> float:
    """Scale Tk's named fonts given in pixels (negative sizes, X11's default) by the
    display's dots per inch; fonts in points follow ``tk scaling`` by themselves.
    Returns the factor (1.0 at 96 dpi) for paddings and marks."""
    factor = max(1.0, float(root.winfo_fpixels("1i")) / 96.0)
    for name in FONTS:
        try:
            f = tkfont.nametofont(name, root=root)
        except tk.TclError:
            continue
        size = int(f.cget("size"))
        if size < 0:
            f.configure(size=-round(-size * factor))
    return factor


@dataclass
class Actions:
    """What the window's buttons do (given by the process module)."""

    open_link: Callable[[Link], None]
    bar: list[tuple[str, Callable[[], None]]]    # action bar buttons, left to right
    quit: Callable[[], None] | None              # "Quit trayapp", far from Close
    close: Callable[[], None]
    prefs: Callable[[], None]                    # "Preferences...", beside Close
    change: Callable[[], None] | None = None     # the banner's "Change..." button


class DetailsView:
    def __init__(self, root: tk.Tk, actions: Actions, banner: str | None = None) -> None:
        self.root, self.actions = root, actions
        self.k = scale_fonts(root)
        base = tkfont.nametofont("TkDefaultFont", root=root)
        self.line = int(base.metrics("linespace"))
        self.char = int(base.measure("0"))
        self.bold = base.copy()
        self.bold.configure(weight="bold")
        self.big = base.copy()
        self.big.configure(weight="bold", size=round(int(base.cget("size")) * 1.25))
        self.expanded: set[str] = set()
        self._marks: dict[tuple[Level, int], tk.PhotoImage] = {}
        # per-service extra rows: service_extras, or the history strips (details_history)
        self.extras: Callable[[tk.Misc, str], list[Any]] = service_extras
        self.wrapped: list[tuple[ttk.Label, int]] = []
        self.error = tk.StringVar(root)
        self._build_bar()
        if banner:
            self._build_banner(banner)
        self._build_body()

    def px(self, n: float) -> int:
        return round(n * self.k)

    # ------------------------------------------------------------ fixed parts
    def _build_bar(self) -> None:
        a = self.actions
        bottom = ttk.Frame(self.root, padding=self.px(6))
        bottom.pack(side="bottom", fill="x")
        self.flow = tk.Frame(bottom)
        self.flow.pack(side="top", fill="x")
        self.bar_buttons = [ttk.Button(self.flow, text=t, command=c) for t, c in a.bar]
        self.flow.bind("<Configure>", lambda e: self._reflow(int(e.width)))
        last = ttk.Frame(bottom)
        last.pack(side="top", fill="x", pady=(self.px(4) if a.bar else 0, 0))
        self.close_button = ttk.Button(last, text="Close", command=a.close)
        self.close_button.pack(side="right")
        self.prefs_button = ttk.Button(last, text="Preferences\u2026", command=a.prefs)
        self.prefs_button.pack(side="right", padx=(0, self.px(4)))
        self.quit_button = None
        if a.quit is not None:
            self.quit_button = ttk.Button(last, text="Quit trayapp", command=a.quit)
            self.quit_button.pack(side="left")
        self.error_box = ttk.Entry(bottom, textvariable=self.error, state="readonly")
        self.error_shown = False
        self.bottom = bottom

    def _reflow(self, width: int) -> None:
        gap = self.px(4)
        x = y = row_h = 0
        for b in self.bar_buttons:
            w, h = int(b.winfo_reqwidth()), int(b.winfo_reqheight())
            if x and x + w > width:
                x, y = 0, y + row_h + gap
            b.place(x=x, y=y)
            x, row_h = x + w + gap, max(row_h, h)
        height = y + row_h if self.bar_buttons else 0
        if int(self.flow.cget("height")) != height:
            self.flow.configure(height=height)

    def say_error(self, text: str) -> None:
        """A failure the user should see, selectable and copyable (with its path)."""
        self.error.set(text)
        if not self.error_shown:
            self.error_box.pack(side="top", fill="x", pady=(self.px(4), 0), before=self.flow)
            self.error_shown = True

    def _build_banner(self, text: str) -> None:
        box = ttk.Frame(self.root, padding=self.px(8))
        box.pack(side="top", fill="x")
        label = ttk.Label(box, text=text, font=self.bold, justify="left")
        label.pack(side="left", fill="x", expand=True)
        self.wrapped.append((label, self.px(140)))
        if self.actions.change is not None:
            ttk.Button(box, text="Change\u2026", command=self.actions.change).pack(side="right")

    def _build_body(self) -> None:
        holder = ttk.Frame(self.root)
        holder.pack(side="top", fill="both", expand=True)
        self.canvas = tk.Canvas(holder, highlightthickness=0, borderwidth=0)
        self.scroll = ttk.Scrollbar(holder, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.scroll.set)
        self.scroll.pack(side="right", fill="y")
        self.canvas.pack(side="left", fill="both", expand=True)
        self.inner = ttk.Frame(self.canvas, padding=self.px(10))
        self.window = self.canvas.create_window(0, 0, window=self.inner, anchor="nw")
        self.inner.bind("<Configure>", lambda _e: self.canvas.configure(
            scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", self._width)
        self.root.bind_all("<Button-4>", lambda _e: self.canvas.yview_scroll(-3, "units"))
        self.root.bind_all("<Button-5>", lambda _e: self.canvas.yview_scroll(3, "units"))
        self.root.bind_all("<MouseWheel>", lambda e: self.canvas.yview_scroll(
            -1 if e.delta > 0 else 1, "units"))

    def _width(self, event: Any) -> None:
        self.canvas.itemconfigure(self.window, width=int(event.width))
        self._wrap(int(event.width))

    def _wrap(self, width: int) -> None:
        for label, indent in self.wrapped:
            if label.winfo_exists():
                label.configure(wraplength=max(self.char * 20, width - indent))

    def clipped(self) -> list[str]:
        """The lines that reach past the column's right edge (the tests)."""
        self.root.update_idletasks()
        right = int(self.canvas.winfo_rootx()) + int(self.canvas.winfo_width())
        out: list[str] = []
        todo: list[tk.Misc] = [self.inner]
        while todo:
            w = todo.pop(0)
            todo += w.winfo_children()
            if isinstance(w, ttk.Label) and w.winfo_ismapped() \
                    and int(w.winfo_rootx()) + int(w.winfo_reqwidth()) > right:
                out.append(str(w.cget("text"))[:60])
        return out

    def natural_size(self) -> tuple[int, int]:
        """A first size from font metrics, within the screen."""
        sw, sh = int(self.root.winfo_screenwidth()), int(self.root.winfo_screenheight())
        self.root.update_idletasks()
        bar_w = max([int(b.winfo_reqwidth()) for b in self.bar_buttons] + [0])
        w = max(self.char * 76, bar_w + self.px(40))
        h = max(self.line * 34, int(self.bottom.winfo_reqheight()) + self.line * 10)
        return min(w, int(sw * 0.9)), min(h, int(sh * 0.85))

    def min_size(self) -> tuple[int, int]:
        bar_w = max([int(b.winfo_reqwidth()) for b in self.bar_buttons] + [0])
        return (max(self.char * 36, bar_w + self.px(20)),
                int(self.bottom.winfo_reqheight()) + self.line * 6)

    def bar_geometry(self) -> list[dict[str, Any]]:
        """Where each action-bar button is on screen (the log and the desktop tests)."""
        buttons = [*self.bar_buttons, self.prefs_button, self.close_button]
        buttons += [self.quit_button] if self.quit_button is not None else []
        return geometry(self.root, buttons)

    def body_geometry(self) -> list[dict[str, Any]]:
        """The same for the buttons in the scrolling body ("Use instead", incidents)."""
        found: list[tk.Misc] = []
        todo: list[tk.Misc] = [self.inner]
        while todo:
            w = todo.pop(0)
            found += [c for c in w.winfo_children() if isinstance(c, ttk.Button)]
            todo += [c for c in w.winfo_children() if isinstance(c, ttk.Frame | tk.Frame)]
        return geometry(self.root, found)

    # ------------------------------------------------------------ the content
    def show(self, d: Dashboard) -> None:
        """Draw ``d`` in place of what is shown, keeping the scroll position."""
        self.last = d
        top = self.canvas.yview()[0]
        for child in self.inner.winfo_children():
            child.destroy()
        self.wrapped = [(lab, ind) for lab, ind in self.wrapped if lab.winfo_exists()]
        self.root.title(d.title)    # said once, in the title bar: the services' headings follow
        self._text(self.inner, d.checked, muted=True)
        for note in (d.offline, d.paused):
            if note:
                self._text(self.inner, note, font=self.bold)
        for s in d.services:
            self._service(s)
        if d.others:
            self._text(self.inner, "Fallbacks", font=self.bold, pady=(self.px(12), 0))
            for o in d.others:
                row = self._row(self.inner, o.level, f"{o.name}: {o.state}", pad=4)
                if o.open:
                    self._link_button(row, o.open).pack(side="right")
                self._text(self.inner, o.summary, muted=True, indent=self.px(32))
        self.root.update_idletasks()
        self._wrap(int(self.canvas.winfo_width()))
        self.canvas.configure(scrollregion=self.canvas.bbox("all"))
        self.canvas.yview_moveto(top)

    def _text(self, parent: tk.Misc, text: str, font: Any = None, muted: bool = False,
              indent: int = 0, pady: tuple[int, int] = (0, 0),
              link: Link | None = None) -> ttk.Label:
        opts: dict[str, Any] = {"text": text, "justify": "left", "font": font or "TkDefaultFont"}
        if muted:
            opts["foreground"] = ACTIVE[0].muted
        if link is not None and link.url:
            opts.update(foreground=ACTIVE[0].link, cursor="hand2")
        label = ttk.Label(parent, **opts)
        label.pack(side="top", anchor="w", padx=(indent, 0), pady=pady)
        if link is not None and link.url:
            label.bind("<Button-1>", self._clicker(link))
        self.wrapped.append((label, indent + self.px(40)))
        return label

    def _clicker(self, link: Link) -> Callable[[object], None]:
        def click(_event: object) -> None:
            self.actions.open_link(link)
        return click

    def _mark(self, parent: tk.Misc, level: Level) -> tk.Label:
        """The tray icon's own glyph for ``level`` (same shape, symbol and colour,
        drawn by :func:`trayapp.icon.render_icon` at the line's pixel size)."""
        size = self.line + self.px(4)
        image = self._marks.get((level, size))
        if image is None:
            image = mark_image(parent, level, size)
            self._marks[(level, size)] = image        # Tk forgets images nobody holds
        return tk.Label(parent, image=image, borderwidth=0, highlightthickness=0)

    def _row(self, parent: tk.Misc, level: Level, text: str, pad: int = 10) -> ttk.Frame:
        row = ttk.Frame(parent)
        row.pack(side="top", fill="x", pady=(self.px(pad), 0))
        self._mark(row, level).pack(side="left", padx=(0, self.px(8)))
        ttk.Label(row, text=text, font=self.big if pad > 4 else self.bold).pack(side="left")
        return row

    def _link_button(self, parent: tk.Misc, link: Link) -> ttk.Button:
        return ttk.Button(parent, text=link.text, command=lambda: self.actions.open_link(link))

    def _service(self, s: ServiceView) -> None:
        ind = self.px(32)
        self._row(self.inner, s.level, f"{s.name}: {s.headline}")
        if s.expected:
            self._text(self.inner, s.expected, indent=ind)
            self._text(self.inner, s.expected_why or "", muted=True, indent=ind)
        self._text(self.inner, s.reason, indent=ind)
        if s.probe:
            self._text(self.inner, s.probe, muted=True, indent=ind)
        if s.use_instead or s.use_instead_note:
            use = ttk.Frame(self.inner)
            use.pack(side="top", anchor="w", padx=(ind, 0), pady=(self.px(6), 0))
            ttk.Label(use, text="Use instead:", font=self.bold).pack(side="left")
            for link in s.use_instead:
                self._link_button(use, link).pack(side="left", padx=(self.px(6), 0))
            if s.use_instead_note:
                ttk.Label(use, text=s.use_instead_note).pack(side="left", padx=(self.px(6), 0))
        for extra in self.extras(self.inner, s.id):
            extra.pack(side="top", anchor="w", padx=(ind, 0), pady=(self.px(4), 0))
            # its wrapped lines (the history's) follow the column's width, as ours do
            self.wrapped += [(c, ind + self.px(40)) for c in extra.winfo_children()
                             if isinstance(c, ttk.Label) and int(str(c.cget("wraplength")) or 0)]
        for inc in s.incidents:
            self._incident(s.id, inc, ind)
        for note in s.notes:
            self._text(self.inner, note, muted=True, indent=ind)
        if s.page:
            self._text(self.inner, s.page.text, indent=ind, link=s.page)

    def _incident(self, sid: str, inc: IncidentView, ind: int) -> None:
        key = f"{sid}\n{inc.title}"
        self._text(self.inner, inc.title, font=self.bold, indent=ind, pady=(self.px(8), 0))
        self._text(self.inner, inc.meta, muted=True, indent=ind)
        shown = ((inc.latest,) if inc.latest else ()) + \
            (inc.older if key in self.expanded else ())
        for u in shown:
            self._text(self.inner, f"{u.when}  {u.status}".strip(), muted=True,
                       indent=ind + self.px(12), pady=(self.px(4), 0))
            self._text(self.inner, "".join(g.text for g in u.body), indent=ind + self.px(12))
            for g in u.body:
                if g.url:
                    self._text(self.inner, f"\u2192 {g.text}", indent=ind + self.px(24),
                               link=Link(g.text, g.url))
        row = ttk.Frame(self.inner)
        row.pack(side="top", anchor="w", padx=(ind + self.px(12), 0), pady=(self.px(2), 0))
        if inc.older:
            label = "Show less" if key in self.expanded else \
                f"Show all {len(inc.older) + 1} updates"
            ttk.Button(row, text=label, command=lambda: self._toggle(key)).pack(side="left")
        if inc.link:
            self._link_button(row, inc.link).pack(side="left", padx=(self.px(6), 0))

    def _toggle(self, key: str) -> None:
        self.expanded ^= {key}
        if self.last is not None:
            self.show(self.last)

    last: Dashboard | None = None
