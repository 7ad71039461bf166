"""The tray icon: one glyph, drawn procedurally, coloured by level *and* shaped by it.

The glyph is a "signal lamp": a disc with a dark rim and a thin light halo
(so it reads on light and dark panels alike), with a symbol that says the
level without colour, so the states differ in grayscale and under red-green
colour blindness too:

========================  =======  ==========================
level                     colour   symbol
========================  =======  ==========================
operational               green    a check mark
maintenance               blue     an "i"
degraded                  yellow   one "!"
partial outage            orange   two "!!"
major outage              red      a cross
unknown                   grey     a "?"
========================  =======  ==========================

Corner marks say what the level does not: ``offline`` (bottom right, a round
badge with a cross), ``paused`` notifications (bottom left, a square badge
with two bars) and ``disagree`` (top right, a diamond with "!": the API probe
disagrees with the status page). At 24 px and below only the most important
mark is drawn (offline, then disagree, then paused), larger, so it stays a
readable shape instead of three specks; there paused is two white bars on a
dark plate in the bottom-left corner and disagree a dark corner flag with a
white "!" at the top right, both outside the symbol, which stays whole
(docs/tray.md shows the pixels).

The level's colour, exactly ``LEVEL_COLOURS[level]`` (no anti-aliasing
inside the disc), is the most common opaque colour of the image:
:func:`read_level` reads the level back from a screenshot that way.

This is the only module that imports Pillow (a heavy import); the terminal
commands must not import it. ``assets/make_art.py`` and
``packaging/make_icons.py`` draw their files from this same definition.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image

from trayapp.domain.levels import Level

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

LEVEL_COLOURS: dict[Level, RGB] = {
    Level.OPERATIONAL: (46, 160, 67),
    Level.MAINTENANCE: (47, 120, 230),
    Level.DEGRADED: (236, 196, 20),
    Level.PARTIAL_OUTAGE: (240, 125, 20),
    Level.MAJOR_OUTAGE: (215, 38, 38),
    Level.UNKNOWN: (140, 140, 140),
}

MARKS = frozenset({"offline", "paused", "disagree"})
MARK_PRIORITY = ("offline", "disagree", "paused")   # the one drawn at small sizes
SMALL = 24                                          # at or below: one mark, larger

# Geometry, as fractions of the icon's size (0..1 on both axes).
_HALO = ((0.5, 0.5), 0.49)
_RIM = ((0.5, 0.5), 0.455)
_DISC = ((0.5, 0.5), 0.40)
_MARK_RADIUS = 0.19
_SMALL_MARK_RADIUS = 0.25
_MARK_CENTRES = {
    "offline": (0.81, 0.81),
    "paused": (0.18, 0.82),
    "disagree": (0.8, 0.2),
}

_DARK: RGBA = (28, 28, 30, 255)
_LIGHT: RGBA = (250, 250, 250, 235)
_WHITE: RGBA = (255, 255, 255, 255)
_MARK_BODY: RGBA = (45, 45, 50, 255)
# The symbol's ink: white on the dark colours, near-black on the light ones
# (white on yellow is unreadable, and the same in grayscale).
_INK: dict[Level, RGBA] = {
    Level.OPERATIONAL: _WHITE, Level.MAINTENANCE: _WHITE, Level.MAJOR_OUTAGE: _WHITE,
    Level.DEGRADED: _DARK, Level.PARTIAL_OUTAGE: _DARK, Level.UNKNOWN: _WHITE,
}

_SUPERSAMPLE_TARGET = 512  # draw at about this many pixels, then box-reduce


def shown_marks(marks: frozenset[str], size: int) -> frozenset[str]:
    """The marks drawn at ``size``: all of them, or only the most important when small."""
    if size > SMALL:
        return marks
    for mark in MARK_PRIORITY:
        if mark in marks:
            return frozenset({mark})
    return frozenset()


def render_icon(
    level: Level,
    marks: frozenset[str] = frozenset(),
    size: int = 64,
    background: RGB | None = None,
) -> Image.Image:
    """The icon for ``level`` with ``marks``, as a ``size``x``size`` RGBA image.

    The corners are transparent; with ``background`` they are that colour
    instead (fully opaque), for tray backends that ignore alpha: pystray's
    xorg backend pastes the image onto black.

    Raises ValueError for an unknown mark or a size below 8.
    """
    unknown = marks - MARKS
    if unknown:
        raise ValueError(f"unknown icon mark(s): {', '.join(sorted(unknown))}")
    if size < 8:
        raise ValueError(f"icon size must be at least 8, not {size}")
    image = _render(level, shown_marks(frozenset(marks), size), size).copy()
    if background is None:
        return image
    flat = Image.new("RGBA", image.size, (*background, 255))
    flat.alpha_composite(image)
    return flat


def read_level(image: Image.Image) -> Level | None:
    """The level an icon (or a screenshot of one) shows: the level colour with the
    most pixels of exactly that colour, or None when none has any."""
    counts: dict[RGB, int] = {}
    for count, colour in image.convert("RGB").getcolors(1 << 20) or []:
        if isinstance(colour, tuple):
            counts[(colour[0], colour[1], colour[2])] = count
    best = max(Level, key=lambda lv: counts.get(LEVEL_COLOURS[lv], 0))
    return best if counts.get(LEVEL_COLOURS[best], 0) else None


@lru_cache(maxsize=64)
def _render(level: Level, marks: frozenset[str], size: int) -> Image.Image:
    colour = LEVEL_COLOURS[level]
    factor = max(1, math.ceil(_SUPERSAMPLE_TARGET / size))
    big = size * factor
    canvas = _Canvas(big)

    def disc(centre: tuple[float, float], radius: float, fill: RGBA) -> None:
        canvas.disc(centre[0] * big, centre[1] * big, radius * big, fill)

    disc(*_HALO, _LIGHT)
    disc(*_RIM, _DARK)
    disc(*_DISC, (*colour, 255))
    _draw_symbol(canvas, level, big, size <= SMALL)
    for mark in sorted(marks):
        _draw_mark(canvas, mark, big, size <= SMALL)

    # A box filter: a solid area stays exactly its colour (no ringing).
    return canvas.image.reduce(factor) if factor > 1 else canvas.image


def _draw_symbol(canvas: _Canvas, level: Level, big: int, small: bool) -> None:
    """The level's symbol in the disc; strokes are bolder at small sizes."""
    ink = _INK[level]
    c = 0.5 * big
    w = (0.115 if small else 0.09) * big          # stroke width
    if level is Level.OPERATIONAL:
        canvas.line(0.30 * big, 0.52 * big, 0.44 * big, 0.66 * big, w, ink)
        canvas.line(0.42 * big, 0.66 * big, 0.71 * big, 0.35 * big, w, ink)
        canvas.disc(0.44 * big, 0.655 * big, w * 0.5, ink)     # a clean elbow
    elif level is Level.MAINTENANCE:
        canvas.disc(c, 0.31 * big, w * 0.62, ink)
        canvas.rectangle(c - w / 2, 0.42 * big, c + w / 2, 0.71 * big, ink)
    elif level in (Level.DEGRADED, Level.PARTIAL_OUTAGE):
        xs = (c,) if level is Level.DEGRADED else (c - 0.11 * big, c + 0.11 * big)
        for x in xs:
            canvas.rectangle(x - w / 2, 0.25 * big, x + w / 2, 0.56 * big, ink)
            canvas.disc(x, 0.68 * big, w * 0.6, ink)
    elif level is Level.MAJOR_OUTAGE:
        k = 0.16 * big
        canvas.line(c - k, c - k, c + k, c + k, w * 1.1, ink)
        canvas.line(c - k, c + k, c + k, c - k, w * 1.1, ink)
    else:  # unknown: a "?", a ring's upper part, a stem and a dot
        colour = (*LEVEL_COLOURS[level], 255)
        cy, r = 0.38 * big, 0.13 * big
        canvas.disc(c, cy, r + w / 2, ink)
        canvas.disc(c, cy, r - w / 2, colour)
        canvas.rectangle(c - r - w, cy, c, cy + r + w, colour)     # open the lower left
        canvas.rectangle(c - w / 2, cy + r - w / 2, c + w / 2, 0.60 * big, ink)
        canvas.disc(c, 0.70 * big, w * 0.6, ink)


def _draw_small_mark(canvas: _Canvas, mark: str, big: int) -> None:
    """At 24 px and below, paused and disagree stay in the corners, off the level's
    symbol: the symbols keep inside 0.24..0.77 of the icon, these marks outside it."""
    b = float(big)
    edge = max(1.0, 0.04 * b)                       # the light outline
    if mark == "paused":        # two white bars on a dark plate, bottom left
        canvas.rectangle(0, 0.625 * b, 0.3125 * b, b, _MARK_BODY)
        for x0 in (0.045, 0.165):
            canvas.rectangle(x0 * b, 0.70 * b, (x0 + 0.08) * b, 0.96 * b, _WHITE)
    else:                       # disagree: a dark corner flag with a white "!", top right
        leg, d = 0.54 * b, 2.1 * edge
        canvas.polygon([(b - leg, 0), (b, 0), (b, leg)], _LIGHT)
        canvas.polygon([(b - leg + d, 0), (b, 0), (b, leg - d)], _MARK_BODY)
        canvas.rectangle(0.84 * b, 0.03 * b, 0.93 * b, 0.19 * b, _WHITE)
        canvas.rectangle(0.84 * b, 0.25 * b, 0.93 * b, 0.32 * b, _WHITE)


def _draw_mark(canvas: _Canvas, mark: str, big: int, small: bool) -> None:
    if small and mark != "offline":
        _draw_small_mark(canvas, mark, big)
        return
    cx, cy = (v * big for v in _MARK_CENTRES[mark])
    r = (_SMALL_MARK_RADIUS if small else _MARK_RADIUS) * big
    if small:       # a bigger badge reaches further in: keep it inside the icon
        cx = min(max(cx, r), big - r)
        cy = min(max(cy, r), big - r)
    outline = max(1, round(0.035 * big))
    stroke = max(1, round((0.08 if small else 0.06) * big))
    body = r - outline
    if mark == "offline":
        canvas.disc(cx, cy, r, _LIGHT)
        canvas.disc(cx, cy, body, _MARK_BODY)
        k = body * 0.5
        canvas.line(cx - k, cy - k, cx + k, cy + k, stroke, _WHITE)
        canvas.line(cx - k, cy + k, cx + k, cy - k, stroke, _WHITE)
    elif mark == "paused":
        r, body = r * 0.9, body * 0.9
        canvas.rounded_square(cx, cy, r, r * 0.3, _LIGHT)
        canvas.rounded_square(cx, cy, body, body * 0.3, _MARK_BODY)
        h, w, gap = body * 0.55, body * 0.22, body * 0.2
        canvas.rectangle(cx - gap - w, cy - h, cx - gap, cy + h, _WHITE)
        canvas.rectangle(cx + gap, cy - h, cx + gap + w, cy + h, _WHITE)
    else:  # disagree
        r, body = r * 1.05, body * 1.05
        canvas.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], _LIGHT)
        canvas.polygon([(cx, cy - body), (cx + body, cy), (cx, cy + body), (cx - body, cy)],
                       _MARK_BODY)
        w = stroke * 0.5
        canvas.rectangle(cx - w, cy - body * 0.5, cx + w, cy + body * 0.12, _WHITE)
        d = stroke * 0.6
        canvas.disc(cx, cy + body * 0.36, d, _WHITE)


class _Canvas:
    """Opaque shapes filled span by span: a pixel is painted when its centre is inside.

    Four shapes are all the glyph needs, so ``PIL.ImageDraw`` (which pulls in
    ``ImageFont`` and FreeType, about 1.5 MB resident) is not imported: each
    row of a shape is one ``Image.paste`` of a colour. A fill replaces the
    pixels (alpha included), as ImageDraw's does.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.image = Image.new("RGBA", (size, size), (0, 0, 0, 0))

    def _span(self, y: int, x0: float, x1: float, fill: RGBA) -> None:
        # pixels whose centre x + 0.5 lies in [x0, x1]
        left, right = max(0, math.ceil(x0 - 0.5)), min(self.size, math.floor(x1 - 0.5) + 1)
        if left < right:
            self.image.paste(fill, (left, y, right, y + 1))

    def _rows(self, top: float, bottom: float) -> range:
        return range(max(0, math.ceil(top - 0.5)), min(self.size, math.floor(bottom - 0.5) + 1))

    def disc(self, cx: float, cy: float, r: float, fill: RGBA) -> None:
        for y in self._rows(cy - r, cy + r):
            half = math.sqrt(max(0.0, r * r - (y + 0.5 - cy) ** 2))
            self._span(y, cx - half, cx + half, fill)

    def rectangle(self, x0: float, y0: float, x1: float, y1: float, fill: RGBA) -> None:
        for y in self._rows(y0, y1):
            self._span(y, x0, x1, fill)

    def rounded_square(self, cx: float, cy: float, half: float, radius: float,
                       fill: RGBA) -> None:
        inner = half - radius               # the corner circles' centres are +-inner
        for y in self._rows(cy - half, cy + half):
            dy = max(0.0, abs(y + 0.5 - cy) - inner)
            reach = inner + math.sqrt(max(0.0, radius * radius - dy * dy))
            self._span(y, cx - reach, cx + reach, fill)

    def polygon(self, points: list[tuple[float, float]], fill: RGBA) -> None:
        """A convex polygon."""
        edges = list(zip(points, points[1:] + points[:1], strict=True))
        for y in self._rows(min(p[1] for p in points), max(p[1] for p in points)):
            yc = y + 0.5
            xs = [ax + (yc - ay) * (bx - ax) / (by - ay)
                  for (ax, ay), (bx, by) in edges
                  if ay != by and min(ay, by) <= yc <= max(ay, by)]
            if xs:
                self._span(y, min(xs), max(xs), fill)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float,
             fill: RGBA) -> None:
        """A straight stroke ``width`` wide with square-cut ends."""
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = (y0 - y1) / length * width / 2, (x1 - x0) / length * width / 2
        self.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny),
                      (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], fill)
